// Lane-wise clamps, adds and multiplies on clang vector types, inlined into the Swift kernels.
// Swift's generic SIMD comparisons lower to per-lane code or mask round trips (about 20
// instructions per compare inside the GEMM epilogue), and its generic lane-wise + and * can be
// scalarised by the SLP vectoriser in large specialised kernels; clang's vector operators lower
// to one instruction each (vmaxps/vminps/vaddps/vmulps, fmax/fmin/fadd/fmul), compiled with the
// flags of the Swift module that inlines them.
#ifndef SANDGLASS_VECTOR_H
#define SANDGLASS_VECTOR_H

typedef float sg_f32x4 __attribute__((ext_vector_type(4)));
typedef float sg_f32x8 __attribute__((ext_vector_type(8)));
typedef float sg_f32x16 __attribute__((ext_vector_type(16)));

#define SG_INLINE static inline __attribute__((always_inline))

#include <stddef.h>
/* A per-thread scratch buffer, grown on demand and kept (sandglass_vector.c). */
void *sg_thread_scratch(size_t bytes);

SG_INLINE sg_f32x4 sg_clamp_f32x4(sg_f32x4 x, sg_f32x4 lo, sg_f32x4 hi) {
    sg_f32x4 y = x < lo ? lo : x;
    return y > hi ? hi : y;
}

SG_INLINE sg_f32x8 sg_clamp_f32x8(sg_f32x8 x, sg_f32x8 lo, sg_f32x8 hi) {
    sg_f32x8 y = x < lo ? lo : x;
    return y > hi ? hi : y;
}

SG_INLINE sg_f32x16 sg_clamp_f32x16(sg_f32x16 x, sg_f32x16 lo, sg_f32x16 hi) {
    sg_f32x16 y = x < lo ? lo : x;
    return y > hi ? hi : y;
}

SG_INLINE sg_f32x4 sg_add_f32x4(sg_f32x4 a, sg_f32x4 b) { return a + b; }
SG_INLINE sg_f32x8 sg_add_f32x8(sg_f32x8 a, sg_f32x8 b) { return a + b; }
SG_INLINE sg_f32x16 sg_add_f32x16(sg_f32x16 a, sg_f32x16 b) { return a + b; }
SG_INLINE sg_f32x4 sg_masked_add_f32x4(sg_f32x4 x, sg_f32x4 r, sg_f32x4 m) { return m != 0 ? x + r : x; }
SG_INLINE sg_f32x8 sg_masked_add_f32x8(sg_f32x8 x, sg_f32x8 r, sg_f32x8 m) { return m != 0 ? x + r : x; }
SG_INLINE sg_f32x16 sg_masked_add_f32x16(sg_f32x16 x, sg_f32x16 r, sg_f32x16 m) { return m != 0 ? x + r : x; }
SG_INLINE sg_f32x4 sg_mul_f32x4(sg_f32x4 a, sg_f32x4 b) { return a * b; }
SG_INLINE sg_f32x8 sg_mul_f32x8(sg_f32x8 a, sg_f32x8 b) { return a * b; }
SG_INLINE sg_f32x16 sg_mul_f32x16(sg_f32x16 a, sg_f32x16 b) { return a * b; }

/// Asks for the cache line holding p before it is read (a hint: it never faults).
SG_INLINE void sg_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

/// Sixteen ones then sixteen zeros: the 16 - n'th float starts a vector whose first n lanes are
/// 1 and the rest 0, the mask of a partial shortcut add ending inside a vector (a masked add
/// with it replaces a loop over lanes).
SG_INLINE const float *sg_lane_mask_table(void) {
    static const float table[32] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    return table;
}


/* sigmoid(x) = 1 / (1 + exp(-x)), with exp(t) = 2^n · p(r): n = round(t / ln 2), r = t − n·ln 2 in
   [−ln2/2, ln2/2], p the degree-6 Taylor polynomial (relative error about 1e-7 there), 2^n built in
   the exponent bits. t is clamped to ±87 so 2^n stays a normal float; sigmoid saturates long before. */
