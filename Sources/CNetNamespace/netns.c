#define _GNU_SOURCE
#include <sched.h>
#include "meshtrace_netns.h"

int meshtrace_enter_net_namespace(int fd)
{
	return setns(fd, CLONE_NEWNET);
}
