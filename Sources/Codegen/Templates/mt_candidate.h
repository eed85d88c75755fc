/* ---- mt_candidate.h: phase 2, the full compare of each candidate line ---- */

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
#define MT__LEADING(name, len) \
	else if (mt_name_eq(q, name ":", (len) + 1)) \
		*(volatile __u32 *)&b->hit = MT_LEADING_SLOT;
	MT_LEADING_LINES(MT__LEADING)
#undef MT__LEADING
	else {
		/* fixed placement: the first non-context header line ends the context block */
		return MT_PLACEMENT_ANYWHERE ? 0 : 1;
	}
	__u32 hit = *(volatile __u32 *)&b->hit;
	__u32 slot = hit & 31;
	__u32 skip = (hit >> 8) & 511;
	/* volatile: a cached found_mask would carry per-path known bits into the next
	 * candidate and multiply the verifier's states */
	__u32 found = *(volatile __u32 *)&s->found_mask;
	/* fixed placement: a leading line (Host, which Envoy always writes first) before the
	 * context block is passed over; after it, it ends the block like any other header */
	if (slot == MT_LEADING_SLOT)
		return found != 0;
	if (slot >= MT_CONTEXT_SLOTS)
		return 1;
	__u32 bit = 1u << slot;
	/* a second line of a header already found: counted (two traceparents are invalid) */
	*(volatile __u32 *)&s->repeat_mask |= found & bit;
	/* first occurrence wins; branch-free select */
	__u32 seen = (__u32)-(__s32)((found >> slot) & 1);
	MT_BARRIER_VAR(seen);
	__u32 old = s->value_off[slot];
	s->value_off[slot] = (old & seen) | ((__u32)(ls + (__s32)skip) & ~seen);
	found |= bit;
	*(volatile __u32 *)&s->found_mask = found;
	/* anywhere: done once every header is found (a repeat further down is not looked for);
	 * fixed: the block's end ends the search, so a repeat inside the block is seen */
	return MT_PLACEMENT_ANYWHERE && found == MT_ALL_SLOTS;
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

/* One step of the phase-2 walk over all groups: takes the next candidate, or
 * moves to the next group.  0 = go on, 1 = search done, 2 = walk finished: also
 * right after the last group's last candidate, so that the walk of a chunk (one
 * group, always, in the unrolled profile) takes no call only to learn it is over. */
static __always_inline int mt_walk_step(struct mt_buf *b, struct mt_scratch *s, __u64 *x, __u32 *g, __s32 ls_base)
{
	if (*x) {
		if (mt_next_candidate(b, s, x, *g, ls_base) == 1)
			return 1;
		return !*x && *g + 1 >= MT_GROUPS ? 2 : 0;
	}
	__u32 n = *g + 1;
	if (n >= MT_GROUPS)
		return 2;
	*g = n;
	*x = *(volatile __u64 *)&b->wordbits[n];
	return 0;
}

/* mt_walk_step as a global function, its walk position (x, g) and the chunk's base in mt_buf: the
 * verifier checks a global function once, not once per call, so the counted driver can take every
 * line a chunk may hold (MT_MAX_CANDIDATES: a line start needs its '\n' before it) at the cost of
 * a call each.  0 = go on, 1 = search done, 2 = walk finished (long: see mt_run_counted). */
__attribute__((noinline)) long mt_walk_next(void)
{
	struct mt_buf *b = mt_buf_get();
	struct mt_scratch *s = mt_scratch_get();
	if (!b || !s)
		return 2;
	__u64 x = b->walk_x;
	__u32 g = b->walk_g;
	int r = mt_walk_step(b, s, &x, &g, b->walk_base);
	b->walk_x = x;
	b->walk_g = g;
	return r;
}
