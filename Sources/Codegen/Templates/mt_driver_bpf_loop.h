/* ---- mt_driver_bpf_loop.h: phase 1 and 2 as bpf_loop callbacks ----
 * Each callback is verified once, whatever the count, so the walk can compare
 * every possible candidate of a chunk (MT_MAX_CANDIDATES).  Both phases share
 * one context on the stack: the verifier then tracks a single object across
 * the two calls (two contexts cost it ~50 % more work). */

struct mt_loop_ctx {
	__u32 nwords;
	__u32 runwords;
	__s32 ls_base;
	__u64 lastmask;
	__u64 x;
	__u32 g;
	__s32 result;
};

/* Words a scan callback takes: a callback's call costs more than a word's scan. */
#define MT_SCAN_STRIDE 8

static int mt_scan_cb(__u32 i, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = mt_buf_get();
	if (!b)
		return 1;
	MT_UNROLL
	for (__u32 k = 0; k < MT_SCAN_STRIDE; k++) {
		int r = mt_scan_word(b, i * MT_SCAN_STRIDE + k, c->nwords, c->lastmask, c->runwords);
		if (r) {
			c->result = r;
			return 1;
		}
	}
	return 0;
}

static int mt_walk_cb(__u32 it, void *arg)
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

/* Phase 1 over the chunk's words, then phase 2 over the candidates it found.
 * *scan: 1 when the search ended in a scanned word.  Returns 1 when a compare
 * ended the search, 2 when the walk finished, 0 when it was cut short; *x and
 * *g say where it stopped. */
static __always_inline int mt_run_phases(struct mt_buf *b, struct mt_scratch *s, const __u32 nwords, const __u64 lastmask,
					 __u32 runwords, __s32 ls_base, int *scan, __u64 *x, __u32 *g)
{
	struct mt_loop_ctx c = { .nwords = nwords, .runwords = runwords, .ls_base = ls_base, .lastmask = lastmask };
	bpf_loop((nwords + MT_SCAN_STRIDE - 1) / MT_SCAN_STRIDE, mt_scan_cb, &c, 0);
	*scan = c.result;
	c.x = *(volatile __u64 *)&b->wordbits[0];
	c.g = 0;
	c.result = 0;
	bpf_loop(MT_MAX_CANDIDATES + MT_GROUPS, mt_walk_cb, &c, 0);
	*x = c.x;
	*g = c.g;
	return c.result;
}
