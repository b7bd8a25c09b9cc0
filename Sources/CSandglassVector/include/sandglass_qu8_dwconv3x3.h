// One output pixel of the 8-bit 3×3 depthwise convolution, every channel, on the blocked weights
// (PackedQuantizedDepthwiseWeights.blockedWeights): qu8_dwconv3x3's AVX2 path (QuantizedDepthwiseConv.swift).
//
// Why blocked: vpmaddwd needs each tap's byte widened to 16 bits beside its partner tap's. The
// 16-channel code did that with vpunpck on xmm and a lane-crossing vpmovzxbw (two shuffle µops on
// Zen 3), ten times per 16 channels, and the shuffle pipes bound it. Here 32 channels go at once
// with in-lane unpacks only (three per 16 channels and tap pair): the accumulators then hold the
// channels in the order below, the weights, bias and multipliers are packed in that order, and
// the final packs (vpackusdw, vpackuswb, both in-lane) put the bytes back in channel order.
//
// Layout per block of 32 channels (int32 unless said): five pair vectors of taps (0, 1), (2, 3),
// (4, 5), (6, 7), (8, none), each 32 lanes holding the first tap's weight in the low 16 bits and
// the second's in the high; then 32 biases (bias − za·Σw), then 32 float multipliers. Lane p holds
// channel (p / 8)·4 + ((p / 4) % 2)·16 + p % 4: accumulator k = p / 8 has channels 4k…4k+3 in its
// low 128 bits and 16+4k…19+4k in its high. A last block of 16 channels (when the channels,
// rounded to 16, are an odd number of 16s) reads and writes only 16 bytes per tap; its lanes for
// channels 16–31 hold zero weights.
#ifndef SANDGLASS_QU8_DWCONV3X3_H
#define SANDGLASS_QU8_DWCONV3X3_H

#include <stddef.h>
#if defined(__AVX2__) && !defined(__AVX512F__)
#include <immintrin.h>
#endif

/* Int32 elements of one block: five pair vectors, the bias and the multipliers. */
#define SG_QU8_DW3X3_BLOCK_ELEMENTS (7 * 32)

/* Lane p's channel within its block (the layout above). */
static inline int sg_qu8_dw3x3_lane_channel(int p) { return (p / 8) * 4 + ((p / 4) % 2) * 16 + p % 4; }

/* The fused shortcut add (qu8_add_partial's arithmetic): identity == NULL means none. */
typedef struct {
    const unsigned char *identity;
    /* Bytes between the identity's pixels (sg_qu8_dw3x3_row steps through them). */
    ptrdiff_t identityStride;
    int branchZeroPoint, identityZeroPoint;
    float branchRatio, identityRatio;
    float lower, upper;
    int zeroPoint;
    /* Channels below this get the identity added; the others pass (α < 1). */
    int addedChannels;
} sg_qu8_dw_add;

#if defined(__AVX2__) && !defined(__AVX512F__)

/* acc[0…3] += the pair (x0, x1) of taps times the block's pair vector w. */
static inline __attribute__((always_inline)) void sg_qu8_dw3x3_pair(__m256i acc[4], __m256i x0, __m256i x1, const int *w) {
    const __m256i z = _mm256_setzero_si256();
    __m256i lo = _mm256_unpacklo_epi8(x0, x1), hi = _mm256_unpackhi_epi8(x0, x1);
    acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, z), _mm256_loadu_si256((const __m256i *)w)));
    acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, z), _mm256_loadu_si256((const __m256i *)(w + 8))));
    acc[2] = _mm256_add_epi32(acc[2], _mm256_madd_epi16(_mm256_unpacklo_epi8(hi, z), _mm256_loadu_si256((const __m256i *)(w + 16))));
    acc[3] = _mm256_add_epi32(acc[3], _mm256_madd_epi16(_mm256_unpackhi_epi8(hi, z), _mm256_loadu_si256((const __m256i *)(w + 24))));
}

/* float(acc)·multiplier clamped to [lo, hi]: the requantized value minus its zero point, before
   rounding (sg_requantize_u8x16). */
static inline __attribute__((always_inline)) __m256 sg_qu8_dw3x3_scaled(__m256i acc, const float *m, __m256 lo, __m256 hi) {
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(m));
    return _mm256_min_ps(_mm256_max_ps(f, lo), hi);
}

