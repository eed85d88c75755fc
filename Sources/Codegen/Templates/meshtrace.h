/* meshtrace fixed C part: HTTP detection and the trace-context search.
 *
 * Pasted by the emitter after the generated #defines (plan, spec, tunables),
 * types and prototypes (mt_parse_packet, mt_packet_settle, mt_table_allows,
 * mt_submit_event) and
 * before the generated maps, parser, event copy and MT_DEFINE_SEARCH_CHUNK(k) /
 * MT_DEFINE_SEARCH_MIDDLE_CHUNKS() lines, one stage a file, in this order (Templates.swift):
 *   mt_profile_<profile>.h   the loop profile: MT_LOOP and its own checks
 *   mt_core.h                checks, word tricks, scratch state, maps, counters
 *   mt_http.h                HTTP detection
 *   mt_scan.h                phase 1: newline lanes and line-start classes
 *   mt_scan_word_<form>.h    one scanned word: branching (unrolled) or branch-free (loops)
 *   mt_candidate.h           phase 2: the full compare of a candidate line
 *   mt_driver_<driver>.h     the loops of both phases: counted, or bpf_loop callbacks
 *                            (which takes the counted one too, for short windows)
 *   mt_chunk.h               one chunk program's work
 *   mt_value.h               the value copy
 *   mt_segments.h            requests whose header block goes on in the next segments
 *   mt_programs.h            the tc programs
 *
 * Pipeline (each box is its own tc program, chained by tail calls through mt_progs):
 *   mt_ingress / mt_egress : reset scratch, parse L2-L4, table, HTTP detection
 *   mt_search_k (k < MT_CHUNKS) : find context header lines that BEGIN in
 *                           payload bytes [k*C, (k+1)*C) of the window; record
 *                           where each value starts (no value bytes copied yet);
 *                           k = 0 and the last chunk, mt_search_middle for those
 *                           between them (one program, k in the scratch)
 *   mt_finish              : copy the values (cut at CR/LF), submit the event
 *   mt_hold                : (split requests) whether the request goes on in the
 *                           flow's next segment: hold it, or submit the event
 */
