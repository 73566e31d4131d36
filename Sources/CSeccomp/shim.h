#ifndef SLIPSD_CSECCOMP_SHIM_H
#define SLIPSD_CSECCOMP_SHIM_H
#include <seccomp.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/sched.h>
#include <linux/prctl.h>

/* SCMP_ACT_ERRNO is a function-like macro: Swift does not import it. */
static inline uint32_t cseccomp_act_errno(uint16_t code) { return SCMP_ACT_ERRNO(code); }

/* The action constants are macros with casts Swift does not import reliably. */
static inline uint32_t cseccomp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t cseccomp_act_log(void) { return SCMP_ACT_LOG; }
static inline uint32_t cseccomp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }

/* Constants of the allowlist's argument rules, from the kernel's headers (Glibc's Swift module lacks them). */
static inline uint64_t cseccomp_clone_thread(void) { return CLONE_THREAD; }
static inline uint64_t cseccomp_pr_set_name(void) { return PR_SET_NAME; }

#endif
