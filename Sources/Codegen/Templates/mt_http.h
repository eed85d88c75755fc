/* ---- mt_http.h: HTTP detection, one 8-byte load, one masked compare per method ---- */
static __always_inline int mt_detect_http(struct __sk_buff *skb, struct mt_scratch *s)
{
	__u32 off = s->payload_off;
	__u64 w = 0;

	s->is_response = 0;
	if (s->payload_end < off || s->payload_end - off < 8)
		return -1;
	const __u8 *first = mt_packet_bytes(skb, off, (__u8 *)&w, 8);
	if (!first)
		return -1;
	w = *(const __u64 *)first;
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
