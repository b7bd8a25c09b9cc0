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
/// 1 on AArch64 with Advanced SIMD (always true on Linux/arm64), else 0.
int sg_cpu_has_neon(void);
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

#ifdef __cplusplus
}
#endif
#endif
