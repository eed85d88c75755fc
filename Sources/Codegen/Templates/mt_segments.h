/* ---- mt_segments.h: requests whose header block goes on in the flow's next segments ----
 * A packet whose payload ends inside the window before the block's blank line (truncated),
 * without FIN or RST, holds its request in mt_requests, keyed by the inner 5-tuple and the
 * tracing point (a node's two points see the same segments): the seq it expects next, the seq of the request's first byte, the request bytes searched, what was
 * found (masks and values) and, when the last line is cut by the segment's end and may be a
 * context line (a prefix of some "name:"), that partial line (at most MT_CARRY_BYTES; nothing
 * of any other header is kept).  The flow's next segment, when it starts at that seq, goes on
 * with the search (mt_entry looks it up only for a TCP segment with payload that is no request's
 * start, and only while mt_held counts a held request: ACKs, responses and new requests cost no
 * lookup): first the partial line, stitched with this segment's first bytes (a value it starts is
 * measured there), then its own lines.  Whether the request goes on, and holding it, is mt_hold's.  The event, when the search ends, carries the
 * request's first-byte seq, so both points key a request alike whichever segment held the
 * context and whether or not either saw the segments coalesced.  A held request is dropped,
 * counted, on the flow's FIN or RST, on a segment at another seq (a gap or a retransmission)
 * and when its next segment comes more than MT_REQUEST_TIMEOUT_NS after it. */

#if MT_SPLIT_REQUESTS
#define MT_TCP_FIN 0x01
#define MT_TCP_RST 0x04
#define MT_CARRY_WORDS (MT_CARRY_BYTES / 8)

struct mt_request {
	__u64 last_seen;                  /* timestamp of the held segment */
	__u32 next_seq;
	__u32 request_seq;
	__u32 searched;                   /* request bytes before the next segment */
	__u32 held_off;                   /* request offset of the held segment */
	__u32 segment_offset;
	__u32 found_mask;
	__u32 cut_mask;
	__u32 repeat_mask;
	__u32 past_packet_mask;
	__u32 past_reach_mask;
	__u16 value_len[MT_CONTEXT_SLOTS];
	__u16 carry_len;                  /* bytes of the partial line in carry */
	__u8 line_start;                  /* the held segment ended with its line: the next starts one */
	char value[MT_CONTEXT_SLOTS][MT_VALUE_STRIDE] __attribute__((aligned(8)));
	__u8 carry[MT_CARRY_BYTES] __attribute__((aligned(8)));
};

/* A flow at one tracing point: the two points of a node see the same segments, each its own way. */
struct mt_request_key {
	struct mt_tuple inner;
	__u32 ifindex;
	__u32 direction;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MT_REQUEST_FLOWS);
	__type(key, struct mt_request_key);
	__type(value, struct mt_request);
} mt_requests SEC(".maps");

/* Requests held now, at every point: a new one counts in (mt_request_hold), a deleted one out
 * (mt_request_drop).  The LRU's own evictions go uncounted, so it may count high, never low:
 * while it is 0, a TCP segment that is no request's start is not looked up (mt_entry). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} mt_held SEC(".maps");

#define MT_EEXIST 17

static __always_inline __u64 *mt_held_count(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&mt_held, &zero);
}

/* 1 when some request may be held (mt_entry's cheap check before the flow's lookup). */
static __always_inline int mt_requests_held(void)
{
	__u64 *held = mt_held_count();
	return held && *held;
}

/* A held request is built here before it is stored: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_request);
} mt_request_stage SEC(".maps");

/* Loads n payload bytes (at most MT_CARRY_BYTES) from skb offset off; returns how many. */
static __always_inline __s64 mt_load_carry(struct __sk_buff *skb, __u32 off, __u8 *dst, __s64 n)
{
	if (n > MT_CARRY_BYTES)
		n = MT_CARRY_BYTES;
	MT_BARRIER_VAR(n); /* see the chunk load */
	if (n > 0) {
		MT_BARRIER_VAR(n);
		if (n <= MT_CARRY_BYTES)
			bpf_skb_load_bytes(skb, off, dst, n);
		return n;
	}
	return 0;
}

/* The packet's TCP sequence number and flags, and the request it starts. */
static __always_inline int mt_tcp_facts(struct __sk_buff *skb, struct mt_scratch *s)
{
	__u8 buf[16];
	const __u8 *h = mt_packet_bytes(skb, s->packet.l4_off, buf, sizeof(buf));
	if (!h)
		return -1;
	s->seq = ((__u32)h[4] << 24) | ((__u32)h[5] << 16) | ((__u32)h[6] << 8) | (__u32)h[7];
	s->tcp_flags = h[13];
	s->request_seq = s->seq;
	s->request_off = 0;
	s->segment_offset = 0;
	s->carried_mask = 0;
	s->stitched_mask = 0;
	s->resumed = 0;
	s->line_start = 0;
	return 0;
}

