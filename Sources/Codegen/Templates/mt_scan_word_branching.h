/* ---- mt_scan_word_branching.h: one word of phase 1, for unrolled code ----
 * Straight-line code pays nothing for a branch, so words without a newline and
 * words without candidates return early, and the window's last word is masked
 * by a compile-time test.  The scan runs through the zeros past the payload
 * instead of paying a bound compare per word. */

/* 0 = go on, 1 = the search ends in this word.  nwords/lastmask: words of this
 * chunk inside the window and the lanes of the last one inside it (constants
 * per chunk); runwords is unused (the zero fill holds no newline). */
static __always_inline int mt_scan_word(struct mt_buf *b, __u32 i, const __u32 nwords, const __u64 lastmask,
					__u32 runwords)
{
	const __u8 *d = b->data + i * 8;
	__u64 nl = mt_newline_lanes(d);
	if (!nl)
		return 0;
	if (i == nwords - 1) /* compile-time */
		nl &= lastmask;
	__u64 stop;
	__u64 cand = mt_line_starts(d, nl, &stop);
	b->candmask[i] = cand;
	/* The bitmap goes through map memory (volatile), never a register: the
	 * verifier would track an OR of constants exactly, one state per subset. */
	if (cand)
		*(volatile __u64 *)&b->wordbits[i / 64] |= 1ULL << (i % 64);
	return stop ? 1 : 0;
}
