/* The lower floor of meshtrace-bench: a tc program that only returns. What it costs is what
 * BPF_PROG_TEST_RUN and the program call cost; every figure is a ratio to it. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int empty(struct __sk_buff *skb)
{
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
