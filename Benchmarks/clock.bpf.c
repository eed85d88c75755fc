/* A floor of meshtrace-bench: a tc program that reads the clock once (bpf_ktime_get_ns), as every
 * traced packet must to mark its arrival, and does nothing else. Its cost over the empty
 * program is the timestamp's, which no search can save. The time goes to skb->cb[0] so that
 * clang cannot drop the call. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int clock(struct __sk_buff *skb)
{
    skb->cb[0] = (__u32)bpf_ktime_get_ns();
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
