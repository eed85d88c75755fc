/* ---- mt_core.h: configuration checks, word tricks, state, maps, counters ---- */

#if MT_WINDOW_BYTES < 1 || MT_WINDOW_BYTES > 65536
#error "MT_WINDOW_BYTES must be 1..65536"
#endif
#if MT_CHUNK_BYTES < 1
#error "MT_CHUNK_BYTES must be at least 1"
#endif
#if MT_CHUNKS * MT_CHUNK_BYTES < MT_WINDOW_BYTES || (MT_CHUNKS - 1) * MT_CHUNK_BYTES >= MT_WINDOW_BYTES
#error "MT_CHUNKS must be ceil(MT_WINDOW_BYTES / MT_CHUNK_BYTES)"
#endif
/* mt_progs: the chunks, mt_finish at MT_CHUNKS, mt_hold after it (split requests only).  When the
 * plan shares the middle chunks' program (SearchPlan.sharesMiddleChunks), slots 1 .. MT_CHUNKS - 2
 * all hold mt_search_middle, which goes on through slot 1 (itself) and then MT_CHUNKS - 1:
 * constant slots, which the JIT makes direct jumps. */
#define MT_MIDDLE_SLOT 1
#define MT_HOLD_PROGRAM (MT_CHUNKS + 1)
#if MT_CHUNKS + 1 + MT_SPLIT_REQUESTS > 33
#error "MT_CHUNKS + 1 (+ mt_hold) programs exceed the tail-call limit (33)"
#endif
#if MT_CONTEXT_SLOTS < 1 || MT_CONTEXT_SLOTS > 31
#error "MT_CONTEXT_SLOTS must be 1..31"
#endif
/* mt_buf.hit's slot code (5 bits) of a leading line (MT_LEADING_LINES): past every context slot. */
#define MT_LEADING_SLOT 31
#if !defined(MT_PREFIX_CHARS) || !defined(MT_MAX_CANDIDATES) || !defined(MT_OWS_MAX) || !defined(MT_MAX_HEADER_BYTES) || \
	!defined(MT_LINE_REACH)
#error "the search tunables are emitted by meshtrace-gen before the templates (SearchTunables.swift)"
#endif
#if !defined(MT_LOOP) || !defined(MT_WIPE_AS_LOADED) || !defined(MT_BPF_LOOP_DRIVER)
#error "the profile's template (mt_profile_*.h) defines MT_LOOP, MT_WIPE_AS_LOADED and MT_BPF_LOOP_DRIVER"
#endif

#ifndef MT_DIRECTION_INGRESS
#define MT_DIRECTION_INGRESS 0
#define MT_DIRECTION_EGRESS 1
#endif

/* Loops over compile-time bounds that every profile unrolls (MT_LOOP is the
 * profile's choice for loops over packet data). */
#define MT_UNROLL _Pragma("unroll")

/* Keeps clang from folding a bound check into something the verifier cannot follow. */
#define MT_BARRIER_VAR(v) asm volatile("" : "+r"(v))

/* ---- sizes derived from the header list ---- */
union mt__name_sizes {
#define MT__NAME_SIZE(slot, name, len, max) char n##slot[(len) + 1];
	MT_CONTEXT_HEADERS(MT__NAME_SIZE)
#undef MT__NAME_SIZE
#define MT__LEADING_SIZE(name, len) char lead_##len[(len) + 1];
	MT_LEADING_LINES(MT__LEADING_SIZE)
#undef MT__LEADING_SIZE
};
/* longest "name:" */
#define MT_NAMECOLON_MAX ((int)sizeof(union mt__name_sizes))
#define MT_NAMECOLON_WORDS ((MT_NAMECOLON_MAX + 7) / 8)

#define MT_VALUE_STRIDE (((MT_CONTEXT_VALUE_MAX) + 7) & ~7)
#define MT_ALL_SLOTS ((__u32)0xffffffffu >> (32 - MT_CONTEXT_SLOTS))

