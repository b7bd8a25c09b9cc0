// Small C helpers that Swift cannot express directly: CPU feature detection (cpuid/xgetbv or
// getauxval), sched_getcpu (a GNU extension that Swift's Glibc module hides), C11 atomics and
// a futex wait/wake for the thread pool, and a spin-loop hint.
#ifndef SANDGLASS_SUPPORT_H
#define SANDGLASS_SUPPORT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 if the CPU and the OS support AVX2 with FMA (x86-64-v3), else 0.
int sg_cpu_has_avx2_fma(void);
/// 1 if the CPU and the OS support AVX-512 F/BW/DQ/VL (x86-64-v4), else 0.
int sg_cpu_has_avx512(void);
/* AVX-512 as above plus VNNI (vpdpbusd: CPUID.7.0:ECX bit 11). */
int sg_cpu_has_avx512_vnni(void);
/* AVX2+FMA as above plus AVX-VNNI (256-bit vpdpbusd: CPUID.7.1:EAX bit 4). */
int sg_cpu_has_avx_vnni(void);
/// 1 on AArch64 with Advanced SIMD (always true on Linux/arm64), else 0.
int sg_cpu_has_neon(void);
/// 1 on AArch64 with the dot-product instructions (sdot/udot, HWCAP_ASIMDDP), else 0.
int sg_cpu_has_neon_dotprod(void);
/// The CPU brand string (x86) or an empty string; writes at most `capacity` bytes.
void sg_cpu_brand(char *buffer, int capacity);

/// The CPU the calling thread runs on, or -1.
int sg_sched_getcpu(void);
/// Pins the calling thread to one CPU. Returns 0 or an errno value.
int sg_pin_thread_to_cpu(int cpu);
/// The calling thread's CPU affinity as a bit mask in `words` (64 CPUs per word). Returns 0 or errno.
int sg_affinity_get(uint64_t *words, int count);
/// Sets the calling thread's CPU affinity from a bit mask. Returns 0 or errno.
int sg_affinity_set(const uint64_t *words, int count);
/// The Linux thread id of the calling thread.
int sg_gettid(void);

/// Atomics on a 32-bit word, sequentially consistent where it matters for the thread pool.
uint32_t sg_atomic_load(const volatile uint32_t *p);
void sg_atomic_store(volatile uint32_t *p, uint32_t v);
uint32_t sg_atomic_fetch_add(volatile uint32_t *p, uint32_t v);

/// Returns freed heap memory to the kernel (glibc malloc_trim; a no-op elsewhere).
void sg_malloc_trim(void);
/// Blocks while *p == expected (futex), returns at once otherwise.
void sg_futex_wait(volatile uint32_t *p, uint32_t expected);
/// Wakes every thread waiting on p.
void sg_futex_wake_all(volatile uint32_t *p);
/// A pause/yield instruction for spin loops.
void sg_cpu_relax(void);

/// The CPU's free-running tick counter, read without serialization: rdtsc on x86-64,
/// cntvct_el0 on arm64, 0 elsewhere.
static inline uint64_t sg_ticks(void) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

/// Reads hardware performance counter `counter` (the perf mmap page's index - 1) from user
/// space: rdpmc on x86-64 (allowed once the task has mmapped a perf event and
/// /sys/bus/event_source/devices/cpu/rdpmc is 1), pmevcntr<n>_el0 / pmccntr_el0 (31) on arm64
/// (allowed when the kernel's perf_user_access is 1). Call it only when the page says
/// cap_user_rdpmc and a non-zero index: elsewhere it faults.
static inline uint64_t sg_rdpmc(uint32_t counter) {
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdpmc" : "=a"(lo), "=d"(hi) : "c"(counter) : "memory");
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t v = 0;
#define SG_PMEV(n) case n: __asm__ __volatile__("mrs %0, pmevcntr" #n "_el0" : "=r"(v) : : "memory"); break;
    switch (counter) {
    SG_PMEV(0) SG_PMEV(1) SG_PMEV(2) SG_PMEV(3) SG_PMEV(4) SG_PMEV(5) SG_PMEV(6) SG_PMEV(7)
    SG_PMEV(8) SG_PMEV(9) SG_PMEV(10) SG_PMEV(11) SG_PMEV(12) SG_PMEV(13) SG_PMEV(14) SG_PMEV(15)
    SG_PMEV(16) SG_PMEV(17) SG_PMEV(18) SG_PMEV(19) SG_PMEV(20) SG_PMEV(21) SG_PMEV(22) SG_PMEV(23)
    SG_PMEV(24) SG_PMEV(25) SG_PMEV(26) SG_PMEV(27) SG_PMEV(28) SG_PMEV(29) SG_PMEV(30)
    case 31: __asm__ __volatile__("mrs %0, pmccntr_el0" : "=r"(v) : : "memory"); break;
    default: break;
    }
#undef SG_PMEV
    return v;
#else
    (void)counter;
    return 0;
#endif
}

/// Whether this build can read counters from user space at all (x86-64 or arm64).
static inline int sg_rdpmc_supported(void) {
#if defined(__x86_64__) || defined(__aarch64__)
    return 1;
#else
    return 0;
#endif
}

#ifdef __cplusplus
}
#endif
#endif
