/* ---- mt_driver_bpf_loop.h: phase 1 and 2 as bpf_loop callbacks, a group of 64 words at a time ----
 * Each callback is verified once, whatever the count, so the walk can compare
 * every possible candidate of a chunk (MT_MAX_CANDIDATES).  A chunk here holds the
 * whole window: scanning all of it before its first compare made a search that ends
 * early cost as much as one that does not, so each group is scanned, then its
 * candidates compared, before the next.  All loops share one context on the stack:
 * the verifier then tracks a single object across the calls (two contexts cost it
 * ~50 % more work). */

struct mt_loop_ctx {
	struct mt_buf *b; /* for the scan callbacks: a lookup each was 2-7 % of an anywhere 2 or 8 KiB search */
	__u32 nwords;
	__u32 runwords;
	__s32 ls_base;
	__u64 lastmask;
	__u64 x;
	__u32 g;
	__u32 first;  /* the scanned group's first word */
	__s32 scan;   /* mt_scan_word's 1 (the search ends) or 2 (past the data) */
	__s32 result; /* the walk's: 1 search done, 2 walk finished, 0 cut short */
};

/* Words a scan callback takes: a callback's call costs more than a word's scan.  16, not 8: the
 * anywhere 2 and 8 KiB searches took 0.82-0.89 of the time (timed against 8 in one run); with
 * 32 the planner found no chunk the verifier took. */
#define MT_SCAN_STRIDE 16
/* Candidates one group of 64 words can hold (line starts are at least 2 bytes apart). */
#define MT_GROUP_CANDIDATES (MT_MAX_CANDIDATES < 64 * 8 / 2 + 1 ? MT_MAX_CANDIDATES : 64 * 8 / 2 + 1)

static int mt_scan_cb(__u32 i, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = c->b;
	MT_UNROLL
	for (__u32 k = 0; k < MT_SCAN_STRIDE; k++) {
		int r = mt_scan_word(b, c->first + i * MT_SCAN_STRIDE + k, c->nwords, c->lastmask, c->runwords);
		if (r) {
			c->scan = r;
			return 1;
		}
	}
	return 0;
}

/* One candidate of the group in c->g (its word-bitmap left in c->x). */
static int mt_walk_cb(__u32 it, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = mt_buf_get();
	struct mt_scratch *s = mt_scratch_get();
	if (!b || !s)
		return 1;
	__u64 x = c->x;
	if (!x)
		return 1;
	int r = mt_next_candidate(b, s, &x, c->g, c->ls_base);
	c->x = r == 2 ? 0 : x;
	if (r == 1) {
		c->result = 1;
		return 1;
	}
	return 0;
}

/* One group of 64 words: its scan, then the compares of its candidates, so that a search
 * that ends early (every context found, the blank line, the fixed block's end) scans no
 * further than the group it ends in. */
static int mt_group_cb(__u32 g, void *arg)
{
	struct mt_loop_ctx *c = arg;
	struct mt_buf *b = mt_buf_get();
	if (!b || g >= MT_GROUPS)
		return 1;
	c->first = g * 64;
	bpf_loop(64 / MT_SCAN_STRIDE, mt_scan_cb, c, 0);
	c->g = g;
	c->x = *(volatile __u64 *)&b->wordbits[g];
	bpf_loop(MT_GROUP_CANDIDATES, mt_walk_cb, c, 0);
	if (c->result == 1)
		return 1;
	if (c->x) {
		c->result = 0; /* cut short: x says what was left */
		return 1;
	}
	/* the group is walked; the search goes on into the next one unless the scan ended here */
	c->result = 2;
	return c->scan ? 1 : 0;
}

/* Phase 1 and phase 2 a group at a time, in line order.  *scan: 1 when the search ended
 * in a scanned word.  Returns 1 when a compare ended the search, 2 when the walk finished,
 * 0 when it was cut short; *x and *g say where it stopped. */
static __always_inline int mt_run_phases(struct mt_buf *b, struct mt_scratch *s, const __u32 nwords, const __u64 lastmask,
					 __u32 runwords, __s32 ls_base, int *scan, __u64 *x, __u32 *g)
{
	/* a short window runs the counted driver's bounded loops (mt_profile_bpf_loop.h) */
	if (MT_WORDS <= MT_COUNTED_WORDS)
		return mt_run_counted(b, s, nwords, lastmask, runwords, ls_base, scan, x, g);
	struct mt_loop_ctx c = { .b = b, .nwords = nwords, .runwords = runwords, .ls_base = ls_base, .lastmask = lastmask, .result = 2 };
	bpf_loop((nwords + 63) / 64, mt_group_cb, &c, 0);
	*scan = c.scan;
	*x = c.x;
	*g = c.g;
	return c.result;
}