/* Chunk buffer geometry: NL positions 0..MT_WORDS*8-1 are scanned, a line can start
 * at index <= MT_WORDS*8 and its name+':' is compared from there. */
#define MT_WORDS ((MT_CHUNK_BYTES + 7) / 8)
#define MT_GROUPS ((MT_WORDS + 63) / 64)
#define MT_P_MAX (MT_WORDS * 8)
#define MT_BUF_BYTES (MT_P_MAX + 8 * MT_NAMECOLON_WORDS + 16)
/* bytes loaded: the byte before the chunk, the chunk, and the longest name+':' after it */
#define MT_LOAD_MAX (MT_CHUNK_BYTES + 1 + MT_NAMECOLON_MAX)
/* the most of a line split across two segments that can matter: "name:", OWS, the value and
 * the byte after it (mt_segments.h) */
#define MT_CARRY_BYTES ((MT_NAMECOLON_MAX + MT_OWS_MAX + MT_CONTEXT_VALUE_MAX + 1 + 7) & ~7)
/* the reach of a stitched value's line (mt_value.h): what the stitched line holds after the
 * longest "name:" and OWS, more than any value's maximum */
#define MT_STITCH_REACH (MT_CARRY_BYTES - MT_NAMECOLON_MAX - MT_OWS_MAX)
/* a value's leading OWS and its line's reach (mt_value.h) */
#define MT_TMP_BYTES (MT_OWS_MAX + ((MT_LINE_REACH + 7) & ~7) + 8)

/* ---- word tricks ---- */
#define MT_BCAST(c) (0x0101010101010101ULL * (__u8)(c))
#define MT_LOW7 0x7f7f7f7f7f7f7f7fULL
#define MT_HIGH 0x8080808080808080ULL

/* All bits of a word's lanes below its first `left` bytes (left clamped to 0..8), branch-free. */
static __always_inline __u64 mt_lanes_below(__s64 left)
{
	left &= ~(left >> 63);
	__u64 full = (__u64)(7 - left) >> 63; /* left >= 8 */
	MT_BARRIER_VAR(full);
	return ((1ULL << ((left * 8) & 63)) - 1) | -full;
}

/* 0x80 in exactly the bytes of x that are zero (no haszero false positives, so
 * the lanes can be used as positions, not just as a "some zero" flag). */
static __always_inline __u64 mt_zero_lanes(__u64 x)
{
	__u64 t = (x & MT_LOW7) + MT_LOW7;
	return ~(t | x | MT_LOW7);
}

