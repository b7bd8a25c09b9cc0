// The 8-bit 1×1 convolution (and the fully connected layer, and the stem after im2col):
// C[M × N] (bytes) = requantize(A[M × K] (bytes, zero point za) · B[K × N] (int8) + bias).
//
// B is packed at plan time in XNNPACK's "c4" layout: panels of 16 output columns; within a
// panel, for each block of 4 rows of K, 16 int32 lanes holding the 4 int8 weights of one column.
// One step of the micro-kernel broadcasts 4 bytes of a row of A to 16 lanes and adds the 4
// products of each lane (vpdpbusd with AVX-512 VNNI). The zero point of A is folded into the bias
// at packing: Σ (a − za)·w = Σ a·w − za·Σ w. K is padded to 4 with zero weights, so the row
// bytes past K (a tensor's channel padding) contribute nothing.
//
// Arm's sdot multiplies signed bytes only: its rows (signedDot) flip the top bit of each
// activation byte (a − 128) and start from a second bias, bias − (za − 128)·Σw.
import CSandglassVector

public final class PackedQuantizedGEMMWeights {
    public let k: Int
    public let n: Int
    public let kBlocks: Int
    /// Panels of 16 output columns.
    public let panels: Int
    /// Per panel: kBlocks × 16 int32 (the c4 weights).
    public let weights: AlignedBytes
    /// Per column (padded to panels × 16): bias − za·Σw, and the requantization multiplier.
    public let bias: AlignedBytes
    /// The same for activations flipped to signed bytes (a − 128): bias − (za − 128)·Σw.
    public let signedBias: AlignedBytes
    public let multipliers: AlignedBytes
    /// The largest requantization multiplier (QuantizedGEMMArguments.saturates).
    public let maxMultiplier: Float
    /// For AVX2 without VNNI (qu8_gemm_4x16c4w), where `splitPairs` asked for it: the same weights
    /// as 16-bit lanes, per panel and block of K, 128 bytes: for columns 0–7 and then 8–15, bytes 0
    /// and 2 of each column's block, then bytes 1 and 3 (sg_dot4_pairs_split_u16s8_i32x16).
    public let pairWeights: AlignedBytes?

    /// - Parameters:
    ///   - weight: the int8 weight (o, i) for output column o < n and input row i < k.
    ///   - bias: int32 bias per column (scale inputScale · weightScale[o]).
    ///   - inputZeroPoint: za.
    ///   - multiplier: the requantization multiplier per column.
    ///   - splitPairs: also lay the weights out as `pairWeights` (QuantizedKernelSet.gemmSplitsPairs).
    public init(k: Int, n: Int, bias: [Int32], inputZeroPoint: Int32, multiplier: (Int) -> Float,
                splitPairs: Bool = false, weight: (Int, Int) -> Int8) {
        self.k = k; self.n = n
        kBlocks = (k + 3) / 4
        panels = (n + 15) / 16
        weights = AlignedBytes(bytes: panels * kBlocks * 64)
        self.bias = AlignedBytes(bytes: panels * 64)
        signedBias = AlignedBytes(bytes: panels * 64)
        multipliers = AlignedBytes(bytes: panels * 64)
        let w = weights.raw.bindMemory(to: Int8.self, capacity: panels * kBlocks * 64)
        pairWeights = splitPairs ? AlignedBytes(bytes: panels * kBlocks * 128) : nil
        let pw = pairWeights?.raw.bindMemory(to: Int16.self, capacity: panels * kBlocks * 64)
        let b = self.bias.raw.bindMemory(to: Int32.self, capacity: panels * 16)
        let sb = signedBias.raw.bindMemory(to: Int32.self, capacity: panels * 16)
        let m = multipliers.raw.bindMemory(to: Float.self, capacity: panels * 16)
        var largest: Float = 0
        for o in 0..<n {
            let panel = o / 16, lane = o % 16
            var sum: Int32 = 0
            for i in 0..<k {
                let q = weight(o, i)
                sum += Int32(q)
                w[(panel * kBlocks + i / 4) * 64 + lane * 4 + i % 4] = q
                if let pw {
                    // Bytes 0 and 2 of the block go to the even half, 1 and 3 to the odd one.
                    let half = (panel * kBlocks + i / 4) * 64 + lane / 8 * 32 + (i % 2) * 16
                    pw[half + (lane % 8) * 2 + (i % 4) / 2] = Int16(q)
                }
            }
            b[o] = (bias.isEmpty ? 0 : bias[o]) &- inputZeroPoint &* sum
            sb[o] = (bias.isEmpty ? 0 : bias[o]) &- (inputZeroPoint &- 128) &* sum
            m[o] = multiplier(o)
            largest = max(largest, abs(m[o]))
        }
        maxMultiplier = largest
    }

