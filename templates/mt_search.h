/* ---- mt_search.h: HTTP detection, chunk scan, value copy ---- */

/* ---- HTTP detection: one 8-byte load, one masked compare per method ---- */
static __always_inline int mt_detect_http(struct __sk_buff *skb, struct mt_scratch *s)
{
	__u64 w = 0;

	if (s->payload_end < s->payload_off || s->payload_end - s->payload_off < 8)
		return -1;
	if (bpf_skb_load_bytes(skb, s->payload_off, &w, 8))
		return -1;
#if MT_HTTP_REQUESTS
#define MT__METHOD(name, len) \
	if (mt_keep_bytes(w, (len) + 1) == mt_lit_word(name " ", (len) + 1)) \
		return 0;
	MT_HTTP_METHODS(MT__METHOD)
#undef MT__METHOD
#endif
#if MT_HTTP_RESPONSES
	if (mt_keep_bytes(w, 7) == mt_lit_word("HTTP/1.", 7)) {
		s->is_response = 1;
		return 0;
	}
#endif
	return -1;
}

/* ---- phase 1: newline scan, 8 bytes per step ----
 *
 * Chunk k owns the line starts at payload offsets [k*C, k*C + C) within the window.
 * Its buffer holds payload[k*C - 1 ...] (chunk 0: a 0 byte, then payload[0 ...]),
 * so data[x] is a newline exactly when a line starts at buffer index x + 1; word i
 * covers exactly the newlines of line starts k*C + 8i .. +7.  The bytes after the
 * chunk (longest "name:") are loaded too, for the compare: chunks overlap by one
 * byte before and MT_NAMECOLON_MAX after, and no state crosses a chunk boundary.
 * Bytes past the payload end are zero (the buffer is wiped after every use), so
 * they hold no newline: only the window end needs a lane mask, known at compile
 * time (last word of the last chunk).
 *
 * A word without '\n' costs ~10 instructions.  A word with one classifies all its
 * line starts at once, as lane masks:
 *   end:       the line starts with a control byte (CR/LF: the blank line; any other
 *              byte with (b & 0x60) == 0 cannot start a header name either)
 *   candidate: its first character(s) may start a context name (a filter)
 *   fixed placement: any other line start ends the search as well.
 * Candidates below the first end are recorded (bit per word + lane mask per word)
 * and compared in full in phase 2, so the expensive compare is in the code once per
 * candidate slot, not once per word.
 *
 * Newline lanes use the cheap haszero form; its only false lane is a '\v' right
 * after a '\n', and the line of that '\n' starts with a control byte, i.e. an end
 * below it, which masks it. */

static __always_inline __u64 mt_haszero_lanes(__u64 v)
{
	return (v - MT_BCAST(1)) & ~v & MT_HIGH;
}

/* lanes (of the bytes after each lane) that start with a control byte */
static __always_inline __u64 mt_ctl_lanes(__u64 s1)
{
	return ~((s1 & MT_BCAST(0x60)) + MT_LOW7);
}

#if MT_PREFIX_CHARS == 1
/* First character of each name, case-insensitive (names sharing it share the
 * compare: clang merges identical expressions). */
static __always_inline __u64 mt_prefix_lanes(const __u8 *d, __u64 s1)
{
	__u64 m = 0, l1 = s1 | MT_BCAST(0x20);
#define MT__FIRST(slot, name, len, max) m |= mt_haszero_lanes(l1 ^ MT_BCAST((__u8)(name)[0] | 0x20));
	MT_CONTEXT_HEADERS(MT__FIRST)
#undef MT__FIRST
	return m;
}
#elif MT_PREFIX_CHARS <= 0
/* One masked compare for all names: keep the bits on which the names' first
 * characters (case folded) agree.  Folds to two constants. */
static __always_inline __u64 mt_prefix_lanes(const __u8 *d, __u64 s1)
{
	__u32 all_and = 0xff, all_or = 0;
#define MT__FIRST(slot, name, len, max) \
	all_and &= (__u8)(name)[0] | 0x20; \
	all_or |= (__u8)(name)[0] | 0x20;
	MT_CONTEXT_HEADERS(MT__FIRST)
#undef MT__FIRST
	__u8 mask = (__u8)~(all_and ^ all_or) & (__u8)~0x20;
	__u8 want = (__u8)all_and & mask;
	return mt_haszero_lanes((s1 & MT_BCAST(mask)) ^ MT_BCAST(want));
}
#else
/* lanes whose byte equals c case-insensitively (filter only: may over-match) */
static __always_inline __u64 mt_char_lanes(__u64 lowered, const char *name, const int len, const int c)
{
	if (c < len)
		return mt_haszero_lanes(lowered ^ MT_BCAST((__u8)name[c] | 0x20));
	if (c == len)
		return mt_haszero_lanes(lowered ^ MT_BCAST(':'));
	return MT_HIGH;
}

