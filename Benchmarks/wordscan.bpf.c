/* The least a word-at-a-time search of the packet does: each 8-byte word read once (direct
 * packet access, as bytescan.bpf.c reads bytes) and its newline lanes found with the zero-byte
 * test; no line is classified and nothing is copied. Next to the byte scan it is the floor of the
 * per-KiB target. The lanes are summed into skb->cb[0] so that clang cannot drop the loop. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* BPF_PROG_TEST_RUN frames are under 4 KiB */
#define WORDSCAN_WORDS (4096 / 8)
#define LANES_LOW 0x0101010101010101ULL
#define LANES_HIGH 0x8080808080808080ULL
#define NEWLINES (LANES_LOW * '\n')

SEC("tc")
int wordscan(struct __sk_buff *skb)
{
    unsigned char *data = (unsigned char *)(long)skb->data, *end = (unsigned char *)(long)skb->data_end;
    __u64 lanes = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < WORDSCAN_WORDS; i++) {
        if ((void *)(data + 8 * i + 8) > (void *)end)
            break;
        const __u64 w = *(const __u64 *)(data + 8 * i) ^ NEWLINES;
        lanes += (w - LANES_LOW) & ~w & LANES_HIGH;
    }
    skb->cb[0] = (__u32)(lanes ^ (lanes >> 32));
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