    public var packedBytes: Int {
        weights.bytes + bias.bytes + signedBias.bytes + multipliers.bytes + (pairWeights?.bytes ?? 0)
    }
}

/// One call of the 8-bit GEMM over rows × panels.
public struct QuantizedGEMMArguments {
    public var a: UnsafePointer<UInt8>
    /// Bytes between rows of A (≥ 4·kBlocks, so that the last block's 4 bytes are readable).
    public var aStride: Int
    public var weights: PackedQuantizedGEMMWeights
    public var c: UnsafeMutablePointer<UInt8>
    /// Bytes between rows of C (a multiple of 16 ≥ N: every panel stores 16 bytes).
    public var cStride: Int
    public var zeroPoint: Int32
    public var lower: Float
    public var upper: Float
    /// The output range is all of [0, 255] and every |acc·multiplier| stays below 2^30 (|acc| <
    /// 2^31, multipliers below 0.5): the AVX2 rows then requantize without clamps
    /// (sg_requantize_saturating_u8x16), as most layers allow.
    public var saturates: Bool

    public init(a: UnsafePointer<UInt8>, aStride: Int, weights: PackedQuantizedGEMMWeights,
                c: UnsafeMutablePointer<UInt8>, cStride: Int, outputZeroPoint: Int32, outputRange: ClosedRange<Int32>) {
        self.a = a; self.aStride = aStride; self.weights = weights; self.c = c; self.cStride = cStride
        zeroPoint = outputZeroPoint
        lower = Float(outputRange.lowerBound - outputZeroPoint); upper = Float(outputRange.upperBound - outputZeroPoint)
        saturates = outputRange == 0...255 && weights.maxMultiplier < 0.5
    }
}

/// The scalar reference: every output from the packed weights, one multiply at a time.
public func qu8_gemm_reference(_ g: QuantizedGEMMArguments, rows: Range<Int>) {
    let p = g.weights
    let w = UnsafePointer(p.weights.raw.assumingMemoryBound(to: Int8.self))
    let b = UnsafePointer(p.bias.raw.assumingMemoryBound(to: Int32.self))
    let m = UnsafePointer(p.multipliers.raw.assumingMemoryBound(to: Float.self))
    for r in rows {
        for o in 0..<p.n {
            var acc = b[o]
            for i in 0..<p.k {
                acc += Int32(g.a[r * g.aStride + i]) * Int32(w[((o / 16) * p.kBlocks + i / 4) * 64 + (o % 16) * 4 + i % 4])
            }
            g.c[r * g.cStride + o] = referenceRequantize(acc, multiplier: m[o], zeroPoint: g.zeroPoint,
                                                         lower: g.lower, upper: g.upper)
        }
    }
}

