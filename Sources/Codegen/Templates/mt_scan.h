/* ---- mt_scan.h: phase 1, the newline scan, 8 bytes per step ---- */

/*
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
#define MT__LEAD_FIRST(name, len) m |= mt_haszero_lanes(l1 ^ MT_BCAST((__u8)(name)[0] | 0x20));
	MT_LEADING_LINES(MT__LEAD_FIRST)
#undef MT__LEAD_FIRST
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
#define MT__LEAD_FIRST(name, len) \
	all_and &= (__u8)(name)[0] | 0x20; \
	all_or |= (__u8)(name)[0] | 0x20;
	MT_LEADING_LINES(MT__LEAD_FIRST)
#undef MT__LEAD_FIRST
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

/* Characters of each name, exact per name: with 2, the first and the third (the second of
 * "x-…" names is always '-', the third tells x-b3-… from x-envoy-…, x-forwarded-…,
 * x-request-id); with 3, the first three. */
static __always_inline __u64 mt_prefix_lanes(const __u8 *d, __u64 s1)
{
	__u64 m = 0;
	__u64 l1 = s1 | MT_BCAST(0x20);
	__u64 l3 = mt_load64(d + 3) | MT_BCAST(0x20);
#if MT_PREFIX_CHARS >= 3
	__u64 l2 = mt_load64(d + 2) | MT_BCAST(0x20);
#define MT__PREFIX(slot, name, len, max) \
	m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l2, name, len, 1) & mt_char_lanes(l3, name, len, 2);
#else
#define MT__PREFIX(slot, name, len, max) \
	m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l3, name, len, 2);
#endif
	MT_CONTEXT_HEADERS(MT__PREFIX)
#undef MT__PREFIX
#if MT_PREFIX_CHARS >= 3
#define MT__LEAD_PREFIX(name, len) \
	m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l2, name, len, 1) & mt_char_lanes(l3, name, len, 2);
#else
#define MT__LEAD_PREFIX(name, len) m |= mt_char_lanes(l1, name, len, 0) & mt_char_lanes(l3, name, len, 2);
#endif
	MT_LEADING_LINES(MT__LEAD_PREFIX)
#undef MT__LEAD_PREFIX
	return m;
}
#endif

/* 0x80 in the lanes of the word at d that hold a '\n' (the haszero form: see above). */
static __always_inline __u64 mt_newline_lanes(const __u8 *d)
{
	return mt_haszero_lanes(mt_load64(d) ^ MT_BCAST('\n'));
}

/* Classifies the line starts after the newlines nl of the word at d: returns the
 * candidates below the first stop (all when there is none) and sets *stop to the
 * lanes that end the search. */
static __always_inline __u64 mt_line_starts(const __u8 *d, __u64 nl, __u64 *stop)
{
	__u64 s1 = mt_load64(d + 1);
	__u64 end = nl & mt_ctl_lanes(s1);
	__u64 cand = nl & ~end & mt_prefix_lanes(d, s1);
	__u64 st = end;
#if !MT_PLACEMENT_ANYWHERE
	st = nl & ~cand;
#endif
	*stop = st;
	return cand & ((st & -st) - 1);
}
