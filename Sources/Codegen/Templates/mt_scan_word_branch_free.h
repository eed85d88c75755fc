/* ---- mt_scan_word_branch_free.h: one word of phase 1, for loop bodies ----
 * In a bounded loop (or a bpf_loop callback) every branch is one more verifier
 * state per iteration: past the early exits, the word is classified without
 * branches, and the scan stops at the payload's end. */

/* 0 = go on, 1 = the search ends in this word, 2 = past the data.
 * nwords/lastmask: words of this chunk inside the window and the lanes of the
 * last one inside it; runwords: words holding payload. */
static __always_inline int mt_scan_word(struct mt_buf *b, __u32 i, const __u32 nwords, const __u64 lastmask,
					__u32 runwords)
{
	if (i >= runwords || i >= nwords || i >= MT_WORDS)
		return 2;
	const __u8 *d = b->data + i * 8;
	__u64 nl = mt_newline_lanes(d);
	if (!nl)
		return 0;
	__u64 last = (((__u64)i ^ (nwords - 1)) - 1) >> 63; /* 1 on the last word */
	MT_BARRIER_VAR(last);
	nl &= lastmask | (last - 1);
	__u64 stop;
	__u64 cand = mt_line_starts(d, nl, &stop);
	b->candmask[i] = cand;
	/* map memory, not a register: see mt_scan_word_branching.h */
	__u64 any = (cand | -cand) >> 63;
	MT_BARRIER_VAR(any);
	*(volatile __u64 *)&b->wordbits[i / 64] |= any << (i % 64);
	return stop ? 1 : 0;
}
