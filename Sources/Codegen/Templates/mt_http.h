/* ---- mt_http.h: HTTP detection, one 8-byte load, one masked compare per method ---- */
static __always_inline int mt_detect_http(struct __sk_buff *skb, struct mt_scratch *s)
{
	__u64 w = 0;

	if (s->payload_end < s->payload_off || s->payload_end - s->payload_off < 8)
		return -1;
	if (bpf_skb_load_bytes(skb, s->payload_off, &w, 8))
		return -1;
#if MT_HTTP_REQUESTS
#define MT__METHOD(name, len) \
	if (mt_keep_bytes(w, (len) + 1) == mt_lit_word(name " ", (len) + 1)) \
		return 0;
	MT_HTTP_METHODS(MT__METHOD)
#undef MT__METHOD
#endif
#if MT_HTTP_RESPONSES
	if (mt_keep_bytes(w, 7) == mt_lit_word("HTTP/1.", 7)) {
		s->is_response = 1;
		return 0;
	}
#endif
	return -1;
}
