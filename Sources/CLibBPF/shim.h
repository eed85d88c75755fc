#ifndef MESHTRACE_CLIBBPF_SHIM_H
#define MESHTRACE_CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

/* libbpf's messages would go to stderr unasked; meshtrace reports verifier logs per program instead. */
static int meshtrace_libbpf_silent(enum libbpf_print_level level, const char *format, va_list args) {
    (void)level; (void)format; (void)args;
    return 0;
}

static inline void meshtrace_libbpf_silence(void) {
    libbpf_set_print(meshtrace_libbpf_silent);
}

/* glibc declares setns(2) only under _GNU_SOURCE, which the system modules are built without. */
extern int setns(int fd, int nstype);
#define MESHTRACE_CLONE_NEWNET 0x40000000

static inline int meshtrace_enter_net_namespace(int fd) {
    return setns(fd, MESHTRACE_CLONE_NEWNET);
}

#endif
