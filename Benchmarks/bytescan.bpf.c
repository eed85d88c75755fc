/* The naive in-kernel search meshtrace-bench compares its scan with: a bounded loop over every
 * byte of the packet (direct packet access), counting '\n'. The count goes to skb->cb[0] so that
 * clang cannot drop the loop. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* BPF_PROG_TEST_RUN frames are under 4 KiB */
#define BYTESCAN_MAX 4096

SEC("tc")
int bytescan(struct __sk_buff *skb)
{
    unsigned char *data = (unsigned char *)(long)skb->data, *end = (unsigned char *)(long)skb->data_end;
    __u32 newlines = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < BYTESCAN_MAX; i++) {
        if ((void *)(data + i + 1) > (void *)end)
            break;
        newlines += data[i] == '\n';
    }
    skb->cb[0] = newlines;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