/* At entry, for a request's first segment: its TCP facts (mt_hold may hold it). */
static __always_inline int mt_request_start(struct __sk_buff *skb, struct mt_scratch *s)
{
	return mt_tcp_facts(skb, s);
}

static __always_inline void mt_request_key(struct mt_scratch *s, struct mt_request_key *key)
{
	key->inner = s->packet.inner;
	key->ifindex = s->ifindex;
	key->direction = s->direction;
}

static __always_inline void mt_request_drop(struct mt_scratch *s, const __u32 counter)
{
	struct mt_request_key key;
	mt_request_key(s, &key);
	if (bpf_map_delete_elem(&mt_requests, &key) == 0) {
		__u64 *held = mt_held_count();
		if (held)
			__sync_fetch_and_sub(held, 1);
	}
	if (counter < MT_COUNTERS)
		mt_count(counter);
}

/* 1 when "name:" may begin with the pl bytes at q (case-insensitively, as mt_name_eq).
 * A word at a time (the literal's words and case folds are constants), and branch-free:
 * a branch per byte or word would split the verifier's states. */
static __always_inline __u64 mt_may_begin(const __u8 *q, __u64 pl, const char *lit, const int n)
{
	__u64 bad = 0;
	MT_UNROLL
	for (int w = 0; w < (n + 7) / 8; w++) {
		__u64 lw = 0, fold = 0, within = 0;
		MT_UNROLL
		for (int i = 0; i < 8; i++) {
			if (w * 8 + i < n) {
				__u8 l = (__u8)lit[w * 8 + i];
				lw |= (__u64)l << (8 * i);
				fold |= (__u64)(MT_IS_ALPHA(l) ? 0x20 : 0) << (8 * i);
				within |= 0xffULL << (8 * i);
			}
		}
		__u64 below = mt_lanes_below((__s64)pl - w * 8);
		__u64 x = (mt_load64(q + w * 8) | fold) ^ lw;
		MT_BARRIER_VAR(x);
		bad |= x & below & within;
	}
	MT_BARRIER_VAR(bad);
	return ((bad | -bad) >> 63) ^ 1;
}

/* 1 when the partial line at q (pl bytes) may be a context or a leading line. */
static __always_inline __u64 mt_may_be_context(const __u8 *q, __u64 pl)
{
	__u64 any = 0;
#define MT__MAY(slot, name, len, max) any |= mt_may_begin(q, pl, name ":", (len) + 1);
	MT_CONTEXT_HEADERS(MT__MAY)
#undef MT__MAY
#define MT__LEAD_MAY(name, len) any |= mt_may_begin(q, pl, name ":", (len) + 1);
	MT_LEADING_LINES(MT__LEAD_MAY)
#undef MT__LEAD_MAY
	return any;
}

/* A stitched value, measured over the stitched line (mt_buf.line: s->stitch_held bytes of the
 * held segment, then this segment's first ones) from skip, the byte after its "name:".  Not
 * inlined, as mt_measure_value. */
static __attribute__((noinline)) __u32 mt_measure_stitched(struct mt_scratch *s, struct mt_buf *b, __u32 slot, __u32 max,
							    __u32 skip)
{
	if (slot >= MT_CONTEXT_SLOTS || max > MT_CONTEXT_VALUE_MAX || skip > MT_NAMECOLON_MAX)
		return 0;
	__s64 held = s->stitch_held;
	if (held > MT_CARRY_BYTES)
		held = MT_CARRY_BYTES;
	__s64 plen = (__s64)(__s32)(s->payload_end - s->payload_off);
	__s64 loaded = plen < MT_CARRY_BYTES ? plen : MT_CARRY_BYTES; /* as mt_load_carry */
	if (loaded < 0)
		loaded = 0;
	return mt_measure_at(s, b->line + skip, held + loaded - (__s64)skip, held + plen - (__s64)skip, slot, max, 1,
			     MT_STITCH_REACH);
}

/* The partial line of a held request, stitched with this segment's first bytes, classified
 * as mt_search_chunk would.  A context value it starts is measured here, from the stitched
 * line, and kept as the held request's are.  1 = the search ends at that line. */