/* the first MT_PREFIX_CHARS characters of each name, exact per name */
static __always_inline __u64 mt_prefix_lanes(const __u8 *d, __u64 s1)
{
	__u64 m = 0;
	__u64 l1 = s1 | MT_BCAST(0x20);
	__u64 l2 = mt_load64(d + 2) | MT_BCAST(0x20);
#if MT_PREFIX_CHARS >= 3
	__u64 l3 = mt_load64(d + 3) | MT_BCAST(0x20);
#define MT__PREFIX(slot, name, len, max) \
	m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l2, name, len, 1) & mt_char_lanes(l3, name, len, 2);
#else
#define MT__PREFIX(slot, name, len, max) \
	m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l2, name, len, 1);
#endif
	MT_CONTEXT_HEADERS(MT__PREFIX)
#undef MT__PREFIX
	return m;
}
#endif

/* 0 = go on, 1 = the search ends in this word, 2 = past the data.
 * nwords/lastmask: words of this chunk inside the window and the lanes of the
 * last one inside it (constants per chunk).  runwords: words holding payload
 * (loops profiles stop there; unrolled runs through the zeros instead of paying
 * a compare per word). */
static __always_inline int mt_scan_word(struct mt_buf *b, __u32 i, const __u32 nwords, const __u64 lastmask,
					__u32 runwords)
{
#if !defined(MT_PROFILE_UNROLLED)
	if (i >= runwords || i >= nwords || i >= MT_WORDS)
		return 2;
#endif
	const __u8 *d = b->data + i * 8;
	__u64 nl = mt_haszero_lanes(mt_load64(d) ^ MT_BCAST('\n'));
	if (!nl)
		return 0;
#if defined(MT_PROFILE_UNROLLED)
	if (i == nwords - 1) /* compile-time */
		nl &= lastmask;
#else
	/* Branch-free from here on: in a bounded loop every branch is one more
	 * verifier state per iteration. */
	__u64 last = (((__u64)i ^ (nwords - 1)) - 1) >> 63; /* 1 on the last word */
	MT_BARRIER_VAR(last);
	nl &= lastmask | (last - 1);
#endif
	__u64 s1 = mt_load64(d + 1);
	__u64 end = nl & mt_ctl_lanes(s1);
	__u64 cand = nl & ~end & mt_prefix_lanes(d, s1);
	__u64 stop = end;
#if !MT_PLACEMENT_ANYWHERE
	stop = nl & ~cand;
#endif
	cand &= (stop & -stop) - 1; /* candidates below the first stop (all if none) */
	b->candmask[i] = cand;
	/* The bitmap goes through map memory (volatile), never a register: the
	 * verifier would track an OR of constants exactly, one state per subset. */
#if defined(MT_PROFILE_UNROLLED)
	if (cand)
		*(volatile __u64 *)&b->wordbits[i / 64] |= 1ULL << (i % 64);
#else
	__u64 any = (cand | -cand) >> 63;
	MT_BARRIER_VAR(any);
	*(volatile __u64 *)&b->wordbits[i / 64] |= any << (i % 64);
#endif
	return stop ? 1 : 0;
}

/* ---- phase 2: full compare of one candidate ---- */

/* q = the line's first byte, ls = its payload offset.  1 = search done. */
static __always_inline int mt_classify(struct mt_buf *b, const __u8 *q, struct mt_scratch *s, __s32 ls)
{
	/* One compare chain, one record block.  The matching slot goes through map
	 * memory: as a register it would be a different constant on each match path
	 * and the verifier would walk the rest of the chunk once per slot. */
	if (0) {
	}
#define MT__MATCH(slot_, name, len, max) \
	else if (mt_name_eq(q, name ":", (len) + 1)) \
		*(volatile __u32 *)&b->hit = (slot_) | (((len) + 1) << 8);
	MT_CONTEXT_HEADERS(MT__MATCH)
#undef MT__MATCH
	else {
		/* fixed placement: the first non-context header line ends the context block */
		return MT_PLACEMENT_ANYWHERE ? 0 : 1;
	}
	__u32 hit = *(volatile __u32 *)&b->hit;
	__u32 slot = hit & 31;
	__u32 skip = (hit >> 8) & 511;
	if (slot >= MT_CONTEXT_SLOTS)
		return 1;
	__u32 bit = 1u << slot;
	/* volatile: a cached found_mask would carry per-path known bits into the next
	 * candidate and multiply the verifier's states */
	__u32 found = *(volatile __u32 *)&s->found_mask;
	/* first occurrence wins; branch-free select */
	__u32 seen = (__u32)-(__s32)((found >> slot) & 1);
	MT_BARRIER_VAR(seen);
	__u32 old = s->value_off[slot];
	s->value_off[slot] = (old & seen) | ((__u32)(ls + (__s32)skip) & ~seen);
	found |= bit;
	*(volatile __u32 *)&s->found_mask = found;
	return found == MT_ALL_SLOTS;
}

