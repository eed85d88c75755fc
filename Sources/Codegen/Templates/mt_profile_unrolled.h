/* ---- mt_profile_unrolled.h: the unrolled profile (any kernel with tail calls) ----
 * No loop at all: every loop over packet data is unrolled, as pre-5.3 verifiers
 * require, and the search is chunked small enough for 4096 instructions. */
#define MT_LOOP _Pragma("unroll")
#define MT_BPF_LOOP_DRIVER 0

#if MT_CHUNK_BYTES > 512
/* One 64-bit word-bitmap per chunk in the unrolled candidate walk; larger chunks
 * would not fit the instruction budget anyway. */
#error "unrolled profile: MT_CHUNK_BYTES must be <= 512"
#endif
/* a chunk's data is wiped whole (mt_chunk.h): a branch per word would split the verifier's states, and unrolled chunks are small */
#define MT_WIPE_AS_LOADED 0