#define SG_SIGMOID(N) \
SG_INLINE sg_f32x##N sg_sigmoid_f32x##N(sg_f32x##N x) { \
    typedef int sg_i32x##N __attribute__((ext_vector_type(N))); \
    sg_f32x##N t = -x; \
    t = t < -87.0f ? -87.0f : t; \
    t = t > 87.0f ? 87.0f : t; \
    sg_f32x##N n = __builtin_elementwise_floor(t * 1.44269504088896341f + 0.5f); \
    sg_f32x##N r = t - n * 0.693145751953125f - n * 1.428606765330187e-06f; \
    sg_f32x##N p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 + r * (1.0f / 720)))))); \
    sg_i32x##N bits = (__builtin_convertvector(n, sg_i32x##N) + 127) << 23; \
    sg_f32x##N e = p * (sg_f32x##N)bits; \
    return 1.0f / (1.0f + e); \
}
SG_SIGMOID(4)
SG_SIGMOID(8)

#if defined(__AVX512F__)
#include <immintrin.h>
/* The same function in the AVX-512 kernels without the division and the integer round trip:
   2^n·p by vscalefps, 1/(1 + e) by vrcp14ps (14 bits) and one Newton step (about 28 bits).
   Coefficients carry the sign of r = −s, s = u + n·ln 2, u = x clamped to ±87. EfficientNet-B0
   ran 0.984 [0.978, 0.990] of the division's time on Zen 5, paired (Reports/tuning-epyc-zen5.md). */
SG_INLINE sg_f32x16 sg_sigmoid_f32x16(sg_f32x16 x) {
    __m512 u = _mm512_min_ps(_mm512_max_ps((__m512)x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(u, _mm512_set1_ps(-1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 s = _mm512_fmadd_ps(n, _mm512_set1_ps(0.693145751953125f), u);
    s = _mm512_fmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), s);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.0f / 720), s, _mm512_set1_ps(-1.0f / 120));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-1.0f / 6));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(-1.0f));
    p = _mm512_fmadd_ps(p, s, _mm512_set1_ps(1.0f));
    __m512 d = _mm512_add_ps(_mm512_scalef_ps(p, n), _mm512_set1_ps(1.0f));
    __m512 y = _mm512_rcp14_ps(d);
    y = _mm512_mul_ps(y, _mm512_fnmadd_ps(d, y, _mm512_set1_ps(2.0f)));
    return (sg_f32x16)y;
}
#else
SG_SIGMOID(16)
#endif

/* ---- 8-bit quantized kernels (Quantization.swift) ------------------------------------------ */
#if (defined(__AVXVNNI__) || defined(__AVX2__)) && !defined(__AVX512F__)
#include <immintrin.h>
#endif
#if defined(__ARM_FEATURE_DOTPROD)
#include <arm_neon.h>
#endif
typedef int sg_i32x16 __attribute__((ext_vector_type(16)));
typedef unsigned char sg_u8x16 __attribute__((ext_vector_type(16)));

/* The dot product on activations split into 16-bit pairs (sg_dot4_u8s8_i32x16 splits them per
   call; qu8_gemm_4x16c4w widens them once per tile and takes the split-weight form below): aEven
   holds bytes 0 and 2 of a row's 4-byte block as two 16-bit lanes, aOdd bytes 1 and 3; the
   weights' bytes are split the same way here. Two vpmaddwd per 8 lanes, exact:
   each 32-bit sum of two products is at most 2·255·128. */