/* index of the lowest set bit of a word-bitmap group */
static __always_inline __u32 mt_word_index(__u64 x)
{
#if MT_WORDS <= 32
	/* 32-bit popcount: immediates instead of 64-bit constant loads */
	__u32 t = (__u32)((x & -x) - 1);
	MT_BARRIER_VAR(t);
	t = t - ((t >> 1) & 0x55555555);
	t = (t & 0x33333333) + ((t >> 2) & 0x33333333);
	t = (t + (t >> 4)) & 0x0f0f0f0f;
	return (t * 0x01010101) >> 24;
#else
	return (__u32)mt_lowest_bit_index(x);
#endif
}

/* Takes the lowest candidate of bitmap *x (group g), compares it in full.
 * 0 = compared, go on; 1 = search done; 2 = no candidate left. */
static __always_inline int mt_next_candidate(struct mt_buf *b, struct mt_scratch *s, __u64 *x, __u32 g, __s32 ls_base)
{
	__u64 v = *x;
	/* opaque to clang: otherwise it rewrites the bit walk into shifted constant
	 * masks, which the verifier then tracks exactly (one state per mask) */
	MT_BARRIER_VAR(v);
	if (!v)
		return 2;
	__u64 low = v & -v;
	__u32 i = g * 64 + (mt_word_index(v) & 63);
	if (i >= MT_WORDS) {
		*x = 0;
		return 2;
	}
	MT_BARRIER_VAR(i);
	if (i >= MT_WORDS)
		return 2;
	__u64 m = b->candmask[i];
	MT_BARRIER_VAR(m);
	__u64 lowl = m & -m;
	/* lane of an isolated 0x80 lane bit, by one multiply */
	__u32 lane = (__u32)(((lowl >> 7) * 0x0001020304050607ULL) >> 56) & 7;
	m ^= lowl;
	b->candmask[i] = m;
	/* word done: drop its bit, branch-free (a branch = two verifier paths per candidate) */
	__u64 empty = ((m | -m) >> 63) ^ 1;
	MT_BARRIER_VAR(empty);
	v ^= low & -empty;
	*x = v;
	__u32 p = i * 8 + lane + 1;
	MT_BARRIER_VAR(p); /* keep the bound check on the register that is used */
	if (p > MT_P_MAX)
		return 2;
	return mt_classify(b, b->data + p, s, ls_base + (__s32)p);
}

static __always_inline void mt_wipe(__u8 *p, const int n)
{
	/* volatile: keep it a store loop (no memset idiom) in every profile */
	MT_LOOP
	for (int o = 0; o + 8 <= n; o += 8)
		*(volatile __u64 *)(p + o) = 0;
}

/* One step of the phase-2 walk over all groups: takes the next candidate, or
 * moves to the next group.  0 = go on, 1 = search done, 2 = walk finished. */
static __always_inline int mt_walk_step(struct mt_buf *b, struct mt_scratch *s, __u64 *x, __u32 *g, __s32 ls_base)
{
	if (*x)
		return mt_next_candidate(b, s, x, *g, ls_base) == 1 ? 1 : 0;
	__u32 n = *g + 1;
	if (n >= MT_GROUPS)
		return 2;
	*g = n;
	*x = *(volatile __u64 *)&b->wordbits[n];
	return 0;
}

#if defined(MT_PROFILE_BPF_LOOP)
struct mt_loop_ctx {
	__u32 nwords;
	__u32 runwords;
	__s32 ls_base;
	__u64 lastmask;
	__u64 x;
	__u32 g;
	__s32 result;
};

static int mt_scan_cb(__u32 i, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = mt_buf_get();
	if (!b)
		return 1;
	int r = mt_scan_word(b, i, c->nwords, c->lastmask, c->runwords);
	if (r) {
		c->result = r;
		return 1;
	}
	return 0;
}