static __always_inline __u64 mt_popcount(__u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

/* Index of the lowest set bit, branch-free: branches on bit positions would split
 * verifier states (the index is used as a pointer offset, hence precise). */
static __always_inline __u64 mt_lowest_bit_index(__u64 x)
{
	__u64 t = (x & -x) - 1;
	/* hide the cttz idiom: LLVM would lower it to a .rodata table lookup (global
	 * data needs 5.2, and the loaded index comes back as 64 verifier paths) */
	MT_BARRIER_VAR(t);
	return mt_popcount(t);
}

/* Keep the low n bytes of a word (n in 0..8), branch-free. */
static __always_inline __u64 mt_keep_bytes(__u64 w, __u64 n)
{
	__u64 m = n >= 8 ? ~0ULL : ((1ULL << (n * 8)) - 1);
	return w & m;
}

/* Plain 8-byte loads/stores, also at odd offsets: map values allow unaligned
 * access (no BPF_F_STRICT_ALIGNMENT), while memcpy would be split into bytes. */
static __always_inline __u64 mt_load64(const void *p)
{
	return *(const __u64 *)p;
}

static __always_inline void mt_store64(void *p, __u64 v)
{
	*(__u64 *)p = v;
}

#define MT_IS_ALPHA(c) ((c) >= 'a' && (c) <= 'z')

/* Compare n bytes at q with the literal "name:" case-insensitively, in 4/2/1-byte
 * steps (32-bit immediates, no 64-bit constant loads).  The literal folds into
 * immediates; letters get 0x20 OR-ed in (exact: only A-Z/a-z map onto a-z), other
 * bytes must match exactly (so '\r' never passes as '-'). */
static __always_inline __u32 mt_lit_bits(const char *lit, const int o, const int w, const int want)
{
	__u32 v = 0;
	MT_UNROLL
	for (int b = 0; b < w; b++) {
		__u32 c = (__u8)lit[o + b];
		v |= (want ? c : (MT_IS_ALPHA(c) ? 0x20u : 0u)) << (8 * b);
	}
	return v;
}

static __always_inline int mt_name_eq(const __u8 *q, const char *lit, const int n)
{
	int o = 0;
	MT_UNROLL
	for (; o + 4 <= n; o += 4)
		if ((*(const __u32 *)(q + o) | mt_lit_bits(lit, o, 4, 0)) != mt_lit_bits(lit, o, 4, 1))
			return 0;
	if (o + 2 <= n) {
		if ((__u16)(*(const __u16 *)(q + o) | mt_lit_bits(lit, o, 2, 0)) != mt_lit_bits(lit, o, 2, 1))
			return 0;
		o += 2;
	}
	if (o < n)
		if ((__u8)(q[o] | mt_lit_bits(lit, o, 1, 0)) != mt_lit_bits(lit, o, 1, 1))
			return 0;
	return 1;
}

/* Word constant of a literal's first n bytes (n <= 8), folded at compile time. */
static __always_inline __u64 mt_lit_word(const char *lit, const int n)
{
	__u64 w = 0;
	MT_UNROLL
	for (int b = 0; b < 8; b++)
		if (b < n)
			w |= (__u64)(__u8)lit[b] << (8 * b);
	return w;
}

/* ---- state ---- */

/* Per-CPU scratch, shared by all programs of one packet's tail-call chain. */
struct mt_scratch {
	struct mt_packet packet;          /* filled by mt_parse_packet */
	__u64 timestamp;                  /* bpf_ktime_get_ns() at entry */
	__u32 ifindex;
	__u32 payload_off;                /* first TCP payload byte, from skb start */
	__u32 payload_end;                /* one past the last L7 byte */
	__u32 found_mask;                 /* bit per slot: header found */
	__u32 cut_mask;                   /* bit per slot: the value is longer than its max (mt_finish) */
	__u32 repeat_mask;                /* bit per slot: the header's line seen again after it was found */
	__u32 past_packet_mask;           /* bit per slot: the payload ends before the value's line (mt_finish) */
	__u32 past_reach_mask;            /* bit per slot: no line end within MT_LINE_REACH bytes (mt_finish) */
	__u32 value_off[MT_CONTEXT_SLOTS];/* payload offset of the byte after "name:" */
	__u16 value_len[MT_CONTEXT_SLOTS];/* set by mt_finish: the value's true length (mt_value.h) */
	__u8 direction;                   /* MT_DIRECTION_INGRESS / _EGRESS */
	__u8 is_response;                 /* payload starts with "HTTP/1." */
	__u8 done;                        /* search complete (blank line / fixed stop / all found) */
	__u8 truncated;                   /* payload ended inside the window before a blank line */
	/* The request (mt_segments.h): this packet's own, or a held one this segment goes on with. */
	__u8 tcp_flags;
	__u8 resumed;                     /* this packet goes on with a held request */
	__u8 line_start;                  /* this packet's first byte starts a header line */
	__u32 seq;                        /* TCP sequence number of this packet's first payload byte */
	__u32 request_seq;                /* ... and of the request's first byte (the event's key) */
	__u32 request_off;                /* request bytes before this packet */
	__u32 segment_offset;             /* request offset of the segment the first context line began in */
	__u32 carried_mask;               /* slots whose values came with the held request */
	__u32 stitched_mask;              /* the slot whose line began in the held segment (measured at resume) */
	__u32 stitch_held;                /* bytes of the stitched line (mt_buf.line) from the held segment */
	__u32 chunk;                      /* the chunk mt_search_middle is to search (set by the chunk before) */
	__u32 records_unqueried;          /* this CPU's events since it last asked the ring's fill (mt_submit_event) */
	/* Value bytes: leading SP/HTAB skipped (up to MT_OWS_MAX), cut before the
	 * first CR/LF and trailing SP/HTAB, at the slot's max and at the payload end.  Row r is
	 * MT_VALUE_STRIDE (= MT_CONTEXT_VALUE_MAX rounded up to 8) bytes; mt_finish
	 * writes its first round8(max_r) bytes on every event (zeros past
	 * value_len[r]; all zeros when the slot was not found), the rest of the row
	 * is never written (stays zero) and never read. */
	char value[MT_CONTEXT_SLOTS][MT_VALUE_STRIDE] __attribute__((aligned(8)));
};

/* Raw payload copies live here, not in mt_scratch, and are wiped before every
 * program returns or tail-calls, so no header bytes other than the context values
 * stay readable in any map. */
struct mt_buf {
	__u64 wordbits[MT_GROUPS];            /* bit i: word i has candidate line starts */
	__u64 candmask[MT_GROUPS * 64];       /* per word: 0x80 in lane j = candidate line after byte j */
	__u32 hit;                            /* last matched slot | (name length + 1) << 8 */
	__u32 walk_g;                         /* the counted walk's group (mt_walk_next) */
	__u64 walk_x;                         /* ... and its word-bitmap of that group */
	__s32 walk_base;                      /* ... and the payload offset of data[0] (a register at every call otherwise) */
	__u64 tmp_used;                       /* bytes of tmp written since its last wipe */
	__u8 data[MT_BUF_BYTES] __attribute__((aligned(8)));
	__u8 tmp[MT_TMP_BYTES] __attribute__((aligned(8)));
	__u8 line[2 * MT_CARRY_BYTES] __attribute__((aligned(8))); /* a line stitched across two segments */
};

/* enum mt_counter (MT_COUNTER_*, MT_COUNTERS) is generated before the templates
 * from KernelCounter.swift, so the runner and the kernel side cannot disagree.
 * The templates use these; check they are all there. */
_Static_assert(MT_COUNTER_PACKETS >= 0 && MT_COUNTER_NOT_ACCEPTED >= 0 && MT_COUNTER_FILTERED >= 0 &&
	       MT_COUNTER_NOT_HTTP >= 0 && MT_COUNTER_NO_CONTEXT >= 0 && MT_COUNTER_EVENTS >= 0 &&
	       MT_COUNTER_RINGBUF_FULL >= 0 && MT_COUNTER_TAIL_CALL_FAILED >= 0 && MT_COUNTER_TRUNCATED >= 0 &&
	       MT_COUNTER_CANDIDATES_DROPPED < MT_COUNTERS,
	       "counter enum");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_scratch);
} mt_scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_buf);
} mt_buf_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, MT_CHUNKS + 1 + MT_SPLIT_REQUESTS);
	__type(key, __u32);
	__type(value, __u32);
} mt_progs SEC(".maps");

