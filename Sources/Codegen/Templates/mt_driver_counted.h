/* ---- mt_driver_counted.h: phase 1 and 2 as counted loops (unrolled and loops profiles, and
 * the bpf_loop profile's short windows) ----
 * MT_LOOP (the profile's) unrolls them into straight-line code or keeps them as
 * bounded loops. */

/* Phase 1 over the chunk's words, then phase 2 over the candidates it found, a
 * call of mt_walk_next each (every line start the chunk can hold: MT_MAX_CANDIDATES).
 * *scan: 1 when the search ended in a scanned word.
 * Returns 1 when a compare ended the search, 2 when the walk finished, 0 when it
 * was cut short; *x and *g say where it stopped. */
static __always_inline int mt_run_counted(struct mt_buf *b, struct mt_scratch *s, const __u32 nwords, const __u64 lastmask,
					  __u32 runwords, __s32 ls_base, int *scan, __u64 *x, __u32 *g)
{
	/* for the walk's calls, stored before the scan: in a register it stayed live all through it
	 * (a chunk whose base is not a constant, mt_search_middle, spilled its pointers then) */
	*(volatile __s32 *)&b->walk_base = ls_base;
	int r = 0;
	MT_LOOP
	for (__u32 i = 0; i < nwords; i++) {
		r = mt_scan_word(b, i, nwords, lastmask, runwords);
		if (r)
			break;
	}
	*scan = r;
	b->walk_x = *(volatile __u64 *)&b->wordbits[0];
	b->walk_g = 0;
	r = 2;
	/* a chunk of one group with no candidate has nothing to walk: no call to learn it (the
	 * walk says it is over with its last candidate, mt_walk_step).  Most chunks of a long
	 * block hold no candidate: 3-8 % of an anywhere 2 KiB search.  One test here, not one per
	 * walk step: a test in every unrolled step took instructions the chunks need. */
	if (MT_GROUPS > 1 || *(volatile __u64 *)&b->walk_x) {
		/* long: an int result is zero-extended by two shifts after every call (-mcpu=v2) */
		long w = 0;
		MT_LOOP
		for (int it = 0; it < MT_MAX_CANDIDATES + MT_GROUPS - 1; it++) {
			w = mt_walk_next();
			if (w)
				break;
		}
		r = (int)w;
	}
	/* b again from its map: kept in a register across the walk's calls, it was reloaded after
	 * every call in mt_search_middle (about 2 instructions a call) */
	b = mt_buf_get();
	if (!b)
		return 0;
	*x = b->walk_x;
	*g = b->walk_g;
	return r;
}

#if !MT_BPF_LOOP_DRIVER
static __always_inline int mt_run_phases(struct mt_buf *b, struct mt_scratch *s, const __u32 nwords, const __u64 lastmask,
					 __u32 runwords, __s32 ls_base, int *scan, __u64 *x, __u32 *g)
{
	return mt_run_counted(b, s, nwords, lastmask, runwords, ls_base, scan, x, g);
}
#endif