/// Rows in tiles of 4 (a last partial tile recomputes its last row). With `wide`, panels go four
/// at a time (64 columns) where they can, then one: 16 accumulators of 16 lanes, which fit
/// AVX-512's 32 registers. Without it, one panel at a time (4×16): on 16 ymm registers (AVX2,
/// AVX-VNNI) or NEON's 32 q registers each accumulator takes 2 or 4, and the 4×64 tile spilled.
// Generic over a tag type that each ISA module passes its own of, so that the module
// specialises it with its target flags (an inline hint alone was not always taken: the call
// then went to this module's copy, compiled without them, 8× slower).
@inlinable @inline(__always)
public func qu8_gemm_c4<Tag>(_ g: QuantizedGEMMArguments, rows: Range<Int>, panels: Range<Int>, wide widePanels: Bool,
                             signedDot: Bool = false, _ tag: Tag.Type) {
    let p = g.weights
    let kb = p.kBlocks
    let w = UnsafeRawPointer(p.weights.raw)
    let bias = UnsafeRawPointer(signedDot ? p.signedBias.raw : p.bias.raw)
    let mult = UnsafeRawPointer(p.multipliers.raw)
    let a = UnsafeRawPointer(g.a)
    var panel = panels.lowerBound
    while panel < panels.upperBound {
        let wide = widePanels && panels.upperBound - panel >= 4
        if rows.count == 1 {
            // One row (the classifier): one accumulator per panel, not a tile of four copies.
            qu8_gemm_1x16c4(g, row: rows.lowerBound, panels: panel..<(panel + (wide ? 4 : 1)), signedDot: signedDot, tag)
            panel += wide ? 4 : 1
            continue
        }
        let end = rows.upperBound - qu8_single_tail_row(rows)
        var row = rows.lowerBound
        while row < end {
            let r0 = row, r1 = min(row + 1, end - 1), r2 = min(row + 2, end - 1)
            let r3 = min(row + 3, end - 1)
            let a0 = a + r0 * g.aStride, a1 = a + r1 * g.aStride, a2 = a + r2 * g.aStride, a3 = a + r3 * g.aStride
            if wide {
                let w0 = w + panel * kb * 64
                let stride = kb * 64
                let b0 = bias.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Int32>.self)
                let b1 = bias.loadUnaligned(fromByteOffset: panel * 64 + 64, as: SIMD16<Int32>.self)
                let b2 = bias.loadUnaligned(fromByteOffset: panel * 64 + 128, as: SIMD16<Int32>.self)
                let b3 = bias.loadUnaligned(fromByteOffset: panel * 64 + 192, as: SIMD16<Int32>.self)
                var c00 = b0, c01 = b1, c02 = b2, c03 = b3
                var c10 = b0, c11 = b1, c12 = b2, c13 = b3
                var c20 = b0, c21 = b1, c22 = b2, c23 = b3
                var c30 = b0, c31 = b1, c32 = b2, c33 = b3
                for i in 0..<kb {
                    let v0 = w0.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Int32>.self)
                    let v1 = w0.loadUnaligned(fromByteOffset: stride + i * 64, as: SIMD16<Int32>.self)
                    let v2 = w0.loadUnaligned(fromByteOffset: 2 * stride + i * 64, as: SIMD16<Int32>.self)
                    let v3 = w0.loadUnaligned(fromByteOffset: 3 * stride + i * 64, as: SIMD16<Int32>.self)
                    let x0 = a0.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)
                    c00 = qu8_dot4(c00, x0, v0, signedDot, tag); c01 = qu8_dot4(c01, x0, v1, signedDot, tag)
                    c02 = qu8_dot4(c02, x0, v2, signedDot, tag); c03 = qu8_dot4(c03, x0, v3, signedDot, tag)
                    let x1 = a1.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)
                    c10 = qu8_dot4(c10, x1, v0, signedDot, tag); c11 = qu8_dot4(c11, x1, v1, signedDot, tag)
                    c12 = qu8_dot4(c12, x1, v2, signedDot, tag); c13 = qu8_dot4(c13, x1, v3, signedDot, tag)
                    let x2 = a2.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)
                    c20 = qu8_dot4(c20, x2, v0, signedDot, tag); c21 = qu8_dot4(c21, x2, v1, signedDot, tag)
                    c22 = qu8_dot4(c22, x2, v2, signedDot, tag); c23 = qu8_dot4(c23, x2, v3, signedDot, tag)
                    let x3 = a3.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)
                    c30 = qu8_dot4(c30, x3, v0, signedDot, tag); c31 = qu8_dot4(c31, x3, v1, signedDot, tag)
                    c32 = qu8_dot4(c32, x3, v2, signedDot, tag); c33 = qu8_dot4(c33, x3, v3, signedDot, tag)
                }
                let m0 = mult.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Float>.self)
                let m1 = mult.loadUnaligned(fromByteOffset: panel * 64 + 64, as: SIMD16<Float>.self)
                let m2 = mult.loadUnaligned(fromByteOffset: panel * 64 + 128, as: SIMD16<Float>.self)
                let m3 = mult.loadUnaligned(fromByteOffset: panel * 64 + 192, as: SIMD16<Float>.self)
                // Rows stored last to first, so that a recomputed tail row writes the same bytes twice.
                let column = panel * 16
                qu8_store4(g, row: r3, column: column, c30, c31, c32, c33, m0, m1, m2, m3, tag)
                qu8_store4(g, row: r2, column: column, c20, c21, c22, c23, m0, m1, m2, m3, tag)
                qu8_store4(g, row: r1, column: column, c10, c11, c12, c13, m0, m1, m2, m3, tag)
                qu8_store4(g, row: r0, column: column, c00, c01, c02, c03, m0, m1, m2, m3, tag)
            } else {
                let w0 = w + panel * kb * 64
                let b0 = bias.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Int32>.self)
                var c0 = b0, c1 = b0, c2 = b0, c3 = b0
                for i in 0..<kb {
                    let v = w0.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Int32>.self)
                    c0 = qu8_dot4(c0, a0.loadUnaligned(fromByteOffset: i * 4, as: Int32.self), v, signedDot, tag)
                    c1 = qu8_dot4(c1, a1.loadUnaligned(fromByteOffset: i * 4, as: Int32.self), v, signedDot, tag)
                    c2 = qu8_dot4(c2, a2.loadUnaligned(fromByteOffset: i * 4, as: Int32.self), v, signedDot, tag)
                    c3 = qu8_dot4(c3, a3.loadUnaligned(fromByteOffset: i * 4, as: Int32.self), v, signedDot, tag)
                }
                let m0 = mult.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Float>.self)
                qu8_store_tile(g, rows: (r0, r1, r2, r3), column: panel * 16, (c0, c1, c2, c3), m0, tag)
            }
            row += 4
        }
        if end < rows.upperBound {
            qu8_gemm_1x16c4(g, row: end, panels: panel..<(panel + (wide ? 4 : 1)), signedDot: signedDot, tag)
        }
        panel += wide ? 4 : 1
    }
}

