// libseccomp (Debian's libseccomp-dev): the extraction sandbox's system-call filter, and the few
// variadic or macro-only calls around it that Swift cannot import directly.
#ifndef SOTTO_CSECCOMP_SHIM_H
#define SOTTO_CSECCOMP_SHIM_H
#include <errno.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <sys/prctl.h>

/// prctl is variadic: no process this one starts (or becomes through execve) gains privileges.
static inline int sotto_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
static inline int sotto_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }
/// Core dumps off for this process (a dump of a parsed document would be a copy of it on disk).
static inline int sotto_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
static inline uint32_t sotto_act_errno(int code) { return SCMP_ACT_ERRNO(code); }
static inline uint32_t sotto_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t sotto_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline unsigned long long sotto_clone_thread(void) { return CLONE_THREAD; }
static inline int sotto_pr_set_name(void) { return PR_SET_NAME; }
#endif
