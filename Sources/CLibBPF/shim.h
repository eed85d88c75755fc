#ifndef MESHTRACE_CLIBBPF_SHIM_H
#define MESHTRACE_CLIBBPF_SHIM_H
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <stdio.h>

/* libbpf's messages would go to stderr unasked; meshtrace reports verifier logs per program
 * instead, and shows libbpf's own warnings and notes only when asked (-v). */
static int meshtrace_libbpf_silent(enum libbpf_print_level level, const char *format, va_list args) {
    (void)level; (void)format; (void)args;
    return 0;
}

static int meshtrace_libbpf_stderr(enum libbpf_print_level level, const char *format, va_list args) {
    if (level == LIBBPF_DEBUG)
        return 0;
    return vfprintf(stderr, format, args);
}

static inline void meshtrace_libbpf_messages(int shown) {
    libbpf_set_print(shown ? meshtrace_libbpf_stderr : meshtrace_libbpf_silent);
}

#endif
