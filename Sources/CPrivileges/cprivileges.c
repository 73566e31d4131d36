#define _GNU_SOURCE
#include "cprivileges.h"
#include <errno.h>
#include <grp.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>

static int result(int rc) { return rc == 0 ? 0 : -errno; }

int cpriv_set_no_new_privs(void) { return result(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)); }
int cpriv_set_keepcaps(int on) { return result(prctl(PR_SET_KEEPCAPS, on ? 1 : 0, 0, 0, 0)); }
int cpriv_capbset_drop(int cap) { return result(prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)); }
int cpriv_capbset_read(int cap) {
    int rc = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    return rc < 0 ? -errno : rc;
}
int cpriv_clear_groups(void) { return result(setgroups(0, NULL)); }
int cpriv_setresgid(gid_t gid) { return result(setresgid(gid, gid, gid)); }
int cpriv_setresuid(uid_t uid) { return result(setresuid(uid, uid, uid)); }
int cpriv_clear_ambient(void) { return result(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)); }

int cpriv_capset(uint64_t mask) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2] = {
        { (uint32_t)mask, (uint32_t)mask, 0 },
        { (uint32_t)(mask >> 32), (uint32_t)(mask >> 32), 0 },
    };
    return result((int)syscall(SYS_capset, &header, data));
}

int cpriv_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -errno;
    *effective = (uint64_t)data[1].effective << 32 | data[0].effective;
    *permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
    *inheritable = (uint64_t)data[1].inheritable << 32 | data[0].inheritable;
    return 0;
}

int cpriv_peer_credentials(int fd, uint32_t *uid, uint32_t *gid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -errno;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}