/* 32 (or, with `half`, 16) channels of one pixel from channel offset c: taps t[0…8]. */
static inline __attribute__((always_inline)) void sg_qu8_dw3x3_block(const unsigned char *const t[9], ptrdiff_t c, int half,
                                                                     const int *block, unsigned char *out,
                                                                     float lower, float upper, int zeroPoint,
                                                                     const sg_qu8_dw_add *add) {
#define SG_LOAD(p) (half ? _mm256_zextsi128_si256(_mm_loadu_si128((const __m128i *)(p))) : _mm256_loadu_si256((const __m256i *)(p)))
    const int *b = block + 5 * 32;
    const float *m = (const float *)(block + 6 * 32);
    __m256i acc[4] = {_mm256_loadu_si256((const __m256i *)b), _mm256_loadu_si256((const __m256i *)(b + 8)),
                      _mm256_loadu_si256((const __m256i *)(b + 16)), _mm256_loadu_si256((const __m256i *)(b + 24))};
    sg_qu8_dw3x3_pair(acc, SG_LOAD(t[0] + c), SG_LOAD(t[1] + c), block);
    sg_qu8_dw3x3_pair(acc, SG_LOAD(t[2] + c), SG_LOAD(t[3] + c), block + 32);
    sg_qu8_dw3x3_pair(acc, SG_LOAD(t[4] + c), SG_LOAD(t[5] + c), block + 64);
    sg_qu8_dw3x3_pair(acc, SG_LOAD(t[6] + c), SG_LOAD(t[7] + c), block + 96);
    sg_qu8_dw3x3_pair(acc, SG_LOAD(t[8] + c), _mm256_setzero_si256(), block + 128);
    const __m256 lo = _mm256_set1_ps(lower), hi = _mm256_set1_ps(upper), magic = _mm256_set1_ps(12582912.0f);
    __m256i q[4];
    if (!add) {
        const __m256i offset = _mm256_set1_epi32(zeroPoint - 0x4B400000);
        for (int k = 0; k < 4; k++)
            q[k] = _mm256_add_epi32(_mm256_castps_si256(_mm256_add_ps(sg_qu8_dw3x3_scaled(acc[k], m + 8 * k, lo, hi), magic)), offset);
    } else {
        /* The identity's bytes widened in the accumulators' channel order (in-lane unpacks). */
        const __m256i z = _mm256_setzero_si256();
        __m256i x = SG_LOAD(add->identity + c);
        __m256i xl = _mm256_unpacklo_epi8(x, z), xh = _mm256_unpackhi_epi8(x, z);
        __m256i xw[4] = {_mm256_unpacklo_epi16(xl, z), _mm256_unpackhi_epi16(xl, z), _mm256_unpacklo_epi16(xh, z),
                         _mm256_unpackhi_epi16(xh, z)};
        const __m256 branchOffset = _mm256_set1_ps((float)(zeroPoint - add->branchZeroPoint));
        const __m256 ra = _mm256_set1_ps(add->branchRatio), rb = _mm256_set1_ps(add->identityRatio);
        const __m256 addLo = _mm256_set1_ps(add->lower), addHi = _mm256_set1_ps(add->upper);
        const __m256i zb = _mm256_set1_epi32(add->identityZeroPoint);
        const __m256i offset = _mm256_set1_epi32(add->zeroPoint - 0x4B400000);
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19);
        const __m256i limit = _mm256_set1_epi32(add->addedChannels - (int)c);
        /* Only a block that the partial add (α < 1) ends in needs the mask of added lanes. */
        const int partial = add->addedChannels - (int)c < 32;
        for (int k = 0; k < 4; k++) {
            /* (q − za) exactly: the rounded value plus the difference of the zero points. */
            __m256 f = sg_qu8_dw3x3_scaled(acc[k], m + 8 * k, lo, hi);
            __m256 fa = _mm256_add_ps(_mm256_sub_ps(_mm256_add_ps(f, magic), magic), branchOffset);
            __m256 fb = _mm256_cvtepi32_ps(_mm256_sub_epi32(xw[k], zb));
            /* Two products, then their sum: no FMA, as the scalar reference rounds both. */
            __m256 g = _mm256_mul_ps(fa, ra);
            __m256 h = _mm256_mul_ps(fb, rb);
            if (partial)
                h = _mm256_and_ps(h, _mm256_castsi256_ps(_mm256_cmpgt_epi32(limit, _mm256_add_epi32(lanes, _mm256_set1_epi32(4 * k)))));
            g = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(g, h), addLo), addHi);
            q[k] = _mm256_add_epi32(_mm256_castps_si256(_mm256_add_ps(g, magic)), offset);
        }
    }
    __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(q[0], q[1]), _mm256_packus_epi32(q[2], q[3]));
    if (half)
        _mm_storeu_si128((__m128i *)(out + c), _mm256_castsi256_si128(bytes));
    else
        _mm256_storeu_si256((__m256i *)(out + c), bytes);
