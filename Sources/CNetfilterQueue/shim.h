#ifndef SLIPSD_CNFQ_SHIM_H
#define SLIPSD_CNFQ_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
/* glibc's <netinet/in.h> before the kernel headers: linux/libc-compat.h then skips its own in_addr/in6_addr,
   which would otherwise clash with the SwiftGlibc module's definitions in files that import both. */
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

/// NFQA_MAX is an enum-derived macro that Swift does not import.
static inline int cnfq_attr_max(void) { return NFQA_MAX; }
#endif
