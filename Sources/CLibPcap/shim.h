/* Classic BPF's `struct bpf_insn` (pcap/bpf.h) would clash with eBPF's (linux/bpf.h) in the
 * modules that import both; meshtrace uses no capture filters, so pcap/bpf.h stays out. */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>

#ifndef DLT_EN10MB
#define DLT_EN10MB 1
#endif
