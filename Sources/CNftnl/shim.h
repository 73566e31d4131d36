#ifndef SLIPSD_CNFTNL_SHIM_H
#define SLIPSD_CNFTNL_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>

/// MNL_SOCKET_BUFFER_SIZE is a function-like macro: Swift does not import it.
static inline size_t cnftnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
#endif
