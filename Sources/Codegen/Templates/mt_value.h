/* ---- mt_value.h: the value copy in mt_finish ----
 * Values are copied here, from the skb, so a value that runs past its chunk or
 * past the window is still whole, and the chunks stay small.  Bytes are copied
 * only up to the first CR/LF, the slot's max and the payload end; everything else
 * in the row is zeroed (privacy: nothing of the next header line leaves tmp). */
/* lane (0..7) of the lowest 0x80 lane bit */
static __always_inline __u32 mt_lane_index(__u64 lanes)
{
	__u64 low = lanes & -lanes;
	return (__u32)(((low >> 7) * 0x0001020304050607ULL) >> 56) & 7;
}

/* Takes the value from the n bytes after "name:" in b->tmp (found: else the row is zeroed)
 * into the slot's row. */
static __always_inline void mt_take_value(struct mt_scratch *s, struct mt_buf *b, const __u32 slot, const int max,
					  const int found, __s64 n)
{
	char *row = s->value[slot];
	const __u8 *v = b->tmp;
	__s32 cut = 0;
	int j;

	if (found) {
		/* leading SP / HTAB, counted on two words (exact lanes) */
		__u64 w0 = mt_load64(b->tmp), w1 = mt_load64(b->tmp + 8);
		__u64 v0 = ~(mt_zero_lanes(w0 ^ MT_BCAST(' ')) | mt_zero_lanes(w0 ^ MT_BCAST('\t'))) & MT_HIGH;
		__u64 v1 = ~(mt_zero_lanes(w1 ^ MT_BCAST(' ')) | mt_zero_lanes(w1 ^ MT_BCAST('\t'))) & MT_HIGH;
		/* branch-free (a select here became a backward jump in the layout) */
		__u64 z0 = ((v0 | -v0) >> 63) ^ 1, z1 = ((v1 | -v1) >> 63) ^ 1;
		MT_BARRIER_VAR(z0);
		MT_BARRIER_VAR(z1);
		__u32 ows = mt_lane_index(v0) + 8 * z0 + z0 * (mt_lane_index(v1) + 8 * z1);
		ows &= 31;
		if (ows > MT_OWS_MAX)
			ows = MT_OWS_MAX;
		cut = n - (__s32)ows;
		/* bytes of the value loaded from this packet: tmp past them may hold an earlier slot's */
		const __s32 loaded = cut;
		if (cut > max)
			cut = max;
		if (cut < 0)
			cut = 0;
		v = b->tmp + ows;

		/* first CR / LF in the value's max + 1 bytes: haszero lanes, whose lowest lane is exact */
		__u64 e = 0;
		__u32 ej = 0;
		MT_LOOP
		for (j = 0; j < (max + 8) / 8; j++) {
			__u64 w = mt_load64(v + j * 8);
			e = mt_haszero_lanes(w ^ MT_BCAST('\r')) | mt_haszero_lanes(w ^ MT_BCAST('\n'));
			if (e) {
				ej = j;
				break;
			}
		}
		/* The value is cut when its line does not end within max bytes of this packet: it
		 * goes on, or the payload ends first. */
		__u32 ended = 0;
		if (e) {
			__s32 at = (__s32)(ej * 8 + mt_lane_index(e));
			if (at < cut)
				cut = at;
			ended = at <= max && at < loaded;
		}
		*(volatile __u32 *)&s->cut_mask |= (ended ^ 1) << slot;
	}

	/* Copy the bytes before the cut and zero the rest of the slot's max (rounded
	 * up to 8; a slot not found has cut 0): nothing past the value's line end is
	 * ever stored in the scratch.  Bytes of the row past that are never read (the
	 * event takes max bytes per slot) and are left alone. */
	__u32 full = (__u32)cut >> 3, rem = (__u32)cut & 7;
	MT_LOOP
	for (j = 0; j < (max + 7) / 8; j++) {
		__u64 below = ((__u64)j - full) >> 63; /* j < full, branch-free */
		MT_BARRIER_VAR(below);
		mt_store64(row + j * 8, mt_load64(v + j * 8) & -below);
	}
	__u64 fo = (__u64)full * 8;
	MT_BARRIER_VAR(fo); /* the bound check below must be on this register */
	if (rem && fo <= ((max + 7) / 8) * 8 - 8) {
		__u64 keep = (1ULL << (rem * 8)) - 1;
		mt_store64(row + fo, mt_load64(v + fo) & keep);
	}
	s->value_len[slot] = (__u16)cut;
}

static __always_inline void mt_copy_value(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b,
					  const __u32 slot, const int max)
{
	const int found = (s->found_mask >> slot) & 1;
	__s64 n = 0;

	if (found && MT_SPLIT_REQUESTS && (s->stitched_mask >> slot) & 1) {
		/* its line began in the held segment (mt_segments.h) */
		n = s->stitched_len;
		if (n > MT_OWS_MAX + max + 1)
			n = MT_OWS_MAX + max + 1;
		mt_copy_words(b->tmp, b->stitched, (MT_OWS_MAX + max + 1 + 7) & ~7);
	} else if (found) {
		__u32 voff = s->value_off[slot];
		n = (__s64)(__s32)(s->payload_end - s->payload_off) - (__s64)voff; /* 64-bit: see the chunk load */
		/* one byte past the longest value: it says whether the line goes on (a cut value) */
		if (n > MT_OWS_MAX + max + 1)
			n = MT_OWS_MAX + max + 1;
		MT_BARRIER_VAR(n);
		if (n > 0) {
			MT_BARRIER_VAR(n); /* see the chunk load */
			if (n <= MT_OWS_MAX + max + 1)
				bpf_skb_load_bytes(skb, s->payload_off + voff, b->tmp, n);
		} else {
			n = 0;
		}
	}
	mt_take_value(s, b, slot, max, found, n);
}