static int mt_verify_cb(__u32 it, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = mt_buf_get();
	struct mt_scratch *s = mt_scratch_get();
	if (!b || !s)
		return 1;
	__u64 x = c->x;
	__u32 g = c->g;
	int r = mt_walk_step(b, s, &x, &g, c->ls_base);
	c->x = x;
	c->g = g;
	if (r) {
		c->result = r;
		return 1;
	}
	return 0;
}
#endif

/* Candidates compared per chunk (phase-2 steps).  bpf_loop: every possible one
 * (each is a name byte after a newline, so <= 2 bytes apart; the callback is
 * verified once).  loops: the verifier walks every iteration, so a cap keeps
 * verified_insns down.  unrolled: each step is code (~150-190 insns).  A chunk
 * with more candidates than this counts MT_COUNTER_CANDIDATES_DROPPED (the
 * lines past the cap are not compared). */
#ifndef MT_MAX_CANDIDATES
#if defined(MT_PROFILE_BPF_LOOP)
#define MT_MAX_CANDIDATES (MT_CHUNK_BYTES / 2 + 1)
#elif defined(MT_PROFILE_LOOPS)
#define MT_MAX_CANDIDATES ((MT_CHUNK_BYTES / 2 + 1) < 64 ? (MT_CHUNK_BYTES / 2 + 1) : 64)
#else
#define MT_MAX_CANDIDATES MT_UNROLLED_CANDIDATES
#endif
#endif

static __always_inline int mt_search_chunk(struct __sk_buff *skb, const __u32 k)
{
	struct mt_scratch *s = mt_scratch_get();
	struct mt_buf *b = mt_buf_get();
	if (!s || !b)
		return TC_ACT_OK;

	const __s32 base = (__s32)k * MT_CHUNK_BYTES;
	__s32 plen = (__s32)(s->payload_end - s->payload_off);
	__s32 region = MT_CHUNK_BYTES;
	if (MT_WINDOW_BYTES - base < region)
		region = MT_WINDOW_BYTES - base;
	if (plen - base < region)
		region = plen - base;
	int done = 0;

	if (region <= 0) {
		/* nothing of the window left in the payload (not reached in practice:
		 * the chunk before ends the search then) */
		s->done = 1;
		mt_tail(skb, MT_CHUNKS);
		return TC_ACT_OK;
	}
	{
		const __s32 src = k ? base - 1 : 0;
		const __u32 dst = k ? 0 : 1;
		/* 64-bit: with -mcpu=v2 a 32-bit length is sign-extended after the
		 * checks, by shifts the verifier's bounds do not survive */
		__s64 len = (__s64)plen - src;
		if (len > MT_LOAD_MAX - (__s64)dst)
			len = MT_LOAD_MAX - (__s64)dst;
		/* barriers: the checks must be on the register passed to the helper
		 * (clang would otherwise test plen, or fuse both checks into one
		 * unsigned compare on a copy, and the verifier would not see a bound) */
		MT_BARRIER_VAR(len);
		if (__builtin_expect(len > 0, 1)) {
			MT_BARRIER_VAR(len);
			if (__builtin_expect(len <= MT_LOAD_MAX, 1)) {
				bpf_skb_load_bytes(skb, s->payload_off + src, b->data + dst, len);
				/* A '\n' as the last payload byte would start a line at the
				 * payload end, where the zero fill reads as a blank line: make
				 * it '\r' (still ends its line, starts none), so a header block
				 * cut after a full line counts as truncated.  When the buffer
				 * is full instead, that byte is past every line start the chunk
				 * owns and only ever compared against name characters, so the
				 * change is harmless there: no condition, no branch. */
				__u64 last = (__u64)dst + (__u64)len - 1;
				__u64 c = b->data[last];
				__u64 is_nl = ((c ^ '\n') - 1) >> 63;
				b->data[last] = (__u8)(c ^ (is_nl * ('\n' ^ '\r')));
			}
		}
		if (k == 0)
			b->data[0] = 0; /* the request line is not a header line */
		const __s32 ls_base = base - 1; /* payload offset of data[0] */
		/* words inside the window (compile-time) and inside the payload (run time) */
		const __u32 span = (MT_WINDOW_BYTES - base) < MT_CHUNK_BYTES ? (__u32)(MT_WINDOW_BYTES - base)
									       : (__u32)MT_CHUNK_BYTES;
		const __u32 nwords = (span + 7) / 8;
		const __u32 wleft = span - (nwords - 1) * 8; /* 1..8 lanes in the last word */
		const __u64 lastmask = wleft >= 8 ? ~0ULL : (1ULL << (wleft * 8)) - 1;
		__u32 runwords = (__u32)(region + 7) / 8;
		int r = 0;
		__u64 x = 0;

		MT_UNROLL
		for (int g = 0; g < MT_GROUPS; g++)
			*(volatile __u64 *)&b->wordbits[g] = 0;

		/* phase 1: newline scan */
#if defined(MT_PROFILE_BPF_LOOP)
		struct mt_loop_ctx c = { .nwords = nwords, .runwords = runwords, .ls_base = ls_base, .lastmask = lastmask };
		bpf_loop(nwords, mt_scan_cb, &c, 0);
		r = c.result;
#else
		MT_LOOP
		for (__u32 i = 0; i < nwords; i++) {
			r = mt_scan_word(b, i, nwords, lastmask, runwords);
			if (r)
				break;
		}
#endif
		if (r == 1)
			done = 1;

		/* phase 2: candidates in line order */
		__u32 g = 0;
		x = *(volatile __u64 *)&b->wordbits[0];
#if defined(MT_PROFILE_BPF_LOOP)
		c.x = x;
		c.g = 0;
		c.result = 0;
		bpf_loop(MT_MAX_CANDIDATES + MT_GROUPS, mt_verify_cb, &c, 0);
		r = c.result;
		x = c.x;
		g = c.g;
#else
		r = 0;
#if defined(MT_PROFILE_UNROLLED)
		MT_UNROLL
#else
		MT_LOOP
#endif
		for (int it = 0; it < MT_MAX_CANDIDATES + MT_GROUPS - 1; it++) {
			r = mt_walk_step(b, s, &x, &g, ls_base);
			if (r)
				break;
		}
#endif
		if (r == 1)
			done = 1;
		else if (r == 0 && (x || g + 1 < MT_GROUPS))
			/* walk cut short by MT_MAX_CANDIDATES (conservative count) */
			mt_count(MT_COUNTER_CANDIDATES_DROPPED);
	}
	mt_wipe(b->data, MT_BUF_BYTES);

	if (!done) {
		if (plen < MT_WINDOW_BYTES && base + MT_CHUNK_BYTES >= plen) {
			/* the payload ended inside the window before a blank line */
			s->truncated = 1;
			mt_count(MT_COUNTER_TRUNCATED);
			done = 1;
		} else if (base + MT_CHUNK_BYTES >= MT_WINDOW_BYTES) {
			done = 1;
		}
	}
	if (done)
		s->done = 1;
	if (!done && k + 1 < MT_CHUNKS)
		mt_tail(skb, k + 1);
	else
		mt_tail(skb, MT_CHUNKS);
	return TC_ACT_OK;
}