SG_INLINE sg_i32x16 sg_dot4_pairs_u16s8_i32x16(sg_i32x16 acc, sg_i32x16 aEven, sg_i32x16 aOdd, sg_i32x16 w) {
#if defined(__AVX2__) && !defined(__AVX512F__)
    typedef short sg_i16x16_ __attribute__((ext_vector_type(16)));
    typedef unsigned short sg_u16x16_ __attribute__((ext_vector_type(16)));
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    sg_i32x8_ half[2];
    for (int h = 0; h < 2; h++) {
        sg_i32x8_ e8 = h == 0 ? __builtin_shufflevector(aEven, aEven, 0, 1, 2, 3, 4, 5, 6, 7)
                              : __builtin_shufflevector(aEven, aEven, 8, 9, 10, 11, 12, 13, 14, 15);
        sg_i32x8_ o8 = h == 0 ? __builtin_shufflevector(aOdd, aOdd, 0, 1, 2, 3, 4, 5, 6, 7)
                              : __builtin_shufflevector(aOdd, aOdd, 8, 9, 10, 11, 12, 13, 14, 15);
        sg_i32x8_ w8 = h == 0 ? __builtin_shufflevector(w, w, 0, 1, 2, 3, 4, 5, 6, 7)
                              : __builtin_shufflevector(w, w, 8, 9, 10, 11, 12, 13, 14, 15);
        sg_i16x16_ w16 = (sg_i16x16_)w8;
        sg_i16x16_ wEven = (sg_i16x16_)((sg_u16x16_)w16 << 8) >> 8, wOdd = w16 >> 8;
        half[h] = (sg_i32x8_)__builtin_ia32_pmaddwd256((__v16hi)e8, (__v16hi)wEven)
                + (sg_i32x8_)__builtin_ia32_pmaddwd256((__v16hi)o8, (__v16hi)wOdd);
    }
    return acc + __builtin_shufflevector(half[0], half[1], 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#else
    acc += (aEven & 0xFFFF) * ((w << 24) >> 24) + (aEven >> 16) * ((w << 8) >> 24);
    acc += (aOdd & 0xFFFF) * ((w << 16) >> 24) + (aOdd >> 16) * (w >> 24);
    return acc;
#endif
}

/* One row of A split into the 16-bit pairs that sg_dot4_pairs_split_u16s8 takes: for each 4-byte block
   i of `src`, dst[2i] holds bytes 0 and 2 as two 16-bit lanes and dst[2i+1] bytes 1 and 3. Eight
   blocks per step, interleaved by two shuffles: the scalar loop this replaces stored 4 bytes at a
   time, two stores per block, and a Zen 1 stores one per cycle: counted, about a sixth of a tile's
   cycles in a K = 32, N = 16 layer (measured: that layer 1.21 -> 1.155 of ONNX Runtime's). */
SG_INLINE void sg_widen_pairs_u8(const void *src, int *dst, long kb) {
    typedef int sg_i32x4_ __attribute__((ext_vector_type(4)));
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    const char *s = (const char *)src;
    long i = 0;
    for (; i + 8 <= kb; i += 8) {
        sg_i32x8_ v;
        __builtin_memcpy(&v, s + 4 * i, sizeof v);
        sg_i32x8_ e = v & 0x00FF00FF, o = (v >> 8) & 0x00FF00FF;
        sg_i32x8_ lo = __builtin_shufflevector(e, o, 0, 8, 1, 9, 2, 10, 3, 11);
        sg_i32x8_ hi = __builtin_shufflevector(e, o, 4, 12, 5, 13, 6, 14, 7, 15);
        __builtin_memcpy(dst + 2 * i, &lo, sizeof lo);
        __builtin_memcpy(dst + 2 * i + 8, &hi, sizeof hi);
    }
    if (i + 4 <= kb) {
        sg_i32x4_ v;
        __builtin_memcpy(&v, s + 4 * i, sizeof v);
        sg_i32x4_ e = v & 0x00FF00FF, o = (v >> 8) & 0x00FF00FF;
        sg_i32x4_ lo = __builtin_shufflevector(e, o, 0, 4, 1, 5);
        sg_i32x4_ hi = __builtin_shufflevector(e, o, 2, 6, 3, 7);
        __builtin_memcpy(dst + 2 * i, &lo, sizeof lo);
        __builtin_memcpy(dst + 2 * i + 4, &hi, sizeof hi);
        i += 4;
    }
    for (; i < kb; i++) {
        int v;
        __builtin_memcpy(&v, s + 4 * i, sizeof v);
        dst[2 * i] = v & 0x00FF00FF;
        dst[2 * i + 1] = (v >> 8) & 0x00FF00FF;
    }
}

/* The same two products with the weights split at packing (PackedQuantizedGEMMWeights.pairWeights),
   as qu8_gemm_4x16c4w reads them: per 8 columns, 16 int16 lanes of bytes 0 and 2 of each column's
   4-byte block, then 16 of bytes 1 and 3, so that the loop loads them instead of shifting them out
   (three shifts per 8 columns and block, which on Zen 1's 128-bit units cost the loop about a
   tenth: Benchmarks/microarch). `w` holds 32 int16 per 8 lanes. The 8-lane form serves a last
   panel whose real columns end within its first 8 (N = 24, 40, ...). */
typedef int sg_i32x8 __attribute__((ext_vector_type(8)));
SG_INLINE sg_i32x8 sg_dot4_pairs_split_u16s8_i32x8(sg_i32x8 acc, sg_i32x8 aEven, sg_i32x8 aOdd, const short *w) {
#if defined(__AVX2__) && !defined(__AVX512F__)
    typedef short sg_i16x16_ __attribute__((ext_vector_type(16)));
    sg_i16x16_ wEven, wOdd;
    __builtin_memcpy(&wEven, w, sizeof wEven);
    __builtin_memcpy(&wOdd, w + 16, sizeof wOdd);
    return acc + (sg_i32x8)__builtin_ia32_pmaddwd256((__v16hi)aEven, (__v16hi)wEven)
               + (sg_i32x8)__builtin_ia32_pmaddwd256((__v16hi)aOdd, (__v16hi)wOdd);
#else
    for (int lane = 0; lane < 8; lane++) {
        const short *h = w + 2 * lane;
        acc[lane] += (aEven[lane] & 0xFFFF) * h[0] + ((aEven[lane] >> 16) & 0xFFFF) * h[1]
                   + (aOdd[lane] & 0xFFFF) * h[16] + ((aOdd[lane] >> 16) & 0xFFFF) * h[17];
    }
    return acc;
#endif
}

SG_INLINE sg_i32x16 sg_dot4_pairs_split_u16s8_i32x16(sg_i32x16 acc, sg_i32x16 aEven, sg_i32x16 aOdd, const short *w) {
    sg_i32x8 lo = sg_dot4_pairs_split_u16s8_i32x8(__builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7),
                                                  __builtin_shufflevector(aEven, aEven, 0, 1, 2, 3, 4, 5, 6, 7),
                                                  __builtin_shufflevector(aOdd, aOdd, 0, 1, 2, 3, 4, 5, 6, 7), w);
    sg_i32x8 hi = sg_dot4_pairs_split_u16s8_i32x8(__builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15),
                                                  __builtin_shufflevector(aEven, aEven, 8, 9, 10, 11, 12, 13, 14, 15),
                                                  __builtin_shufflevector(aOdd, aOdd, 8, 9, 10, 11, 12, 13, 14, 15), w + 32);
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* acc + Σ_{j<4} u8(byte j of a) · s8(byte j of w), lane by lane: vpdpbusd where the module is
   compiled with AVX-512 VNNI (SandglassKernelsAVX512VNNI) or AVX-VNNI (SandglassKernelsAVX2VNNI),
   vpmaddwd on bytes widened to 16 bits with AVX2, else four multiply-adds on the
   bytes shifted out of each lane. All exact: no 16-bit saturation, unlike pmaddubsw. */
