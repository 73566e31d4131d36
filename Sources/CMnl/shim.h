#ifndef SLIPSD_CMNL_SHIM_H
#define SLIPSD_CMNL_SHIM_H
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink.h>

/// MNL_SOCKET_BUFFER_SIZE is a function-like macro: Swift does not import it.
static inline size_t cmnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
#endif