/* Every counter of one CPU in one value, so a program that counts twice looks it up once. */
struct mt_counts {
	__u64 n[MT_COUNTERS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mt_counts);
} mt_counters SEC(".maps");

static __always_inline struct mt_counts *mt_counts_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&mt_counters, &zero);
}

static __always_inline void mt_count_in(struct mt_counts *c, const __u32 idx)
{
	if (c && idx < MT_COUNTERS)
		c->n[idx] += 1;
}

static __always_inline void mt_count(const __u32 idx)
{
	mt_count_in(mt_counts_get(), idx);
}

static __always_inline struct mt_scratch *mt_scratch_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&mt_scratch_map, &zero);
}

static __always_inline struct mt_buf *mt_buf_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&mt_buf_map, &zero);
}

/* Tail-calls program idx; only returns when that failed (then counted). */
static __always_inline void mt_tail(struct __sk_buff *skb, __u32 idx)
{
	bpf_tail_call(skb, &mt_progs, idx);
	mt_count(MT_COUNTER_TAIL_CALL_FAILED);
}

/* Bytes a wipe loop zeroes per iteration: a store loop's compare and branch cost more than one
 * store, so four stores an iteration, and the last n % 32 bytes after the loop, unrolled (the
 * bpf_loop profile's 2 KiB fixed request went from 513-542 to 385-415 ns, timed back to back).
 * Not 64 or 8: with those, plain-http's 8 KiB loops chunk passed 1M verifier steps (55k at 32). */