SG_INLINE sg_i32x16 sg_dot4_u8s8_i32x16(sg_i32x16 acc, sg_i32x16 a, sg_i32x16 w) {
#if defined(__AVX512VNNI__) && defined(__AVX512F__)
    return (sg_i32x16)__builtin_ia32_vpdpbusd512((__v16si)acc, (__v16si)a, (__v16si)w);
#elif defined(__AVXVNNI__)
    /* AVX-VNNI (Alder Lake, Zen 5): two 256-bit vpdpbusd. */
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    sg_i32x8_ lo = (sg_i32x8_)__builtin_ia32_vpdpbusd256((__v8si)__builtin_shufflevector(acc, acc, 0, 1, 2, 3, 4, 5, 6, 7),
                                                         (__v8si)__builtin_shufflevector(a, a, 0, 1, 2, 3, 4, 5, 6, 7),
                                                         (__v8si)__builtin_shufflevector(w, w, 0, 1, 2, 3, 4, 5, 6, 7));
    sg_i32x8_ hi = (sg_i32x8_)__builtin_ia32_vpdpbusd256((__v8si)__builtin_shufflevector(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15),
                                                         (__v8si)__builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15),
                                                         (__v8si)__builtin_shufflevector(w, w, 8, 9, 10, 11, 12, 13, 14, 15));
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#elif defined(__AVX2__) && !defined(__AVX512F__)
    /* AVX2 (Zen 3, Intel client parts before Alder Lake): the bytes split into 16-bit pairs, then
       two vpmaddwd per 8 lanes instead of four vpmulld and their shifts. */
    return sg_dot4_pairs_u16s8_i32x16(acc, a & 0x00FF00FF, (a >> 8) & 0x00FF00FF, w);
