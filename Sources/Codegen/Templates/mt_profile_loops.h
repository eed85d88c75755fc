/* ---- mt_profile_loops.h: the bounded-loops profile (Linux 5.3 and later) ----
 * Loops over packet data stay loops; the verifier walks every iteration, so the
 * planner keeps chunks and candidate counts small enough for its complexity budget. */
#define MT_LOOP _Pragma("clang loop unroll(disable)")
/* a chunk's data is wiped as far as it was loaded (mt_chunk.h) */
#define MT_WIPE_AS_LOADED 1