#define MT_WIPE_STRIDE 32

/* Zeroes n bytes (a multiple of 8) of map memory. */
static __always_inline void mt_wipe(__u8 *p, const int n)
{
	/* volatile: keep them stores (no memset idiom) in every profile */
	MT_LOOP
	for (int o = 0; o + MT_WIPE_STRIDE <= n; o += MT_WIPE_STRIDE) {
		MT_UNROLL
		for (int w = 0; w < MT_WIPE_STRIDE; w += 8)
			*(volatile __u64 *)(p + o + w) = 0;
	}
	MT_UNROLL
	for (int o = n / MT_WIPE_STRIDE * MT_WIPE_STRIDE; o + 8 <= n; o += 8)
		*(volatile __u64 *)(p + o) = 0;
}

/* Zeroes the first `used` bytes of n bytes of map memory, what was written: rounded up to
 * MT_WIPE_STRIDE inside the strides (past `used` the buffer is zero already), to 8 after them. */
static __always_inline void mt_wipe_used(__u8 *p, const int n, __u64 used)
{
	MT_LOOP
	for (int o = 0; o + MT_WIPE_STRIDE <= n; o += MT_WIPE_STRIDE) {
		if (o >= used)
			return;
		MT_UNROLL
		for (int w = 0; w < MT_WIPE_STRIDE; w += 8)
			*(volatile __u64 *)(p + o + w) = 0;
	}
	MT_UNROLL
	for (int o = n / MT_WIPE_STRIDE * MT_WIPE_STRIDE; o + 8 <= n; o += 8) {
		if (o >= used)
			break;
		*(volatile __u64 *)(p + o) = 0;
	}
}

/* 1: packet bytes in the skb's linear part are read in place.  0: always copied by the helper,
 * as a real request's are: its payload sits in page fragments (scripts/payload-linearity), where
 * BPF_PROG_TEST_RUN's frames are linear; meshtrace-bench --paged times the programs so. */
#ifndef MT_READ_IN_PLACE
#define MT_READ_IN_PLACE 1
#endif

/* The n packet bytes at skb offset off: straight from the packet when they are in its linear
 * part (a load, where the helper is a call), else copied into buf by the helper (a paged skb);
 * NULL when neither can read them. */
static __always_inline const __u8 *mt_packet_bytes(struct __sk_buff *skb, __u32 off, __u8 *buf, const __u32 n)
{
	const unsigned char *data = (const unsigned char *)(long)skb->data;
	const unsigned char *data_end = (const unsigned char *)(long)skb->data_end;
	if (MT_READ_IN_PLACE && off <= MT_MAX_HEADER_BYTES && (const void *)(data + off + n) <= (const void *)data_end)
		return data + off;
	if (bpf_skb_load_bytes(skb, off, buf, n))
		return 0;
	return buf;
}

/* Copies n bytes (a multiple of 8) of map memory: __builtin_memcpy cannot copy a large row. */
static __always_inline void mt_copy_words(void *dst, const void *src, const int n)
{
	MT_LOOP
	for (int o = 0; o + 8 <= n; o += 8)
		*(volatile __u64 *)((__u8 *)dst + o) = mt_load64((const __u8 *)src + o);
}
