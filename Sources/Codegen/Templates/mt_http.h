/* ---- mt_http.h: HTTP detection, one 8-byte load, one masked compare per method ---- */
static __always_inline int mt_detect_http(struct __sk_buff *skb, struct mt_scratch *s)
{
	__u32 off = s->payload_off;
	__u64 w = 0;

	s->is_response = 0;
	if (s->payload_end < off || s->payload_end - off < 8)
		return -1;
	/* The first 8 payload bytes straight from the packet when they are in its linear part
	 * (a load, where the helper is a call); a paged skb goes through the helper, same bytes. */
	const unsigned char *data = (const unsigned char *)(long)skb->data;
	const unsigned char *data_end = (const unsigned char *)(long)skb->data_end;
	if (off <= MT_MAX_HEADER_BYTES && (const void *)(data + off + 8) <= (const void *)data_end)
		w = *(const __u64 *)(data + off);
	else if (bpf_skb_load_bytes(skb, off, &w, 8))
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
