/* ---- mt_programs.h: the tc programs ---- */

/* The packet's arrival at this point, before our own search (the checks before it cost both
 * points of a hop the same few ns, so the hop's latency is unchanged), and the search's control
 * fields: value rows are rewritten whole by mt_finish before any event is built from them. */
static __always_inline void mt_entry_start(struct __sk_buff *skb, struct mt_scratch *s, const __u8 direction)
{
	s->timestamp = bpf_ktime_get_ns();
	s->ifindex = skb->ifindex;
	s->direction = direction;
	s->found_mask = 0;
	s->repeat_mask = 0;
	s->done = 0;
	s->truncated = 0;
	MT_UNROLL
	for (int i = 0; i < MT_CONTEXT_SLOTS; i++)
		s->value_len[i] = 0;
}

static __always_inline int mt_entry(struct __sk_buff *skb, const __u8 direction)
{
	struct mt_counts *counts = mt_counts_get();
	mt_count_in(counts, MT_COUNTER_PACKETS);
	struct mt_scratch *s = mt_scratch_get();
	if (!s)
		return TC_ACT_OK;

	/* Cheapest rejection first: most packets are not HTTP requests (ACKs, responses,
	 * other protocols), and neither a helper call nor a hash lookup is spent on them, nor a
	 * store of their headers: the parser notes where they are, and only a packet that goes on
	 * has them read (mt_packet_settle). */
	struct mt_found_headers found;
	if (mt_parse_packet(skb, s, &found)) {
		mt_count_in(counts, MT_COUNTER_NOT_ACCEPTED);
		return TC_ACT_OK;
	}
	/* Not a request's start; with split requests, a TCP segment with payload may go on with a
	 * request held in mt_requests (mt_segments.h): only then, and only while some request is
	 * held, the lookup, so ACKs, responses and everything else stay as cheap as before. */
	const int starts_request = !mt_detect_http(skb, s);
	if (!starts_request && (!MT_SPLIT_REQUESTS || s->payload_end <= s->payload_off || !mt_requests_held())) {
		mt_count_in(counts, MT_COUNTER_NOT_HTTP);
		return TC_ACT_OK;
	}
	/* A request's start meets the tables with only what their keys name read: a filtered flow
	 * pays for its key alone, and the rest of its headers is read for a packet that goes on. */
	if (mt_packet_settle(skb, s, &found, MT_SETTLE_TABLE_KEYS)) {
		mt_count_in(counts, MT_COUNTER_NOT_ACCEPTED);
		return TC_ACT_OK;
	}
	if (starts_request && !mt_table_allows(s)) {
		mt_count_in(counts, MT_COUNTER_FILTERED);
		return TC_ACT_OK;
	}
	if (mt_packet_settle(skb, s, &found, MT_SETTLE_ALL & ~MT_SETTLE_TABLE_KEYS)) {
		mt_count_in(counts, MT_COUNTER_NOT_ACCEPTED);
		return TC_ACT_OK;
	}
	if (!starts_request) {
		/* The timestamp is taken first, as for any searched packet. */
		struct mt_buf *b = mt_buf_get();
		if (!b)
			return TC_ACT_OK;
		mt_entry_start(skb, s, direction);
		if (mt_request_resume(skb, s, b) <= 0) {
			mt_count_in(counts, MT_COUNTER_NOT_HTTP);
			return TC_ACT_OK;
		}
		/* a held request passed the table at its first segment */
		mt_tail(skb, s->done ? MT_CHUNKS : 0);
		return TC_ACT_OK;
	}
	mt_entry_start(skb, s, direction);
	if (mt_request_start(skb, s)) {
		/* its TCP header could not be read again (a paged skb's helper load failed) */
		mt_count_in(counts, MT_COUNTER_NOT_ACCEPTED);
		return TC_ACT_OK;
	}
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
		return mt_search_chunk(skb, k, 0); \
	}

/* chunks 1 .. MT_CHUNKS - 2, one program (mt_chunk.h) */
#define MT_DEFINE_SEARCH_MIDDLE_CHUNKS() \
	SEC("tc") \
	int mt_search_middle(struct __sk_buff *skb) \
	{ \
		return mt_search_chunk(skb, 0, 1); \
	}

/* The request's search ended with this packet: a held request it went on with is let go,
 * and the event is submitted when a context was found. */
static __always_inline void mt_search_ended(struct __sk_buff *skb, struct mt_scratch *s)
{
	if (MT_SPLIT_REQUESTS && s->resumed)
		mt_request_drop(s, MT_COUNTERS); /* nothing to count */
	if (!s->found_mask) {
		mt_count(MT_COUNTER_NO_CONTEXT);
		return;
	}
	if (MT_SPLIT_REQUESTS && !(s->carried_mask | s->stitched_mask))
		s->segment_offset = s->request_off;
	mt_submit_event(skb, s);
}

SEC("tc")
int mt_finish(struct __sk_buff *skb)
{
	struct mt_scratch *s = mt_scratch_get();
	struct mt_buf *b = mt_buf_get();
	if (!s || !b)
		return TC_ACT_OK;
	/* A request that may go on in the flow's next segment has its values measured here, in
	 * the segment that found them; mt_hold decides (in a program of its own: the decision's
	 * code and the values' do not fit one program's budget in every profile). */
	const int may_hold = mt_request_may_hold(s);
	if (may_hold || s->found_mask) {
		mt_copy_values(skb, s, b);
		mt_wipe_tmp(b);
		if (may_hold) {
			mt_tail(skb, MT_HOLD_PROGRAM);
			return TC_ACT_OK;
		}
	}
	mt_search_ended(skb, s);
	return TC_ACT_OK;
}

#if MT_SPLIT_REQUESTS
SEC("tc")
int mt_hold(struct __sk_buff *skb)
{
	struct mt_scratch *s = mt_scratch_get();
	struct mt_buf *b = mt_buf_get();
	if (!s || !b)
		return TC_ACT_OK;
	__u32 carry;
	if (mt_request_goes_on(skb, s, b, &carry))
		mt_request_hold(skb, s, carry);
	else
		mt_search_ended(skb, s);
	return TC_ACT_OK;
}
#endif
