#ifndef SLIPSD_CPCAP_SHIM_H
#define SLIPSD_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