/* ---- mt_finish: value copy ----
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

static __always_inline void mt_copy_value(struct __sk_buff *skb, struct mt_scratch *s, struct mt_buf *b,
					  const __u32 slot, const int max)
{
	char *row = s->value[slot];
	const __u8 *v = b->tmp;
	__s32 cut = 0;
	int j;

	if (s->found_mask & (1u << slot)) {
		__u32 voff = s->value_off[slot];
		__s64 n = (__s64)(__s32)(s->payload_end - s->payload_off) - (__s64)voff; /* 64-bit: see the chunk load */
		if (n > MT_OWS_MAX + max)
			n = MT_OWS_MAX + max;
		MT_BARRIER_VAR(n);
		if (n > 0) {
			MT_BARRIER_VAR(n); /* see the chunk load */
			if (n <= MT_OWS_MAX + max)
				bpf_skb_load_bytes(skb, s->payload_off + voff, b->tmp, n);
		} else {
			n = 0;
		}

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
		if (cut > max)
			cut = max;
		if (cut < 0)
			cut = 0;
		v = b->tmp + ows;

		/* first CR / LF: haszero lanes, whose lowest lane is exact */
		__u64 e = 0;
		__u32 ej = 0;
		MT_LOOP
		for (j = 0; j < (max + 7) / 8; j++) {
			__u64 w = mt_load64(v + j * 8);
			e = mt_haszero_lanes(w ^ MT_BCAST('\r')) | mt_haszero_lanes(w ^ MT_BCAST('\n'));
			if (e) {
				ej = j;
				break;
			}
		}
		if (e) {
			__s32 at = (__s32)(ej * 8 + mt_lane_index(e));
			if (at < cut)
				cut = at;
		}
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
