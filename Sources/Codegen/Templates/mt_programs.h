/* ---- mt_programs.h: the tc programs ---- */

static __always_inline int mt_entry(struct __sk_buff *skb, const __u8 direction)
{
	mt_count(MT_COUNTER_PACKETS);
	struct mt_scratch *s = mt_scratch_get();
	if (!s)
		return TC_ACT_OK;
	/* the parser reads its own flags (tunneled, has_*) back: they start at zero */
	__builtin_memset(&s->packet, 0, sizeof(s->packet));

	/* Cheapest rejection first: most packets are not HTTP requests (ACKs, responses,
	 * other protocols), and neither a helper call nor a hash lookup is spent on them. */
	if (mt_parse_packet(skb, s)) {
		mt_count(MT_COUNTER_NOT_ACCEPTED);
		return TC_ACT_OK;
	}
	if (mt_detect_http(skb, s)) {
		mt_count(MT_COUNTER_NOT_HTTP);
		return TC_ACT_OK;
	}
	if (!mt_table_allows(s)) {
		mt_count(MT_COUNTER_FILTERED);
		return TC_ACT_OK;
	}
	/* The packet's arrival at this point, before our own search: the checks above cost
	 * both points of a hop the same few ns, so the hop's latency is unchanged. */
	s->timestamp = bpf_ktime_get_ns();
	/* only the control fields: value rows are rewritten whole by mt_finish before any
	 * event is built from them */
	s->ifindex = skb->ifindex;
	s->direction = direction;
	s->found_mask = 0;
	s->repeat_mask = 0;
	s->done = 0;
	s->truncated = 0;
	MT_UNROLL
	for (int i = 0; i < MT_CONTEXT_SLOTS; i++)
		s->value_len[i] = 0;
	mt_tail(skb, 0);
	return TC_ACT_OK;
}

SEC("tc")
int mt_ingress(struct __sk_buff *skb)
{
	return mt_entry(skb, MT_DIRECTION_INGRESS);
}

SEC("tc")
int mt_egress(struct __sk_buff *skb)
{
	return mt_entry(skb, MT_DIRECTION_EGRESS);
}

#define MT_DEFINE_SEARCH_CHUNK(k) \
	SEC("tc") \
	int mt_search_##k(struct __sk_buff *skb) \
	{ \
		return mt_search_chunk(skb, k); \
	}

SEC("tc")
int mt_finish(struct __sk_buff *skb)
{
	struct mt_scratch *s = mt_scratch_get();
	struct mt_buf *b = mt_buf_get();
	if (!s || !b)
		return TC_ACT_OK;
	if (!s->found_mask) {
		mt_count(MT_COUNTER_NO_CONTEXT);
		return TC_ACT_OK;
	}
	mt_copy_values(skb, s, b);
	mt_wipe(b->tmp, MT_TMP_BYTES);
	mt_submit_event(skb, s);
	return TC_ACT_OK;
}
