/* A floor of meshtrace-bench: the least a traced request costs, the clock read and one ring-buffer
 * record of EVENT_BYTES (the measured spec's event size) reserved, stamped and submitted without
 * a wakeup, as meshtrace's programs submit theirs, and no parsing or search at all. meshtrace-bench
 * drains the ring between batches, as it does for meshtrace's own objects. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef EVENT_BYTES
#error "meshtrace-bench passes EVENT_BYTES, the event record's size"
#endif

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 20);
} events SEC(".maps");

SEC("tc")
int eventfloor(struct __sk_buff *skb)
{
    __u64 timestamp = bpf_ktime_get_ns();
    __u64 *record = bpf_ringbuf_reserve(&events, EVENT_BYTES, 0);
    if (!record)
        return TC_ACT_SHOT; /* a full ring: meshtrace-bench refuses the run */
    record[0] = timestamp;
    bpf_ringbuf_submit(record, BPF_RB_NO_WAKEUP);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
