#define _GNU_SOURCE
#include "sandglass_support.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/futex.h>
#include <malloc.h>
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#if defined(__x86_64__)
#include <cpuid.h>

static uint64_t sg_xgetbv0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

static int sg_os_saves(uint64_t mask) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27))) return 0; /* OSXSAVE */
    return (sg_xgetbv0() & mask) == mask;
}

int sg_cpu_has_avx2_fma(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1;
    return fma && avx && avx2 && sg_os_saves(0x6);
}

int sg_cpu_has_avx512(void) {
    unsigned a, b, c, d;
    if (!sg_cpu_has_avx2_fma()) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    return f && dq && bw && vl && sg_os_saves(0xe6);
}

int sg_cpu_has_avx512_vnni(void) {
    unsigned a, b, c, d;
    if (!sg_cpu_has_avx512()) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (c >> 11) & 1;
}

int sg_cpu_has_avx_vnni(void) {
    unsigned a, b, c, d;
    if (!sg_cpu_has_avx2_fma()) return 0;
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a >> 4) & 1;
}

int sg_cpu_has_neon(void) { return 0; }
int sg_cpu_has_neon_dotprod(void) { return 0; }

void sg_cpu_brand(char *buffer, int capacity) {
    if (capacity <= 0) return;
    buffer[0] = 0;
    unsigned regs[12];
    unsigned a, b, c, d;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000004u) return;
    for (unsigned i = 0; i < 3; i++) {
        __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    }
    char brand[49];
    memcpy(brand, regs, 48);
    brand[48] = 0;
    strncpy(buffer, brand, (size_t)capacity - 1);
    buffer[capacity - 1] = 0;
}

void sg_cpu_relax(void) { __builtin_ia32_pause(); }

#elif defined(__aarch64__)

int sg_cpu_has_avx2_fma(void) { return 0; }
int sg_cpu_has_avx512(void) { return 0; }
int sg_cpu_has_avx512_vnni(void) { return 0; }
int sg_cpu_has_avx_vnni(void) { return 0; }
int sg_cpu_has_neon(void) { return 1; }
/* sdot/udot (Armv8.2 dot product: Cortex-A55/A76 onward, Neoverse, Apple M1): HWCAP_ASIMDDP. */
int sg_cpu_has_neon_dotprod(void) { return (getauxval(AT_HWCAP) & (1UL << 20)) != 0; }
void sg_cpu_brand(char *buffer, int capacity) { if (capacity > 0) buffer[0] = 0; }
void sg_cpu_relax(void) { __asm__ volatile("yield"); }

#else

int sg_cpu_has_avx2_fma(void) { return 0; }
int sg_cpu_has_avx512(void) { return 0; }
int sg_cpu_has_avx512_vnni(void) { return 0; }
int sg_cpu_has_avx_vnni(void) { return 0; }
int sg_cpu_has_neon(void) { return 0; }
int sg_cpu_has_neon_dotprod(void) { return 0; }
void sg_cpu_brand(char *buffer, int capacity) { if (capacity > 0) buffer[0] = 0; }
void sg_cpu_relax(void) {}

#endif

int sg_sched_getcpu(void) { return sched_getcpu(); }

int sg_pin_thread_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : errno;
}

int sg_affinity_get(uint64_t *words, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return errno;
    for (int w = 0; w < count; w++) words[w] = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < count * 64; cpu++) {
        if (CPU_ISSET(cpu, &set)) words[cpu / 64] |= (uint64_t)1 << (cpu % 64);
    }
    return 0;
}

int sg_affinity_set(const uint64_t *words, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu < count * 64; cpu++) {
        if (words[cpu / 64] & ((uint64_t)1 << (cpu % 64))) CPU_SET(cpu, &set);
    }
    return sched_setaffinity(0, sizeof(set), &set) == 0 ? 0 : errno;
}

int sg_gettid(void) { return (int)syscall(SYS_gettid); }

uint32_t sg_atomic_load(const volatile uint32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
void sg_atomic_store(volatile uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
uint32_t sg_atomic_fetch_add(volatile uint32_t *p, uint32_t v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }

void sg_futex_wait(volatile uint32_t *p, uint32_t expected) {
    syscall(SYS_futex, p, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void sg_futex_wake_all(volatile uint32_t *p) {
    syscall(SYS_futex, p, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

void sg_malloc_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