/// 1 where the rows end one past a whole number of four-row tiles: that row goes to the one-row
/// kernel, at a quarter of a tile's products, instead of a whole tile that recomputes it four
/// times (a 7×7 layer's 49 rows were 13 tiles for 12¼ of work).
@inlinable @inline(__always)
func qu8_single_tail_row(_ rows: Range<Int>) -> Int {
    rows.count > 4 && rows.count % 4 == 1 ? 1 : 0
}

/// AVX2 without VNNI (qu8_gemm_4x16c4w): rows outer; each tile of four rows of A is widened once
/// into 16-bit pairs (bytes 0 and 2, 1 and 3 of each 4-byte block) in the thread's scratch, then
/// run against every panel, the pairs broadcast straight from memory. Widening them inside the
/// loop took three vector instructions per row and block, again for every panel; with vpmaddwd
/// issuing two per cycle on Zen 3, the loop was bound by those instructions, not by the products.
/// The weights come split the same way at packing (PackedQuantizedGEMMWeights.pairWeights): the
/// three shifts per 8 columns and block that split them in the loop cost Zen 1 5% of the network.
@inlinable @inline(__always)
public func qu8_gemm_4x16c4_widened<Tag>(_ g: QuantizedGEMMArguments, rows: Range<Int>, panels: Range<Int>, _ tag: Tag.Type) {
    let p = g.weights
    let kb = p.kBlocks
    if rows.count == 1 {
        qu8_gemm_1x16c4(g, row: rows.lowerBound, panels: panels, tag)
        return
    }
    let bias = UnsafeRawPointer(p.bias.raw)
    let mult = UnsafeRawPointer(p.multipliers.raw)
    // Weights packed without their 16-bit pairs (splitPairs false) take the plain c4 kernel.
    // Scratch, not withUnsafeTemporaryAllocation: in its closure the vector helpers were called,
    // not inlined (the whole network ran 2.4× slower).
    guard let pairWeights = p.pairWeights, let scratch = sg_thread_scratch(8 * kb * MemoryLayout<Int32>.size) else {
        qu8_gemm_c4(g, rows: rows, panels: panels, wide: false, tag)
        return
    }
    let pairs = scratch.assumingMemoryBound(to: Int32.self)
    let split = UnsafePointer(pairWeights.raw.assumingMemoryBound(to: Int16.self))
    let end = rows.upperBound - qu8_single_tail_row(rows)
    var row = rows.lowerBound
    while row < end {
        let last = end - 1
        let r0 = row, r1 = min(row + 1, last), r2 = min(row + 2, last), r3 = min(row + 3, last)
        for j in 0..<4 {
            sg_widen_pairs_u8(UnsafeRawPointer(g.a) + min(row + j, last) * g.aStride, pairs + j * 2 * kb, kb)
        }
        let p0 = pairs, p1 = pairs + 2 * kb, p2 = pairs + 4 * kb, p3 = pairs + 6 * kb
        for panel in panels {
            if panel * 16 + 8 >= p.n {
                qu8_gemm_4x8c4_widened_panel(g, pairs: pairs, split: split, panel: panel, rows: (r0, r1, r2, r3), tag)
                continue
            }
            let b0 = bias.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Int32>.self)
            var c0 = b0, c1 = b0, c2 = b0, c3 = b0
            let w0 = split + panel * kb * 64
            for i in 0..<kb {
                let v = w0 + i &* 64
                let e = 2 &* i, o = 2 &* i &+ 1
                c0 = sg_dot4_pairs_split_u16s8_i32x16(c0, SIMD16<Int32>(repeating: p0[e]), SIMD16<Int32>(repeating: p0[o]), v)
                c1 = sg_dot4_pairs_split_u16s8_i32x16(c1, SIMD16<Int32>(repeating: p1[e]), SIMD16<Int32>(repeating: p1[o]), v)
                c2 = sg_dot4_pairs_split_u16s8_i32x16(c2, SIMD16<Int32>(repeating: p2[e]), SIMD16<Int32>(repeating: p2[o]), v)
                c3 = sg_dot4_pairs_split_u16s8_i32x16(c3, SIMD16<Int32>(repeating: p3[e]), SIMD16<Int32>(repeating: p3[o]), v)
            }
            let m0 = mult.loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Float>.self)
            qu8_store_tile(g, rows: (r0, r1, r2, r3), column: panel * 16, (c0, c1, c2, c3), m0, tag)
        }
        row += 4
    }
    if end < rows.upperBound { qu8_gemm_1x16c4(g, row: end, panels: panels, tag) }
}

