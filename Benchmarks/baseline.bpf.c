/* The baseline meshtrace's benchmarks measure against: a hand-written tc program in the style the
 * paper describes (Eth -> IPv4 -> {VXLAN | IPIP} -> IPv4 -> TCP, then a byte-by-byte search of a
 * fixed window for the trace context, unrolled, no tail calls; results in a hash map keyed by the
 * TCP sequence number). Written for this benchmark, not generated; BASELINE_WINDOW sets the window. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef BASELINE_WINDOW
#define BASELINE_WINDOW 200
#endif

struct trace_record {
    __u64 timestamp;
    __u32 saddr, daddr;
    __u16 sport, dport;
    char traceparent[55];
};

struct window { char bytes[BASELINE_WINDOW + 64]; };

struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct window); } baseline_buffer SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 65536); __type(key, __u32); __type(value, struct trace_record); } baseline_records SEC(".maps");

static __always_inline int ip_header(unsigned char *data, unsigned char *end, __u32 *off, __u8 *proto, __u32 *saddr, __u32 *daddr) {
    unsigned char *ip = data + *off;
    if ((void *)(ip + 20) > (void *)end) return -1;
    __u32 ihl = (ip[0] & 0xf) * 4;
    if (ihl < 20) return -1;
    *proto = ip[9];
    *saddr = *(__u32 *)(ip + 12);
    *daddr = *(__u32 *)(ip + 16);
    *off += ihl;
    return 0;
}

SEC("tc")
int baseline(struct __sk_buff *skb)
{
    unsigned char *data = (unsigned char *)(long)skb->data, *end = (unsigned char *)(long)skb->data_end;
    if ((void *)(data + 14) > (void *)end || data[12] != 0x08 || data[13] != 0x00) return TC_ACT_OK;
    __u32 off = 14, saddr, daddr;
    __u8 proto;
    if (ip_header(data, end, &off, &proto, &saddr, &daddr)) return TC_ACT_OK;
    if (proto == 17) {
        unsigned char *udp = data + off;
        if ((void *)(udp + 8 + 8 + 14) > (void *)end || udp[2] != 0x12 || udp[3] != 0xb5) return TC_ACT_OK;
        off += 8 + 8 + 14;
        if (off > 256 || ip_header(data, end, &off, &proto, &saddr, &daddr)) return TC_ACT_OK;
    } else if (proto == 4) {
        if (off > 256 || ip_header(data, end, &off, &proto, &saddr, &daddr)) return TC_ACT_OK;
    }
    if (proto != 6 || off > 256) return TC_ACT_OK;
    unsigned char *tcp = data + off;
    if ((void *)(tcp + 20) > (void *)end) return TC_ACT_OK;
    __u32 seq = *(__u32 *)(tcp + 4);
    __u16 sport = *(__u16 *)tcp, dport = *(__u16 *)(tcp + 2);
    off += (tcp[12] >> 4) * 4;
    __u32 zero = 0;
    struct window *w = bpf_map_lookup_elem(&baseline_buffer, &zero);
    if (!w) return TC_ACT_OK;
    __builtin_memset(w->bytes + BASELINE_WINDOW, 0, 64);
    if (off > 512 || skb->len <= off) return TC_ACT_OK;
    __s32 len = (__s32)(skb->len - off);
    if (len > BASELINE_WINDOW) len = BASELINE_WINDOW;
    asm volatile("" : "+r"(len));  /* keep the check below on the register the helper gets */
    if (len <= 0 || len > BASELINE_WINDOW || bpf_skb_load_bytes(skb, off, w->bytes, len)) return TC_ACT_OK;
    if (w->bytes[0] != 'G' && w->bytes[0] != 'P' && w->bytes[0] != 'D' && w->bytes[0] != 'H') return TC_ACT_OK;
    /* One 4-byte compare per position ("\ntra"), the rest of the name checked once at the end. */
    int found = -1;
#pragma clang loop unroll(full)
    for (int i = 0; i < BASELINE_WINDOW; i++) {
        if (*(__u32 *)(w->bytes + i) == 0x6172740a) {
            found = i;
            break;
        }
    }
    if (found < 0 || found > BASELINE_WINDOW) return TC_ACT_OK;
    char *name = w->bytes + found + 1;
    if (name[4] != 'e' || name[5] != 'p' || name[6] != 'a' || name[11] != ':') return TC_ACT_OK;
    struct trace_record record = { .timestamp = bpf_ktime_get_ns(), .saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport };
    bpf_skb_load_bytes(skb, off + found + 14, record.traceparent, sizeof(record.traceparent));
    bpf_map_update_elem(&baseline_records, &seq, &record, BPF_ANY);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
