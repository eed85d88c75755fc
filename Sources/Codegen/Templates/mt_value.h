/* ---- mt_value.h: each value's true length and its copy, in mt_finish ----
 * Values are read here, from the skb, so a value that runs past its chunk or past
 * the window is still whole, and the chunks stay small.  A value starts after the
 * colon and up to MT_OWS_MAX SP/HTAB; its line is looked at for MT_LINE_REACH
 * bytes from there.  Its length runs to the line's first CR/LF, trailing SP/HTAB
 * excluded (up to MT_OWS_MAX of them); when no CR/LF is in reach, to what was seen
 * of it, and the slot's past-packet bit (the payload ended first) or past-reach
 * bit (the line goes on) says that the length is only a lower bound.  The copy is
 * the value's first min(length, max) bytes; everything else in the row is zeroed
 * (privacy: nothing of the next header line leaves tmp).  A line begun in a held
 * segment (a stitched value) is measured the same way when the segment that goes on
 * with it arrives, over the stitched line (mt_segments.h), its reach MT_STITCH_REACH:
 * enough to copy any value and tell that it was cut. */
#if MT_LINE_REACH < MT_CONTEXT_VALUE_MAX + 1 || MT_LINE_REACH > 4096
#error "MT_LINE_REACH must exceed every header's maximum (and stay within 4096)"
#endif

/* mt_measure_value's result bits, OR-ed into the masks by slot */
#define MT_VALUE_CUT 1u
#define MT_VALUE_PAST_PACKET 2u
#define MT_VALUE_PAST_REACH 4u

/* lane (0..7) of the lowest 0x80 lane bit */
static __always_inline __u32 mt_lane_index(__u64 lanes)
{
	__u64 low = lanes & -lanes;
	return (__u32)(((low >> 7) * 0x0001020304050607ULL) >> 56) & 7;
}

/* 0x80 in exactly the lanes holding SP or HTAB */
static __always_inline __u64 mt_ows_lanes(__u64 w)
{
	return mt_zero_lanes(w ^ MT_BCAST(' ')) | mt_zero_lanes(w ^ MT_BCAST('\t'));
}

/* SP/HTAB bytes at the top of a word (0..8), branch-free: every lane up to the
 * highest other byte is set by the folds, and the multiply counts them. */
static __always_inline __u32 mt_trailing_ows(__u64 w)
{
	__u64 c = ~mt_ows_lanes(w) & MT_HIGH;
	c |= c >> 8;
	c |= c >> 16;
	c |= c >> 32;
	return 8 - (__u32)((((c >> 7) * 0x0101010101010101ULL) >> 56) & 15);
}

/* One slot's value at v, n bytes of its line loaded there (rest: to the payload's end), its
 * line looked at for reach bytes: its length into value_len, its copy into its row (a slot not
 * found copies nothing and zeroes its row); MT_VALUE_* bits back. */