/// A last panel with at most 8 real columns (N = 24, 40, ...): the first 8 lanes only, so that
/// it costs half a panel, not a whole one of which half multiplies zero weights. The store writes
/// 16 bytes as the full panel does (the columns past N are the row's padding).
@inlinable @inline(__always)
func qu8_gemm_4x8c4_widened_panel<Tag>(_ g: QuantizedGEMMArguments, pairs: UnsafeMutablePointer<Int32>,
                                       split: UnsafePointer<Int16>, panel: Int, rows r: (Int, Int, Int, Int), _ tag: Tag.Type) {
    let p = g.weights, kb = p.kBlocks
    // Columns 0–7 of each block: the first 32 of its 64 int16.
    let w0 = split + panel * kb * 64
    let p0 = pairs, p1 = pairs + 2 * kb, p2 = pairs + 4 * kb, p3 = pairs + 6 * kb
    let b0 = UnsafeRawPointer(p.bias.raw).loadUnaligned(fromByteOffset: panel * 64, as: SIMD8<Int32>.self)
    var c0 = b0, c1 = b0, c2 = b0, c3 = b0
    for i in 0..<kb {
        let v = w0 + i &* 64
        let e = 2 &* i, o = 2 &* i &+ 1
        c0 = sg_dot4_pairs_split_u16s8_i32x8(c0, SIMD8<Int32>(repeating: p0[e]), SIMD8<Int32>(repeating: p0[o]), v)
        c1 = sg_dot4_pairs_split_u16s8_i32x8(c1, SIMD8<Int32>(repeating: p1[e]), SIMD8<Int32>(repeating: p1[o]), v)
        c2 = sg_dot4_pairs_split_u16s8_i32x8(c2, SIMD8<Int32>(repeating: p2[e]), SIMD8<Int32>(repeating: p2[o]), v)
        c3 = sg_dot4_pairs_split_u16s8_i32x8(c3, SIMD8<Int32>(repeating: p3[e]), SIMD8<Int32>(repeating: p3[o]), v)
    }
    let m0 = UnsafeRawPointer(p.multipliers.raw).loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Float>.self)
    qu8_store_tile(g, rows: r, column: panel * 16,
                   (SIMD16(lowHalf: c0, highHalf: .zero), SIMD16(lowHalf: c1, highHalf: .zero),
                    SIMD16(lowHalf: c2, highHalf: .zero), SIMD16(lowHalf: c3, highHalf: .zero)), m0, tag)
}

