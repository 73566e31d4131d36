#ifndef SLIPSD_CMAXMINDDB_SHIM_H
#define SLIPSD_CMAXMINDDB_SHIM_H
#include <maxminddb.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* The AS number of one address in an opened GeoLite2-ASN-shaped database (`autonomous_system_number`).
   The address is slipsd's IPAddress: an IPv4 address in the low 32 bits of `low`, an IPv6 one as the 128-bit
   value `high:low`. Nothing is allocated: the sockaddr lives on the stack, libmaxminddb reads its mmap, and the
   value is found with MMDB_aget_value over a static path (MMDB_get_value, variadic, callocs the path on every
   call: one allocation per lookup, counted by `make bench` section 8).
   Returns 1 with *asn set when the address has an AS number, 0 when not (or on any lookup error). */
static inline int cmaxminddb_asn(MMDB_s *db, int ipv6, uint64_t high, uint64_t low, uint32_t *asn) {
    struct sockaddr_storage storage;
    memset(&storage, 0, sizeof storage);
    if (ipv6) {
        struct sockaddr_in6 *six = (struct sockaddr_in6 *)&storage;
        six->sin6_family = AF_INET6;
        for (int i = 0; i < 8; i++) {
            six->sin6_addr.s6_addr[i] = (uint8_t)(high >> (56 - 8 * i));
            six->sin6_addr.s6_addr[8 + i] = (uint8_t)(low >> (56 - 8 * i));
        }
    } else {
        struct sockaddr_in *four = (struct sockaddr_in *)&storage;
        four->sin_family = AF_INET;
        four->sin_addr.s_addr = htonl((uint32_t)low);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s result = MMDB_lookup_sockaddr(db, (const struct sockaddr *)&storage, &error);
    if (error != MMDB_SUCCESS || !result.found_entry) return 0;
    static const char *const path[] = { "autonomous_system_number", NULL };
    MMDB_entry_data_s data;
    if (MMDB_aget_value(&result.entry, &data, path) != MMDB_SUCCESS) return 0;
    if (!data.has_data) return 0;
    switch (data.type) {
    case MMDB_DATA_TYPE_UINT32: *asn = data.uint32; return 1;
    case MMDB_DATA_TYPE_UINT16: *asn = data.uint16; return 1;
    case MMDB_DATA_TYPE_UINT64: if (data.uint64 > UINT32_MAX) return 0; *asn = (uint32_t)data.uint64; return 1;
    default: return 0;
    }
}

/* The MMDB_MODE_MMAP flag (a macro). */
static inline uint32_t cmaxminddb_mode_mmap(void) { return MMDB_MODE_MMAP; }

#endif
