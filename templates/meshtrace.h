/* meshtrace fixed C part: HTTP detection and the trace-context search.
 *
 * Pasted by the emitter after the generated #defines, types and prototypes
 * (mt_parse_packet, mt_table_allows, mt_submit_event) and before the generated
 * maps, parser, event copy and the MT_DEFINE_SEARCH_CHUNK(k) lines.
 *
 * Pipeline (each box is its own tc program, chained by tail calls through mt_progs):
 *   mt_ingress / mt_egress : reset scratch, parse L2-L4, table, HTTP detection
 *   mt_search_k (k < MT_CHUNKS) : find context header lines that BEGIN in
 *                           payload bytes [k*C, (k+1)*C) of the window; record
 *                           where each value starts (no value bytes copied yet)
 *   mt_finish              : copy the values (cut at CR/LF), submit the event
 */
#include "mt_core.h"
#include "mt_search.h"
#include "mt_programs.h"