/// One row of A against `panels`, a panel at a time.
@inlinable @inline(__always)
func qu8_gemm_1x16c4<Tag>(_ g: QuantizedGEMMArguments, row: Int, panels: Range<Int>, signedDot: Bool = false, _ tag: Tag.Type) {
    let p = g.weights, kb = p.kBlocks
    let a0 = UnsafeRawPointer(g.a) + row * g.aStride
    for panel in panels {
        let w0 = UnsafeRawPointer(p.weights.raw) + panel * kb * 64
        var c0 = UnsafeRawPointer(signedDot ? p.signedBias.raw : p.bias.raw).loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Int32>.self)
        var c1 = SIMD16<Int32>.zero
        var i = 0
        // Two accumulators, so that consecutive dot products do not wait on each other.
        while i + 1 < kb {
            c0 = qu8_dot4(c0, a0.loadUnaligned(fromByteOffset: i * 4, as: Int32.self),
                          w0.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Int32>.self), signedDot, tag)
            c1 = qu8_dot4(c1, a0.loadUnaligned(fromByteOffset: i * 4 + 4, as: Int32.self),
                          w0.loadUnaligned(fromByteOffset: i * 64 + 64, as: SIMD16<Int32>.self), signedDot, tag)
            i += 2
        }
        if i < kb {
            c0 = qu8_dot4(c0, a0.loadUnaligned(fromByteOffset: i * 4, as: Int32.self),
                          w0.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Int32>.self), signedDot, tag)
        }
        let m0 = UnsafeRawPointer(p.multipliers.raw).loadUnaligned(fromByteOffset: panel * 64, as: SIMD16<Float>.self)
        qu8_store1(g, row: row, column: panel * 16, c0 &+ c1, m0, tag)
    }
}

/// acc + the 4-byte dot product of one row's block `word` (broadcast) with each lane of `w`:
/// bytes as they are (u8·s8), or with their top bit flipped for sdot (s8·s8, see signedBias).
@inlinable @inline(__always)
func qu8_dot4<Tag>(_ acc: SIMD16<Int32>, _ word: Int32, _ w: SIMD16<Int32>, _ signedDot: Bool, _ tag: Tag.Type) -> SIMD16<Int32> {
    if signedDot { return sg_dot4_s8s8_i32x16(acc, SIMD16<Int32>(repeating: word ^ Int32(bitPattern: 0x8080_8080)), w) }
    return sg_dot4_u8s8_i32x16(acc, SIMD16<Int32>(repeating: word), w)
}

@inlinable @inline(__always)
func qu8_store1<Tag>(_ g: QuantizedGEMMArguments, row: Int, column: Int, _ acc: SIMD16<Int32>, _ m: SIMD16<Float>, _ tag: Tag.Type) {
    let q = g.saturates ? sg_requantize_saturating_u8x16(acc, m, g.zeroPoint) : sg_requantize_u8x16(acc, m, g.lower, g.upper, g.zeroPoint)
    UnsafeMutableRawPointer(g.c + row * g.cStride + column).storeBytes(of: q, as: SIMD16<UInt8>.self)
}

/// One panel of a four-row tile, rows stored last to first, so that a recomputed tail row writes
/// the same bytes twice.
@inlinable @inline(__always)
func qu8_store_tile<Tag>(_ g: QuantizedGEMMArguments, rows r: (Int, Int, Int, Int), column: Int,
                         _ c: (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>), _ m: SIMD16<Float>,
                         _ tag: Tag.Type) {
    qu8_store1(g, row: r.3, column: column, c.3, m, tag)
    qu8_store1(g, row: r.2, column: column, c.2, m, tag)
    qu8_store1(g, row: r.1, column: column, c.1, m, tag)
    qu8_store1(g, row: r.0, column: column, c.0, m, tag)
}

@inlinable @inline(__always)
func qu8_store4<Tag>(_ g: QuantizedGEMMArguments, row: Int, column: Int, _ a0: SIMD16<Int32>, _ a1: SIMD16<Int32>,
                _ a2: SIMD16<Int32>, _ a3: SIMD16<Int32>, _ m0: SIMD16<Float>, _ m1: SIMD16<Float>,
                _ m2: SIMD16<Float>, _ m3: SIMD16<Float>, _ tag: Tag.Type) {
    qu8_store1(g, row: row, column: column, a0, m0, tag)
    qu8_store1(g, row: row, column: column + 16, a1, m1, tag)
    qu8_store1(g, row: row, column: column + 32, a2, m2, tag)
    qu8_store1(g, row: row, column: column + 48, a3, m3, tag)
}