static __always_inline __u32 mt_measure_at(struct mt_scratch *s, const __u8 *v, __s64 n, __s64 rest, __u32 slot,
					   __u32 max, const __u32 found, const __u32 reach)
{
	char *row = s->value[slot];
	const __u8 *line = v;
	__u32 len = 0, copied = 0, bits = 0;
	int j;

	if (found) {
		/* leading SP / HTAB, counted on two words (exact lanes) */
		__u64 w0 = mt_load64(line), w1 = mt_load64(line + 8);
		__u64 v0 = ~mt_ows_lanes(w0) & MT_HIGH, v1 = ~mt_ows_lanes(w1) & MT_HIGH;
		/* branch-free (a select here became a backward jump in the layout) */
		__u64 z0 = ((v0 | -v0) >> 63) ^ 1, z1 = ((v1 | -v1) >> 63) ^ 1;
		MT_BARRIER_VAR(z0);
		MT_BARRIER_VAR(z1);
		__u32 ows = mt_lane_index(v0) + 8 * z0 + z0 * (mt_lane_index(v1) + 8 * z1);
		ows &= 31;
		if (ows > MT_OWS_MAX)
			ows = MT_OWS_MAX;
		v = line + ows;
		/* bytes of the line in reach, loaded from this packet (the buffer past them
		 * may hold an earlier slot's) */
		__s32 seen = (__s32)n - (__s32)ows;
		if (seen > (__s32)reach)
			seen = reach;
		if (seen < 0)
			seen = 0;

		/* The line's end: the first CR / LF among the seen bytes (haszero lanes,
		 * whose lowest lane is exact).  It goes through map memory: as a register
		 * it would be a different value on each exit of the scan, and the verifier
		 * would walk the rest once per exit. */
		__u32 end = (__u32)seen, ended = 0;
		MT_LOOP
		for (j = 0; j < (reach + 7) / 8; j++) {
			if (j * 8 >= seen)
				break;
			__u64 w = mt_load64(v + j * 8);
			__u64 e = mt_haszero_lanes(w ^ MT_BCAST('\r')) | mt_haszero_lanes(w ^ MT_BCAST('\n'));
			if (e) {
				__u32 at = j * 8 + mt_lane_index(e);
				if (at < (__u32)seen) {
					end = at;
					ended = 1;
				}
				break;
			}
		}
		*(volatile __u16 *)&s->value_len[slot] = (__u16)(end | ended << 15);
		end = *(volatile __u16 *)&s->value_len[slot];
		ended = end >> 15;
		end &= 8191;
		if (end > reach)
			end = reach;

		/* trailing SP / HTAB before the end, word by word from the top; bytes
		 * before the value (skipped OWS, the buffer before it) only ever count as
		 * whitespace, and the count is cut at the value's start */
		__u32 trail = 0, all = 1;
		MT_UNROLL
		for (int k = 1; k <= (MT_OWS_MAX + 7) / 8; k++) {
			__u32 t = mt_trailing_ows(mt_load64(v + end - 8 * k));
			trail += t * all;
			all &= t == 8;
		}
		if (trail > end)
			trail = end;
		len = end - trail;
		copied = len > max ? max : len;
		bits = (len > max ? MT_VALUE_CUT : 0) |
		       (ended ? 0 : (rest - (__s64)ows > (__s64)reach ? MT_VALUE_PAST_REACH : MT_VALUE_PAST_PACKET));
	}

	/* Copy the bytes before the cut and zero the rest of the slot's max (rounded
	 * up to 8; a slot not found copies nothing): nothing past the value is ever
	 * stored in the scratch.  Bytes of the row past that are never read (the
	 * event takes max bytes per slot) and are left alone. */
	__u32 full = copied >> 3, rem = copied & 7;
	MT_LOOP
	for (j = 0; j < (MT_CONTEXT_VALUE_MAX + 7) / 8; j++) {
		if (j * 8 >= max)
			break;
		__u64 below = ((__u64)j - full) >> 63; /* j < full, branch-free */
		MT_BARRIER_VAR(below);
		mt_store64(row + j * 8, mt_load64(v + j * 8) & -below);
	}
	__u64 fo = (__u64)full * 8;
	MT_BARRIER_VAR(fo); /* the bound check below must be on this register */
	if (rem && fo <= MT_VALUE_STRIDE - 8) {
		__u64 keep = (1ULL << (rem * 8)) - 1;
		mt_store64(row + fo, mt_load64(v + fo) & keep);
	}
	s->value_len[slot] = (__u16)len;
	return bits;
}

/* Bytes of a value's line loaded first (mt_measure_value): a space, a 55-byte traceparent or any
 * B3 value and CR LF fit; a longer line takes a second load. */
#define MT_VALUE_PEEK 64
#if MT_VALUE_PEEK > MT_OWS_MAX + MT_LINE_REACH
#error "MT_VALUE_PEEK must be within a value's reach"
#endif

/* Loads min(rest, most) bytes at skb offset off into tmp; returns how many (0 when rest <= 0). */
static __always_inline __s64 mt_load_value(struct __sk_buff *skb, __u32 off, struct mt_buf *b, __s64 rest, const __s64 most)
{
	__s64 n = rest;
	if (n > most)
		n = most;
	MT_BARRIER_VAR(n);
	if (n > 0) {
		MT_BARRIER_VAR(n); /* see the chunk load */
		if (n <= most)
			bpf_skb_load_bytes(skb, off, b->tmp, n);
		return n;
	}
	return 0;
}

/* The peek: MT_VALUE_PEEK bytes into tmp, a word at a time from the linear packet when it holds
 * them (loads, where the helper is a call and a copy: mt_packet_bytes), else by mt_load_value
 * (also where the payload ends sooner). */
static __always_inline __s64 mt_peek_value(struct __sk_buff *skb, __u32 off, struct mt_buf *b, __s64 rest)
{
	if (rest >= MT_VALUE_PEEK) {
		const __u8 *p = mt_packet_bytes(skb, off, b->tmp, MT_VALUE_PEEK);
		if (p) {
			/* from the packet; when the helper filled tmp instead, a copy onto itself */
			MT_UNROLL
			for (int j = 0; j < MT_VALUE_PEEK / 8; j++)
				mt_store64(b->tmp + j * 8, mt_load64(p + j * 8));
			return MT_VALUE_PEEK;
		}
	}
	return mt_load_value(skb, off, b, rest, MT_VALUE_PEEK);
}

