#ifndef SLIPSD_CNFTNL_SHIM_H
#define SLIPSD_CNFTNL_SHIM_H
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
/* glibc's socket headers first: linux/in.h then skips the definitions glibc already made (libc-compat.h),
   so Swift sees one in_addr/in6_addr, not two conflicting ones. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>

/// MNL_SOCKET_BUFFER_SIZE is a function-like macro: Swift does not import it.
static inline size_t cnftnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }

/// XT_ALIGN (x_tables.h) is a function-like macro: nft_compat wants target info padded to it (8 on x86_64).
static inline size_t cnftnl_xt_align(size_t size) {
    struct cnftnl_xt_align_probe { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; };
    size_t a = _Alignof(struct cnftnl_xt_align_probe);
    return (size + a - 1) & ~(a - 1);
}
#endif
