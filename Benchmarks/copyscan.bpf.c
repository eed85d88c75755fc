/* The word scan (wordscan.bpf.c) of a copy, as meshtrace's chunks search: the frame loaded into
 * per-CPU map memory COPYSCAN_CHUNK bytes at a time (bpf_skb_load_bytes, the loops profile's
 * 512-byte chunk), each chunk's words read once and their newline lanes found, the words loaded
 * wiped after. No line is classified. Next to the word scan it is what the copy and the wipe cost per
 * KiB; next to the byte scan, the floor of any search that copies the packet before reading it.
 * The lanes are summed into skb->cb[0] so that clang cannot drop the loops. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/* BPF_PROG_TEST_RUN frames are under 4 KiB */
#define COPYSCAN_MAX 4096
#define COPYSCAN_CHUNK 512
#define LANES_LOW 0x0101010101010101ULL
#define LANES_HIGH 0x8080808080808080ULL
#define NEWLINES (LANES_LOW * '\n')
/* keeps clang from folding the length checks into a form the verifier cannot follow */
#define BARRIER_VAR(v) asm volatile("" : "+r"(v))

struct chunk {
    __u64 words[COPYSCAN_CHUNK / 8];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct chunk);
} copyscan_buf SEC(".maps");

SEC("tc")
int copyscan(struct __sk_buff *skb)
{
    __u32 zero = 0;
    struct chunk *c = bpf_map_lookup_elem(&copyscan_buf, &zero);
    if (!c)
        return TC_ACT_OK;
    __u64 lanes = 0;
#pragma clang loop unroll(disable)
    for (__u32 base = 0; base < COPYSCAN_MAX; base += COPYSCAN_CHUNK) {
        __s64 len = (__s64)skb->len - base;
        if (len > COPYSCAN_CHUNK)
            len = COPYSCAN_CHUNK;
        BARRIER_VAR(len);
        if (len <= 0)
            break;
        BARRIER_VAR(len);
        if (len > COPYSCAN_CHUNK)
            break;
        bpf_skb_load_bytes(skb, base, c->words, len);
#pragma clang loop unroll(disable)
        for (int i = 0; i < COPYSCAN_CHUNK / 8; i++) {
            if (i * 8 >= len)
                break;
            const __u64 w = c->words[i] ^ NEWLINES;
            lanes += (w - LANES_LOW) & ~w & LANES_HIGH;
        }
        /* 32 bytes an iteration, as meshtrace's wipe (mt_wipe_used) */
#pragma clang loop unroll(disable)
        for (int i = 0; i < COPYSCAN_CHUNK / 8; i += 4) {
            if (i * 8 >= len)
                break;
#pragma unroll
            for (int w = 0; w < 4; w++)
                *(volatile __u64 *)&c->words[i + w] = 0;
        }
    }
    skb->cb[0] = (__u32)(lanes ^ (lanes >> 32));
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
