/* Where a real request's payload sits in its skb, at a tc hook: for every TCP packet with
 * payload (VXLAN taken off), whether the skb's linear area holds all of it (a program could read
 * it in place: direct packet access, or bpf_dynptr_slice without a copy), none of it (it is all
 * in page fragments, where either falls back to a copy) or part of it.
 * scripts/payload-linearity attaches it at the four tracing points of the lab's testbed. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

enum linearity_count { PAYLOAD_PACKETS, ALL_LINEAR, NONE_LINEAR, PART_LINEAR, LINEARITY_COUNTS };

/* VXLAN's outer UDP header, its own header and the inner Ethernet header */
#define VXLAN_OVERHEAD (8 + 8 + ETH_HLEN)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LINEARITY_COUNTS);
	__type(key, __u32);
	__type(value, __u64);
} linearity_counts SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 *value = bpf_map_lookup_elem(&linearity_counts, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
}

SEC("tc")
int linearity(struct __sk_buff *skb)
{
	__u32 l3 = ETH_HLEN;
	struct iphdr ip;
	if (skb->protocol != bpf_htons(ETH_P_IP) || bpf_skb_load_bytes(skb, l3, &ip, sizeof(ip)))
		return TC_ACT_OK;
	if (ip.protocol == IPPROTO_UDP) {
		l3 += ip.ihl * 4 + VXLAN_OVERHEAD;
		if (bpf_skb_load_bytes(skb, l3, &ip, sizeof(ip)))
			return TC_ACT_OK;
	}
	if (ip.protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	const __u32 l4 = l3 + ip.ihl * 4;
	struct tcphdr tcp;
	if (bpf_skb_load_bytes(skb, l4, &tcp, sizeof(tcp)))
		return TC_ACT_OK;
	const __u32 payload = l4 + tcp.doff * 4, end = l3 + bpf_ntohs(ip.tot_len);
	if (payload >= end)
		return TC_ACT_OK;
	const __u32 linear = skb->data_end - skb->data;
	count(PAYLOAD_PACKETS);
	count(linear >= end ? ALL_LINEAR : linear <= payload ? NONE_LINEAR : PART_LINEAR);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
