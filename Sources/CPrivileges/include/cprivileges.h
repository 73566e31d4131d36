#ifndef SLIPSD_CPRIVILEGES_H
#define SLIPSD_CPRIVILEGES_H
#include <stdint.h>
#include <sys/types.h>

/* Thin wrappers for what Glibc's Swift module does not expose. Each returns 0 or -errno. */

/* prctl(PR_SET_NO_NEW_PRIVS, 1). */
int cpriv_set_no_new_privs(void);
/* prctl(PR_SET_KEEPCAPS, on). */
int cpriv_set_keepcaps(int on);
/* prctl(PR_CAPBSET_DROP, cap). */
int cpriv_capbset_drop(int cap);
/* prctl(PR_CAPBSET_READ, cap): 1 if in the bounding set, 0 if not, -errno on error. */
int cpriv_capbset_read(int cap);
/* setgroups(0, NULL). */
int cpriv_clear_groups(void);
/* setresgid(gid, gid, gid). */
int cpriv_setresgid(gid_t gid);
/* setresuid(uid, uid, uid). */
int cpriv_setresuid(uid_t uid);
/* capset (version 3) with the same 64-bit mask as effective and permitted, empty inheritable. */
int cpriv_capset(uint64_t effective_and_permitted);
/* capget (version 3) of the calling thread. */
int cpriv_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
/* prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL). */
int cpriv_clear_ambient(void);
/* getsockopt(SO_PEERCRED): struct ucred needs _GNU_SOURCE, which Swift's Glibc module does not set. */
int cpriv_peer_credentials(int fd, uint32_t *uid, uint32_t *gid);
#endif
