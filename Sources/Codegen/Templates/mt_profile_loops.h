/* ---- mt_profile_loops.h: the bounded-loops profile (Linux 5.3 and later) ----
 * Loops over packet data stay loops; the verifier walks every iteration, so the
 * planner keeps chunks and candidate counts small enough for its complexity budget. */
#define MT_LOOP _Pragma("clang loop unroll(disable)")
#define MT_BPF_LOOP_DRIVER 0
/* a chunk's data is wiped whole (mt_chunk.h): its chunks are small, and a loop that stops at the
 * loaded length multiplied the verifier's work past its limit with ten context headers */
#define MT_WIPE_AS_LOADED 0