#undef SG_LOAD
}

#else

/* The same arithmetic, one lane at a time: compiled where there is no AVX2 (the Swift caller runs
   this path only in the AVX2 module). */
static inline void sg_qu8_dw3x3_block(const unsigned char *const t[9], ptrdiff_t c, int half, const int *block,
                                      unsigned char *out, float lower, float upper, int zeroPoint, const sg_qu8_dw_add *add) {
    for (int p = 0; p < 32; p++) {
        int ch = sg_qu8_dw3x3_lane_channel(p);
        if (half && ch >= 16) continue;
        int acc = block[5 * 32 + p];
        for (int j = 0; j < 5; j++) {
            int w = block[j * 32 + p];
            acc += (int)t[2 * j][c + ch] * (short)(w & 0xFFFF);
            if (j < 4) acc += (int)t[2 * j + 1][c + ch] * (short)(w >> 16);
        }
        float f = (float)acc * ((const float *)block)[6 * 32 + p];
        f = f < lower ? lower : f;
        f = f > upper ? upper : f;
        f = (f + 12582912.0f) - 12582912.0f;
        if (add) {
            float g = (f + (float)(zeroPoint - add->branchZeroPoint)) * add->branchRatio;
            if (c + ch < add->addedChannels) {
                float h = (float)((int)add->identity[c + ch] - add->identityZeroPoint) * add->identityRatio;
                g = g + h;
            }
            g = g < add->lower ? add->lower : g;
            g = g > add->upper ? add->upper : g;
            out[c + ch] = (unsigned char)((int)((g + 12582912.0f) - 12582912.0f) + add->zeroPoint);
        } else {
            out[c + ch] = (unsigned char)((int)f + zeroPoint);
        }
    }
}

#endif

/* One output pixel, every channel (`channels`: rounded to 16): taps t[0…8] (row-major), each the
   input pixel's first byte or, in the padding, a row of the input's zero point. */
static inline __attribute__((always_inline)) void sg_qu8_dw3x3_pixel(const unsigned char *const t[9], ptrdiff_t channels,
                                                                     const int *blocked, unsigned char *out,
                                                                     float lower, float upper, int zeroPoint,
                                                                     const sg_qu8_dw_add *add) {
    ptrdiff_t c = 0;
    const int *block = blocked;
    for (; c + 32 <= channels; c += 32, block += SG_QU8_DW3X3_BLOCK_ELEMENTS)
        sg_qu8_dw3x3_block(t, c, 0, block, out, lower, upper, zeroPoint, add);
    if (c < channels) sg_qu8_dw3x3_block(t, c, 1, block, out, lower, upper, zeroPoint, add);
}

/* Interior pixels ox0 ..< ox0 + count of one output row: every tap inside the map, the three input
   rows from `row` (the first pixel's top-left tap), `pixelBytes` between input pixels, `step` input
   pixels between output pixels (the stride). */
static inline __attribute__((always_inline)) void sg_qu8_dw3x3_row(const unsigned char *row, ptrdiff_t rowBytes,
                                                                   ptrdiff_t pixelBytes, ptrdiff_t step, ptrdiff_t count,
                                                                   ptrdiff_t channels, const int *blocked,
                                                                   unsigned char *out, ptrdiff_t outStride,
                                                                   float lower, float upper, int zeroPoint,
                                                                   const sg_qu8_dw_add *add) {
    sg_qu8_dw_add a;
    if (add) a = *add;
    for (ptrdiff_t i = 0; i < count; i++) {
        if (add) a.identity = add->identity + i * add->identityStride;
        const unsigned char *r0 = row + i * step * pixelBytes, *r1 = r0 + rowBytes, *r2 = r1 + rowBytes;
        const unsigned char *const t[9] = {r0, r0 + pixelBytes, r0 + 2 * pixelBytes, r1, r1 + pixelBytes,
                                           r1 + 2 * pixelBytes, r2, r2 + pixelBytes, r2 + 2 * pixelBytes};
        sg_qu8_dw3x3_pixel(t, channels, blocked, out + i * outStride, lower, upper, zeroPoint, add ? &a : NULL);
    }
}

#endif
