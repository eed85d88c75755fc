/* ---- mt_profile_bpf_loop.h: the bpf_loop profile (Linux 5.17 and later) ----
 * The scan and the walk run as bpf_loop callbacks, verified once whatever the
 * count; the other loops over packet data stay bounded loops. */
#define MT_LOOP _Pragma("clang loop unroll(disable)")
/* a chunk's data is wiped as far as it was loaded (mt_chunk.h): its one chunk is the window */
#define MT_WIPE_AS_LOADED 1