/* 1 when the MT_VALUE_PEEK bytes at p hold a LF: the cheap haszero form, exact as "some lane
 * is zero", on whole words (the peek was loaded whole).  A LF in the peek puts the line's end
 * (its first CR or LF) in it too; a line with only a CR in the peek takes the longer load, and
 * is measured the same.  Half the compares of a CR-or-LF test: 2 % of a fixed 200 B request. */
static __always_inline int mt_peek_has_line_end(const __u8 *p)
{
	__u64 any = 0;
	MT_UNROLL
	for (int j = 0; j < MT_VALUE_PEEK / 8; j++)
		any |= mt_haszero_lanes(mt_load64(p + j * 8) ^ MT_BCAST('\n'));
	return any != 0;
}

/* One slot, from the skb: its line loaded into tmp.  Not inlined: one body for every slot
 * keeps mt_finish's size independent of the number of headers (the verifier still walks it
 * per call, with that call's max). */
static __attribute__((noinline)) __u32 mt_measure_value(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b,
							 __u32 slot, __u32 max)
{
	if (slot >= MT_CONTEXT_SLOTS || max > MT_CONTEXT_VALUE_MAX)
		return 0;
	const __u32 found = (s->found_mask >> slot) & 1;
	__s64 n = 0, rest = 0;
	if (found) {
		__u32 voff = s->value_off[slot];
		/* 64-bit: see the chunk load */
		rest = (__s64)(__s32)(s->payload_end - s->payload_off) - (__s64)voff;
		/* First MT_VALUE_PEEK bytes, where almost every context line ends; the whole reach only
		 * for a line that goes on past them (measured the same either way: the scan stops at
		 * the first CR/LF). */
		n = mt_peek_value(skb, s->payload_off + voff, b, rest);
		if (n == MT_VALUE_PEEK && !mt_peek_has_line_end(b->tmp))
			n = mt_load_value(skb, s->payload_off + voff, b, rest, MT_OWS_MAX + MT_LINE_REACH);
		if (b->tmp_used < n)
			b->tmp_used = n;
	}
	return mt_measure_at(s, b->tmp, n, rest, slot, max, found, MT_LINE_REACH);
}

/* A slot not found: its row's first round8(max) bytes zeroed (what mt_measure_value would
 * write for it, without the call), for rows of up to MT_INLINE_ZERO_BYTES (B3 ids and flags);
 * a longer row is zeroed by mt_measure_value's one body, so mt_finish's size stays within the
 * budget. */
#define MT_INLINE_ZERO_BYTES 32
#define MT__UNFOUND_ROW(slot, max) \
	do { \
		mt_wipe((__u8 *)s->value[slot], ((max) + 7) & ~7); \
		s->value_len[slot] = 0; \
	} while (0)

/* Every slot's value; the masks are mt_finish's alone and set here whole. */
static __always_inline void mt_copy_values(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b)
{
	const __u32 kept = MT_SPLIT_REQUESTS ? s->carried_mask : 0;
	const __u32 found = s->found_mask;
	__u32 cut = s->cut_mask & kept, past_packet = s->past_packet_mask & kept, past_reach = s->past_reach_mask & kept;
	__u32 bits;
#define MT__MEASURE(slot, name, len, max) \
	bits = 0; \
	if (!(kept & (1u << (slot)))) { \
		if ((found & (1u << (slot))) || (max) > MT_INLINE_ZERO_BYTES) \
			bits = mt_measure_value(skb, s, b, slot, max); \
		else \
			MT__UNFOUND_ROW(slot, max); \
	} \
	cut |= (bits & MT_VALUE_CUT) << (slot); \
	past_packet |= ((bits & MT_VALUE_PAST_PACKET) >> 1) << (slot); \
	past_reach |= ((bits & MT_VALUE_PAST_REACH) >> 2) << (slot);
	MT_CONTEXT_HEADERS(MT__MEASURE)
#undef MT__MEASURE
	s->cut_mask = cut;
	s->past_packet_mask = past_packet;
	s->past_reach_mask = past_reach;
}
#undef MT__UNFOUND_ROW

/* Zeroes what the measures wrote to tmp (b->tmp_used bytes: most values need a few words). */
static __always_inline void mt_wipe_tmp(struct mt_buf *b)
{
	mt_wipe_used(b->tmp, MT_TMP_BYTES, b->tmp_used);
	b->tmp_used = 0;
}
