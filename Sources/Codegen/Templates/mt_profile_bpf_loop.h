/* ---- mt_profile_bpf_loop.h: the bpf_loop profile (Linux 5.17 and later) ----
 * The scan and the walk run as bpf_loop callbacks, verified once whatever the
 * count (a window of at most MT_COUNTED_WORDS words as bounded loops); the other
 * loops over packet data stay bounded loops. */
#define MT_LOOP _Pragma("clang loop unroll(disable)")
/* the phases are mt_driver_bpf_loop.h's, the counted driver's for a window of at most
 * MT_COUNTED_WORDS words: no callback calls (0.84-0.92 of a 200 B request's time), at a
 * verifier cost that climbs fast with the words (overlays.swift anywhere: 350k instructions
 * at 200 B, past the 1M limit at 400 B) */
#define MT_BPF_LOOP_DRIVER 1
#define MT_COUNTED_WORDS 32
/* a chunk's data is wiped as far as it was loaded (mt_chunk.h): its one chunk is the window.  A
 * window the counted driver searches is wiped whole, as in the loops profile: a wipe that stops
 * at the loaded length multiplied the verifier's work past its limit (overlays.swift, 200 B
 * anywhere) */
#define MT_WIPE_AS_LOADED (MT_WORDS > MT_COUNTED_WORDS)
