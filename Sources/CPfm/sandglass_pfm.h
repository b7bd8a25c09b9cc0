// libpfm4 (event names to perf_event_attr) and the perf_event_open system call, for Swift.
// Only libpfm's copy of <perf_event.h> is included: it defines the same struct as
// <linux/perf_event.h>, and the two cannot share a module. The wrappers are static inline
// so that this stays a header-only system library target: `syscall` is variadic and the
// PERF_EVENT_IOC_* requests are _IO() macros, neither of which Swift can call or import.
#ifndef SANDGLASS_PFM_H
#define SANDGLASS_PFM_H

#include <perfmon/pfmlib_perf_event.h>
#include <errno.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/// perf_event_open(2) on the calling thread's behalf; returns the fd or -1 with errno set.
static inline int sg_perf_event_open(struct perf_event_attr *attr, int pid, int cpu, int group_fd,
                                     unsigned long flags) {
    return (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd, flags);
}

/// Enables, disables or resets a whole group through its leader; 0 or -1 with errno set.
static inline int sg_perf_enable_group(int leader) {
    return ioctl(leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}
static inline int sg_perf_disable_group(int leader) {
    return ioctl(leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}
static inline int sg_perf_reset_group(int leader) {
    return ioctl(leader, PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP);
}

/// The size of this libpfm's perf_event_attr (128 bytes in libpfm 4.13, 136 in 4.13+git).
static inline size_t sg_perf_event_attr_size(void) { return sizeof(struct perf_event_attr); }

/// The size of the argument struct of pfm_get_os_event_encoding(PFM_OS_PERF_EVENT_EXT).
static inline size_t sg_pfm_perf_encode_arg_size(void) { return sizeof(pfm_perf_encode_arg_t); }

/// Last errno of the calling thread (Swift's `errno` is not always visible through Glibc overlays).
static inline int sg_errno(void) { return errno; }

#endif