static __always_inline int mt_request_stitch(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b,
					     const struct mt_request *r)
{
	__u32 c = r->carry_len;
	if (!c || c > MT_CARRY_BYTES)
		return 0;
	mt_copy_words(b->line, r->carry, MT_CARRY_BYTES);
	mt_load_carry(skb, s->payload_off, b->line + c, (__s64)(__s32)(s->payload_end - s->payload_off));
	__u32 before = *(volatile __u32 *)&s->found_mask;
	int done = mt_classify(b, b->line, s, 0);
	__u32 fresh = *(volatile __u32 *)&s->found_mask & ~before;
	if (fresh) {
		/* where the value starts in the stitched line: after "name:" */
		__u32 skip = (*(volatile __u32 *)&b->hit >> 8) & 511;
		__u32 bits = 0;
		s->stitch_held = c;
#define MT__STITCHED(slot, name, len, max) \
		if (fresh & (1u << (slot))) \
			bits = mt_measure_stitched(s, b, slot, max, skip) << (slot);
		MT_CONTEXT_HEADERS(MT__STITCHED)
#undef MT__STITCHED
		s->cut_mask = (s->cut_mask & ~fresh) | (bits & fresh);
		s->past_packet_mask = (s->past_packet_mask & ~fresh) | ((bits >> 1) & fresh);
		s->past_reach_mask = (s->past_reach_mask & ~fresh) | ((bits >> 2) & fresh);
		s->stitched_mask = fresh;
		s->carried_mask |= fresh;
		if (!before)
			s->segment_offset = r->held_off;
	}
	mt_wipe(b->line, 2 * MT_CARRY_BYTES);
	return done;
}

/* At entry, for a TCP segment with payload that is no request's start: 1 when it goes on with a
 * held request (its state now in s; the search goes on at chunk 0, or ends at the stitched line:
 * s->done), else 0 (no held request, or a gap, a timeout), -1 (an RST, which drops it), the
 * segment not searched.  A bare FIN or RST is not looked up: the request it leaves goes with
 * the timeout, the next request's gap or the LRU. */
static __always_inline int mt_request_resume(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b)
{
	if (mt_tcp_facts(skb, s))
		return -1;
	struct mt_request_key key;
	mt_request_key(s, &key);
	struct mt_request *r = bpf_map_lookup_elem(&mt_requests, &key);
	if (!r)
		return 0;
	if (s->tcp_flags & MT_TCP_RST) {
		mt_request_drop(s, MT_COUNTER_REQUESTS_CLOSED);
		return -1;
	}
	if (s->timestamp - r->last_seen > MT_REQUEST_TIMEOUT_NS) {
		mt_request_drop(s, MT_COUNTER_REQUESTS_TIMED_OUT);
		return 0;
	}
	if (s->seq != r->next_seq) {
		mt_request_drop(s, MT_COUNTER_REQUESTS_GAP);
		return 0;
	}
	s->request_seq = r->request_seq;
	s->request_off = r->searched;
	s->segment_offset = r->segment_offset;
	s->found_mask = r->found_mask;
	s->cut_mask = r->cut_mask;
	s->repeat_mask = r->repeat_mask;
	s->past_packet_mask = r->past_packet_mask;
	s->past_reach_mask = r->past_reach_mask;
	s->carried_mask = r->found_mask;
	s->line_start = r->line_start;
	s->resumed = 1;
	MT_UNROLL
	for (int i = 0; i < MT_CONTEXT_SLOTS; i++)
		s->value_len[i] = r->value_len[i];
#define MT__RESTORE(slot, name, len, max) mt_copy_words(s->value[slot], r->value[slot], ((max) + 7) & ~7);
	MT_CONTEXT_HEADERS(MT__RESTORE)
#undef MT__RESTORE
	mt_count(MT_COUNTER_SEGMENTS_RESUMED);
	if (mt_request_stitch(skb, s, b, r))
		s->done = 1;
	return 1;
}

/* In mt_finish: the search ended inside the window before the block's blank line, in a segment
 * that neither closes nor resets the flow: the request may go on (mt_hold decides). */
static __always_inline int mt_request_may_hold(const struct mt_scratch *s)
{
	return s->truncated && !(s->tcp_flags & (MT_TCP_FIN | MT_TCP_RST)) &&
	       s->request_off + (s->payload_end - s->payload_off) < MT_WINDOW_BYTES;
}

/* In mt_hold, after the values are copied: 1 when the request goes on in the flow's next
 * segment.  Then the partial last line, when it may be a context line, is left to the next
 * segment (its slot, found here, is un-found) and its length returned in *carry. */
