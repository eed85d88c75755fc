/* ---- mt_chunk.h: one chunk of the search window ----
 * Loads the chunk's bytes (one byte before, the longest "name:" after), runs the
 * profile's driver over them (phase 1, the scan; phase 2, the compares), wipes
 * the copy and tail-calls the next chunk or mt_finish. */

/* Whether the search ends with chunk k, and the tail call to what comes next: the next chunk or
 * mt_finish.  Every slot is a constant (a direct jump), the middle chunks' through their
 * program's own. */
static __always_inline void mt_chunk_next(struct __sk_buff *skb, struct mt_scratch *s, const __u32 k, const int middle, int done)
{
	const __s32 end = ((__s32)k + 1) * MT_CHUNK_BYTES;
	const __s32 plen = (__s32)(s->payload_end - s->payload_off);
	if (!done) {
		if (plen < MT_WINDOW_BYTES && end >= plen) {
			/* the payload ended inside the window before a blank line */
			s->truncated = 1;
			mt_count(MT_COUNTER_TRUNCATED);
			done = 1;
		} else if (end >= MT_WINDOW_BYTES) {
			done = 1;
		}
	}
	if (done)
		s->done = 1;
	s->chunk = k + 1;
	if (done || k + 1 >= MT_CHUNKS)
		mt_tail(skb, MT_CHUNKS);
	else if (!middle)
		mt_tail(skb, k + 1);
	else if (k + 1 < MT_CHUNKS - 1)
		mt_tail(skb, MT_MIDDLE_SLOT);
	else
		mt_tail(skb, MT_CHUNKS - 1);
}

/* k: the chunk, a constant in a program of one chunk.  middle: the program of every chunk between
 * the first and the last (mt_search_middle, unrolled plans), which reads k from the scratch, where
 * the chunk before left it: one program's code for a long search instead of one per chunk, each
 * of which the instruction cache had to fetch anew (3.4k instructions each). */
static __always_inline int mt_search_chunk(struct __sk_buff *skb, __u32 k, const int middle)
{
	struct mt_scratch *s = mt_scratch_get();
	struct mt_buf *b = mt_buf_get();
	if (!s || !b)
		return TC_ACT_OK;
	if (middle) {
		k = s->chunk;
		MT_BARRIER_VAR(k);
		if (k < 1 || k > MT_CHUNKS - 2) {
			/* only a chunk before sets it: a broken chain, counted as one */
			mt_count(MT_COUNTER_TAIL_CALL_FAILED);
			return TC_ACT_OK;
		}
	}

	const __s32 base = (__s32)k * MT_CHUNK_BYTES;
	__s32 plen = (__s32)(s->payload_end - s->payload_off);
	__s32 region = MT_CHUNK_BYTES;
	if (MT_WINDOW_BYTES - base < region)
		region = MT_WINDOW_BYTES - base;
	if (plen - base < region)
		region = plen - base;
	int done = 0;
	__u64 loaded = 1; /* bytes of data written: data[0], and the chunk's load after it */

	if (region <= 0) {
		/* nothing of the window left in the payload (not reached in practice:
		 * the chunk before ends the search then) */
		s->done = 1;
		mt_tail(skb, MT_CHUNKS);
		return TC_ACT_OK;
	}
	{
		const __s32 src = middle || k ? base - 1 : 0;
		const __u32 dst = middle || k ? 0 : 1;
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
				loaded = (__u64)dst + (__u64)len;
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
		if (!middle && k == 0) /* the request line is not a header line; a held request's next segment may start one */
			b->data[0] = MT_SPLIT_REQUESTS && s->line_start ? '\n' : 0;
		const __s32 ls_base = base - 1; /* payload offset of data[0] */
		/* words inside the window (compile-time: a middle chunk is inside it) and inside the
		 * payload (run time) */
		const __u32 span = !middle && (MT_WINDOW_BYTES - base) < MT_CHUNK_BYTES ? (__u32)(MT_WINDOW_BYTES - base)
									       : (__u32)MT_CHUNK_BYTES;
		const __u32 nwords = (span + 7) / 8;
		const __u32 wleft = span - (nwords - 1) * 8; /* 1..8 lanes in the last word */
		const __u64 lastmask = wleft >= 8 ? ~0ULL : (1ULL << (wleft * 8)) - 1;
		__u32 runwords = (__u32)(region + 7) / 8;
		int scan = 0;
		__u64 x = 0;
		__u32 g = 0;

		MT_UNROLL
		for (int w = 0; w < MT_GROUPS; w++)
			*(volatile __u64 *)&b->wordbits[w] = 0;

		/* phase 1, the newline scan, then phase 2, the candidates in line order */
		int r = mt_run_phases(b, s, nwords, lastmask, runwords, ls_base, &scan, &x, &g);
		b = mt_buf_get(); /* again, for the same reason as in mt_run_counted */
		if (!b)
			return TC_ACT_OK;
		if (scan == 1)
			done = 1;
		if (r == 1)
			done = 1;
		else if (r == 0 && (x || g + 1 < MT_GROUPS))
			/* walk cut short by MT_MAX_CANDIDATES (conservative count) */
			mt_count(MT_COUNTER_CANDIDATES_DROPPED);
	}
	if (MT_WIPE_AS_LOADED)
		mt_wipe_used(b->data, MT_BUF_BYTES, loaded);
	else
		mt_wipe(b->data, MT_BUF_BYTES);
	/* k and the payload's length read again (the walk writes neither): kept in registers across
	 * the walk's calls, they pushed what the calls need onto the stack, two instructions more a
	 * call in an unrolled chunk */
	mt_chunk_next(skb, s, middle ? *(volatile __u32 *)&s->chunk : k, middle, done);
	return TC_ACT_OK;
}
