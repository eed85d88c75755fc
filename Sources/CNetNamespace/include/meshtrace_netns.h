#ifndef MESHTRACE_NETNS_H
#define MESHTRACE_NETNS_H

/* setns(fd, CLONE_NEWNET): glibc declares setns(2) only under _GNU_SOURCE, which
 * Swift's system modules are built without. 0, or -1 with errno. */
int meshtrace_enter_net_namespace(int fd);

#endif