static __always_inline int mt_request_goes_on(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b, __u32 *carry)
{
	__u32 plen = s->payload_end - s->payload_off;
	*carry = 0;
	/* the last MT_CARRY_BYTES of the payload: the partial line is what follows their last '\n' */
	__u32 tail = plen < MT_CARRY_BYTES ? plen : MT_CARRY_BYTES;
	__s64 t = mt_load_carry(skb, s->payload_off + plen - tail, b->line, tail);
	__s64 last = -1; /* index of the last '\n' */
	MT_LOOP
	for (int j = 0; j < MT_CARRY_WORDS; j++) {
		__u64 nl = mt_zero_lanes(mt_load64(b->line + j * 8) ^ MT_BCAST('\n'));
		/* lanes up to the highest newline: their count is its lane + 1 */
		__u64 h = nl | (nl >> 8);
		h |= h >> 16;
		h |= h >> 32;
		__s64 at = (__s64)(j * 8) + (__s64)mt_popcount(h & MT_HIGH) - 1;
		__u64 any = (nl | -nl) >> 63;
		MT_BARRIER_VAR(any);
		last = (at & -(__s64)any) | (last & ((__s64)any - 1));
	}
	__u32 pl = (__u32)(t - 1 - last) & 0xffff;
	__u32 q = (__u32)(last + 1);
	s->line_start = last == t - 1;
	/* no partial line, or one longer than any context line needs; else one that may be a
	 * context line, or (fixed placement) any other, which ends the context block */
	__u64 may = last >= 0 && pl && q < MT_CARRY_BYTES ? mt_may_be_context(b->line + q, pl) : 2;
	mt_wipe(b->line, MT_CARRY_BYTES);
	if (may != 1)
		return may == 2 || MT_PLACEMENT_ANYWHERE;
	__u32 start = plen - pl;
	__u32 unfound = 0;
	MT_UNROLL
	for (int i = 0; i < MT_CONTEXT_SLOTS; i++) /* value_off > start, branch-free */
		unfound |= (__u32)((((__u64)start - (__u64)s->value_off[i]) >> 63) << i);
	MT_BARRIER_VAR(unfound);
	*(volatile __u32 *)&s->found_mask &= ~(unfound & ~(s->carried_mask | s->stitched_mask));
	*carry = pl;
	return 1;
}

/* In mt_hold: stores the held request (the values its segments found, measured in them). */
static __always_inline void mt_request_hold(struct __sk_buff *skb, struct mt_scratch *s, const __u32 carry)
{
	__u32 zero = 0;
	struct mt_request *r = bpf_map_lookup_elem(&mt_request_stage, &zero);
	if (!r)
		return;
	__u32 plen = s->payload_end - s->payload_off;
	mt_wipe(r->carry, sizeof(r->carry));
	mt_load_carry(skb, s->payload_off + plen - carry, r->carry, carry);
	r->carry_len = (__u16)carry;
	r->last_seen = s->timestamp;
	r->next_seq = s->seq + plen;
	r->request_seq = s->request_seq;
	r->searched = s->request_off + plen;
	r->held_off = s->request_off;
	r->segment_offset = s->found_mask && !(s->carried_mask | s->stitched_mask) ? s->request_off : s->segment_offset;
	/* the bits of found values only: a slot un-found by mt_request_goes_on was measured too */
	r->found_mask = s->found_mask;
	r->cut_mask = s->cut_mask & s->found_mask;
	r->repeat_mask = s->repeat_mask;
	r->past_packet_mask = s->past_packet_mask & s->found_mask;
	r->past_reach_mask = s->past_reach_mask & s->found_mask;
	r->line_start = s->line_start;
	MT_UNROLL
	for (int i = 0; i < MT_CONTEXT_SLOTS; i++)
		r->value_len[i] = s->value_len[i];
	/* each row's first round8(max) bytes: mt_finish writes no more (mt_core.h) */
#define MT__STORE(slot, name, len, max) mt_copy_words(r->value[slot], s->value[slot], ((max) + 7) & ~7);
	MT_CONTEXT_HEADERS(MT__STORE)
#undef MT__STORE
	struct mt_request_key key;
	mt_request_key(s, &key);
	/* a new flow counts in; a request going on from its held segment replaces its own entry */
	long stored = bpf_map_update_elem(&mt_requests, &key, r, BPF_NOEXIST);
	if (stored == -MT_EEXIST) {
		bpf_map_update_elem(&mt_requests, &key, r, BPF_EXIST);
	} else if (stored == 0) {
		__u64 *held = mt_held_count();
		if (held)
			__sync_fetch_and_add(held, 1);
	}
	mt_count(MT_COUNTER_SEGMENTS_HELD);
}
#else
/* Each packet is searched on its own (the record has no .segment to key a split request on). */
static __always_inline int mt_request_start(struct __sk_buff *skb, struct mt_scratch *s)
{
	return 0;
}

static __always_inline int mt_request_resume(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b)
{
	return 0;
}

static __always_inline int mt_request_may_hold(const struct mt_scratch *s)
{
	return 0;
}

static __always_inline int mt_requests_held(void)
{
	return 0;
}

static __always_inline void mt_request_drop(struct mt_scratch *s, const __u32 counter)
{
}
#endif