#else
    acc += (a & 255) * ((w << 24) >> 24);
    acc += ((a >> 8) & 255) * ((w << 16) >> 24);
    acc += ((a >> 16) & 255) * ((w << 8) >> 24);
    acc += ((a >> 24) & 255) * (w >> 24);
    return acc;
#endif
}

/* acc + Σ_{j<4} s8(byte j of a) · s8(byte j of w), lane by lane: the Arm dot product (sdot, four
   per 16 lanes) where the module is compiled with +dotprod (SandglassKernelsNEONDot), else four
   multiply-adds on the bytes shifted out of each lane. The GEMM gives it activations with their
   top bit flipped (a − 128 as a signed byte) and a bias that adds back 128·Σw: sdot multiplies
   signed by signed only, and Armv8.2's cores (Cortex-A55/A76, the Raspberry Pi 5) lack usdot. */
SG_INLINE sg_i32x16 sg_dot4_s8s8_i32x16(sg_i32x16 acc, sg_i32x16 a, sg_i32x16 w) {
#if defined(__ARM_FEATURE_DOTPROD)
    typedef int sg_i32x4_ __attribute__((ext_vector_type(4)));
    typedef signed char sg_i8x16_ __attribute__((ext_vector_type(16)));
    sg_i32x4_ q[4];
    for (int j = 0; j < 4; j++) {
        sg_i32x4_ accj = j == 0 ? __builtin_shufflevector(acc, acc, 0, 1, 2, 3) : j == 1 ? __builtin_shufflevector(acc, acc, 4, 5, 6, 7)
                       : j == 2 ? __builtin_shufflevector(acc, acc, 8, 9, 10, 11) : __builtin_shufflevector(acc, acc, 12, 13, 14, 15);
        sg_i32x4_ aj = j == 0 ? __builtin_shufflevector(a, a, 0, 1, 2, 3) : j == 1 ? __builtin_shufflevector(a, a, 4, 5, 6, 7)
                     : j == 2 ? __builtin_shufflevector(a, a, 8, 9, 10, 11) : __builtin_shufflevector(a, a, 12, 13, 14, 15);
        sg_i32x4_ wj = j == 0 ? __builtin_shufflevector(w, w, 0, 1, 2, 3) : j == 1 ? __builtin_shufflevector(w, w, 4, 5, 6, 7)
                     : j == 2 ? __builtin_shufflevector(w, w, 8, 9, 10, 11) : __builtin_shufflevector(w, w, 12, 13, 14, 15);
        q[j] = (sg_i32x4_)vdotq_s32((int32x4_t)accj, (int8x16_t)(sg_i8x16_)aj, (int8x16_t)(sg_i8x16_)wj);
    }
    return __builtin_shufflevector(__builtin_shufflevector(q[0], q[1], 0, 1, 2, 3, 4, 5, 6, 7),
                                   __builtin_shufflevector(q[2], q[3], 0, 1, 2, 3, 4, 5, 6, 7),
                                   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#else
    acc += ((a << 24) >> 24) * ((w << 24) >> 24);
    acc += ((a << 16) >> 24) * ((w << 16) >> 24);
    acc += ((a << 8) >> 24) * ((w << 8) >> 24);
    acc += (a >> 24) * (w >> 24);
    return acc;
#endif
}

/* 16 lanes already in [0, 255] as bytes. With AVX2 by the saturating packs (vpackusdw, vpermq,
   vpackuswb): the generic conversion truncates, so clang masks every lane first (two vpand). */
SG_INLINE sg_u8x16 sg_narrow_u8x16(sg_i32x16 q) {
#if defined(__AVX2__) && !defined(__AVX512F__)
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    typedef long long sg_i64x4_ __attribute__((ext_vector_type(4)));
    typedef short sg_i16x8_ __attribute__((ext_vector_type(8)));
    sg_i32x8_ lo = __builtin_shufflevector(q, q, 0, 1, 2, 3, 4, 5, 6, 7);
    sg_i32x8_ hi = __builtin_shufflevector(q, q, 8, 9, 10, 11, 12, 13, 14, 15);
    sg_i64x4_ words = (sg_i64x4_)__builtin_ia32_packusdw256((__v8si)lo, (__v8si)hi);
    words = __builtin_shufflevector(words, words, 0, 2, 1, 3);
    sg_i16x8_ first = (sg_i16x8_)__builtin_shufflevector(words, words, 0, 1);
    sg_i16x8_ second = (sg_i16x8_)__builtin_shufflevector(words, words, 2, 3);
    return (sg_u8x16)__builtin_ia32_packuswb128((__v8hi)first, (__v8hi)second);
#else
    return __builtin_convertvector(q, sg_u8x16);
#endif
}

/* Requantization, as ONNX Runtime's MlasRequantizeOutput: float(acc) · multiplier, clamped to
   [lo, hi] (the output range minus the zero point), rounded to nearest even by the 1.5·2^23
   trick (exact for |x| < 2^22), plus the zero point; the 16 results as bytes. */
SG_INLINE sg_u8x16 sg_requantize_u8x16(sg_i32x16 acc, sg_f32x16 multiplier, float lo, float hi, int zeroPoint) {
    sg_f32x16 f = __builtin_convertvector(acc, sg_f32x16) * multiplier;
    f = f < lo ? lo : f;
    f = f > hi ? hi : f;
    f = f + 12582912.0f;
    sg_i32x16 q = (sg_i32x16)f - 0x4B400000 + zeroPoint;
    return sg_narrow_u8x16(q);
}

/* sg_requantize_u8x16 where the output range is all of [0, 255] and |float(acc)·multiplier| < 2^30
   (QuantizedGEMMArguments.saturates): with AVX2 no clamps, since vcvtps2dq rounds half to even
   as the 1.5·2^23 trick does and the saturating packs clamp to [0, 255] exactly where the
   clamped value would round to 0 or 255 (four instructions fewer per 16 outputs). */
SG_INLINE sg_u8x16 sg_requantize_saturating_u8x16(sg_i32x16 acc, sg_f32x16 multiplier, int zeroPoint) {
#if defined(__AVX2__) && !defined(__AVX512F__)
    typedef float sg_f32x8_ __attribute__((ext_vector_type(8)));
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    sg_f32x16 f = __builtin_convertvector(acc, sg_f32x16) * multiplier;
    sg_i32x8_ lo = (sg_i32x8_)__builtin_ia32_cvtps2dq256((__v8sf)(sg_f32x8_)__builtin_shufflevector(f, f, 0, 1, 2, 3, 4, 5, 6, 7));
    sg_i32x8_ hi = (sg_i32x8_)__builtin_ia32_cvtps2dq256((__v8sf)(sg_f32x8_)__builtin_shufflevector(f, f, 8, 9, 10, 11, 12, 13, 14, 15));
    return sg_narrow_u8x16(__builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + zeroPoint);
#else
    return sg_requantize_u8x16(acc, multiplier, (float)-zeroPoint, (float)(255 - zeroPoint), zeroPoint);
#endif
}

/* The quantized add on 16 channels once its first input is a float, fa = a − za:
   fa·ra + (b − zb)·rb, clamped to [lo, hi], rounded as sg_requantize_u8x16, plus the zero point. */
SG_INLINE sg_u8x16 sg_add_f32_u8x16(sg_f32x16 fa, sg_u8x16 b, int zb, sg_f32x16 ra, sg_f32x16 rb,
                                    float lo, float hi, int zeroPoint) {
    sg_f32x16 fb = __builtin_convertvector(__builtin_convertvector(b, sg_i32x16) - zb, sg_f32x16);
    /* Two statements, so that clang does not contract them into an FMA: the scalar reference
       (Swift) rounds both products. */
    sg_f32x16 f = fa * ra;
    sg_f32x16 g = fb * rb;
    f = f + g;
    f = f < lo ? lo : f;
    f = f > hi ? hi : f;
    f = f + 12582912.0f;
    return sg_narrow_u8x16((sg_i32x16)f - 0x4B400000 + zeroPoint);
}

/* The quantized add on 16 channels: (a − za)·ra + (b − zb)·rb, requantized as above. */
SG_INLINE sg_u8x16 sg_add_u8x16(sg_u8x16 a, sg_u8x16 b, int za, int zb, sg_f32x16 ra, sg_f32x16 rb,
                                float lo, float hi, int zeroPoint) {
    return sg_add_f32_u8x16(__builtin_convertvector(__builtin_convertvector(a, sg_i32x16) - za, sg_f32x16), b, zb, ra, rb,
                            lo, hi, zeroPoint);
}

/* The requantized bytes, then the fused shortcut add on them (sg_add_u8x16), without the round
   trip through bytes: (q − za) is the rounded, clamped product itself, plus (zeroPoint − za),
   a small integer, so the float it is widened to is the same exactly. */
SG_INLINE sg_u8x16 sg_requantize_add_u8x16(sg_i32x16 acc, sg_f32x16 multiplier, float lo, float hi, int zeroPoint,
                                           sg_u8x16 b, int za, int zb, sg_f32x16 ra, sg_f32x16 rb,
                                           float addLo, float addHi, int addZeroPoint) {
    sg_f32x16 f = __builtin_convertvector(acc, sg_f32x16) * multiplier;
    f = f < lo ? lo : f;
    f = f > hi ? hi : f;
    sg_f32x16 fa = ((f + 12582912.0f) - 12582912.0f) + (float)(zeroPoint - za);
    return sg_add_f32_u8x16(fa, b, zb, ra, rb, addLo, addHi, addZeroPoint);
}

/* `value` in the lanes whose channel (first + lane) is below `limit`, 0 in the others: the
   identity's ratio of a partial add for one vector of channels (one compare and a blend). */
SG_INLINE sg_f32x16 sg_ratio_below_f32x16(int first, int limit, float value) {
    const sg_i32x16 lanes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    sg_f32x16 v = value;
    return (lanes + first) < limit ? v : (sg_f32x16)0.0f;
}

/* 16 bytes widened to 32-bit lanes (vpmovzxbd). */
SG_INLINE sg_i32x16 sg_widen_u8x16(sg_u8x16 x) { return __builtin_convertvector(x, sg_i32x16); }

/* acc + x·w lane by lane, for bytes x and int8 weights w held in 32-bit lanes (the depthwise
   taps). With AVX2 the product is vpmaddwd: a widened byte's high 16 bits are zero, so the pair
   sum is x·w exactly; vpmulld has one pipe on Zen 3 and two µops on Intel. */
SG_INLINE sg_i32x16 sg_mac_u8_i32x16(sg_i32x16 acc, sg_u8x16 x, sg_i32x16 w) {
    sg_i32x16 wide = __builtin_convertvector(x, sg_i32x16);
#if defined(__AVX2__) && !defined(__AVX512F__)
    typedef int sg_i32x8_ __attribute__((ext_vector_type(8)));
    sg_i32x8_ lo = (sg_i32x8_)__builtin_ia32_pmaddwd256((__v16hi)__builtin_shufflevector(wide, wide, 0, 1, 2, 3, 4, 5, 6, 7),
                                                        (__v16hi)__builtin_shufflevector(w, w, 0, 1, 2, 3, 4, 5, 6, 7));
    sg_i32x8_ hi = (sg_i32x8_)__builtin_ia32_pmaddwd256((__v16hi)__builtin_shufflevector(wide, wide, 8, 9, 10, 11, 12, 13, 14, 15),
                                                        (__v16hi)__builtin_shufflevector(w, w, 8, 9, 10, 11, 12, 13, 14, 15));
    return acc + __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#else
    return acc + wide * w;
#endif
}

#include "sandglass_qu8_dwconv3x3.h"

#endif
