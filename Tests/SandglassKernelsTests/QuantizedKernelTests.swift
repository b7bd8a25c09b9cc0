import SandglassEngine
import SandglassKernels
import XCTest

/// Every 8-bit kernel row this CPU runs against its scalar reference, byte for byte, on awkward
/// shapes (channel counts off the 16-lane vectors, K off the 4-byte blocks and off the 8- and
/// 4-block steps that widen a row (K = 52: 8 + 4 + 1 blocks), rows off the 4-row
/// tiles, padding on every side), random zero points and clamped output ranges.
enum SignedSchemeTag {}

final class QuantizedKernelTests: XCTestCase {
    var random = TestRandom(seed: 0x18)

    func bytes(_ n: Int) -> AlignedBytes {
        let b = AlignedBytes(bytes: n)
        for i in 0..<n { b.u8[i] = UInt8(truncatingIfNeeded: random.next() >> 24) }
        return b
    }

    func sets() -> [QuantizedKernelSet] {
        let sets = ISASelection.allQuantizedKernelSets
        XCTAssertFalse(sets.isEmpty, "no 8-bit kernel set runs on this machine")
        // The sdot rows' scheme (activations flipped to signed bytes, the bias that adds back
        // 128·Σw) and the AVX2 rows' 3×3 depthwise kernel on its blocked weights, here on the
        // portable dot products and that kernel's lane-by-lane C fallback, so that every CPU checks
        // the arithmetic and weight layout of rows it may not run (SandglassKernelsNEONDot on an
        // Arm CPU with the dot product).
        let signedScheme = QuantizedKernelSet(
            isaName: "portable", gemmName: "qu8_gemm_4x16c4_signed",
            gemm: { qu8_gemm_c4($0, rows: $1, panels: $2, wide: false, signedDot: true, SignedSchemeTag.self) },
            dwconv: { qu8_dwconv($0, rows: $1, blocked: true, SignedSchemeTag.self) },
            addPartial: { qu8_add_partial_reference($0, pixels: $1) })
        // And the plain rows' code (NEON, AVX-512 without VNNI: bytes as they are, one tap per
        // product), which a CPU with only AVX2 rows would otherwise never run.
        let plain = QuantizedKernelSet(
            isaName: "portable", gemmName: "qu8_gemm_4x16c4",
            gemm: { qu8_gemm_c4($0, rows: $1, panels: $2, wide: false, SignedSchemeTag.self) },
            dwconv: { qu8_dwconv($0, rows: $1, SignedSchemeTag.self) },
            addPartial: { qu8_add_partial($0, pixels: $1, SignedSchemeTag.self) })
        return sets + [signedScheme, plain]
    }

    func int8(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: random.next() >> 20) } }

    func testGEMMMatchesReference() {
        for (m, k, n) in [(1, 3, 1), (1, 37, 100), (1, 160, 64), (3, 5, 17), (5, 27, 64), (13, 61, 65), (4, 16, 130), (7, 96, 200), (17, 8, 47), (49, 40, 48), (9, 52, 33), (6, 48, 16)] {
            let aStride = roundUp(k, 16), cStride = roundUp(n, 16)
            let a = bytes(m * aStride)
            let w = int8(n * k)
            let bias = (0..<n).map { _ in Int32(truncatingIfNeeded: random.next() >> 16) % 5000 }
            let za = Int32(random.next() % 256), zc = Int32(random.next() % 256)
            func packed(splitPairs: Bool) -> PackedQuantizedGEMMWeights {
                PackedQuantizedGEMMWeights(k: k, n: n, bias: bias, inputZeroPoint: za, multiplier: { Float($0 % 7 + 1) * 0.0009 },
                                           splitPairs: splitPairs, weight: { o, i in w[o * k + i] })
            }
            let weights = packed(splitPairs: false)
            let range: ClosedRange<Int32> = m % 2 == 0 ? 0...255 : zc...min(255, zc + 90)
            let expected = AlignedBytes(bytes: m * cStride)
            qu8_gemm_reference(QuantizedGEMMArguments(a: UnsafePointer(a.u8), aStride: aStride, weights: weights, c: expected.u8,
                                                      cStride: cStride, outputZeroPoint: zc, outputRange: range), rows: 0..<m)
            // The reference itself against a plain triple loop on the unpacked weights.
            for r in 0..<m {
                for o in 0..<n {
                    var acc = bias[o]
                    for i in 0..<k { acc += (Int32(a.u8[r * aStride + i]) - za) * Int32(w[o * k + i]) }
                    let want = referenceRequantize(acc, multiplier: Float(o % 7 + 1) * 0.0009, zeroPoint: zc,
                                                   lower: Float(range.lowerBound - zc), upper: Float(range.upperBound - zc))
                    XCTAssertEqual(expected.u8[r * cStride + o], want, "m \(m) k \(k) n \(n) row \(r) column \(o)")
                }
            }
            // With and without pairWeights: AVX2's widened GEMM reads them, and takes the plain c4
            // kernel without them.
            for (splitPairs, weights) in [(false, weights), (true, packed(splitPairs: true))] {
                for set in sets() {
                    let c = AlignedBytes(bytes: m * cStride)
                    let g = QuantizedGEMMArguments(a: UnsafePointer(a.u8), aStride: aStride, weights: weights, c: c.u8, cStride: cStride,
                                                   outputZeroPoint: zc, outputRange: range)
                    // In two calls (rows split unevenly, panels whole), as the planner's parts do; one
                    // row in panel groups, as the classifier's parts do.
                    if m == 1 {
                        set.gemm.run(g, 0..<1, 0..<min(1, weights.panels))
                        set.gemm.run(g, 0..<1, min(1, weights.panels)..<weights.panels)
                    }
                    let split = m / 3
                    set.gemm.run(g, 0..<split, 0..<weights.panels)
                    set.gemm.run(g, split..<m, 0..<weights.panels)
                    for r in 0..<m {
                        for o in 0..<n where c.u8[r * cStride + o] != expected.u8[r * cStride + o] {
                            XCTFail("\(set.gemm.name) m \(m) k \(k) n \(n) split pairs \(splitPairs): row \(r) column \(o) is \(c.u8[r * cStride + o]), reference \(expected.u8[r * cStride + o])")
                            return
                        }
                    }
                }
            }
        }
    }

    /// im2col's dense rows against the plain definition: byte (tap, c) of pixel p's row is the
    /// input byte under that tap, or the zero point in the padding. Channel counts off a word
    /// (1, 3, 5: taps overlap their neighbours' words), whole words (4, 8), and the 3×3 stem's
    /// own instantiation (3 channels), split into two calls as the planner's parts do.
    func testIm2ColPacksTapsDensely() {
        for (h, w, c, kh, kw, s, pad) in [(9, 8, 3, 3, 3, 2, 1), (7, 6, 1, 3, 3, 1, 1), (5, 7, 5, 2, 3, 1, 0),
                                           (6, 5, 4, 3, 3, 2, 1), (4, 4, 8, 3, 3, 1, 1), (8, 9, 3, 5, 5, 2, 2)] {
            let stride = roundUp(c, 16)
            let oh = (h + 2 * pad - kh) / s + 1, ow = (w + 2 * pad - kw) / s + 1
            let input = bytes(h * w * stride)
            let rowStride = QuantizedIm2ColArguments.rowStride(taps: kh * kw, channels: c)
            let rows = bytes(oh * ow * rowStride)
            let zp = UInt8(random.next() % 256)
            let a = QuantizedIm2ColArguments(input: UnsafePointer(input.u8), inputHeight: h, inputWidth: w, inputStride: stride,
                                             channels: c, kernelHeight: kh, kernelWidth: kw, strideHeight: s, strideWidth: s,
                                             padTop: pad, padLeft: pad, outputWidth: ow, rows: rows.u8, rowStride: rowStride,
                                             zeroPoint: zp)
            let split = oh * ow / 3
            qu8_im2col(a, pixels: 0..<split)
            qu8_im2col(a, pixels: split..<(oh * ow))
            for p in 0..<(oh * ow) {
                let oy = p / ow, ox = p % ow
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let iy = oy * s - pad + ky, ix = ox * s - pad + kx
                        for ch in 0..<c {
                            let want = iy < 0 || iy >= h || ix < 0 || ix >= w ? zp : input.u8[(iy * w + ix) * stride + ch]
                            let got = rows.u8[p * rowStride + (ky * kw + kx) * c + ch]
                            if got != want {
                                XCTFail("im2col \(h)x\(w)x\(c) k \(kh)x\(kw) s \(s) pad \(pad): pixel \(p) tap (\(ky), \(kx)) channel \(ch) is \(got), want \(want)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    func testDepthwiseMatchesReference() {
        // 3×3 channel counts that fill whole blocks of 32, leave a block of 16 (40, 72), or only
        // that (16); wide rows run the interior path many pixels long.
        for (h, w, c, k, s, pad) in [(5, 7, 17, 3, 1, 1), (9, 6, 40, 3, 2, 1), (7, 7, 1, 5, 1, 2), (11, 10, 33, 5, 2, 2), (4, 3, 16, 3, 1, 0),
                                     (6, 30, 72, 3, 1, 1), (7, 31, 64, 3, 2, 1)] {
            let stride = roundUp(c, 16)
            let oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1
            let input = bytes(h * w * stride)
            let weights = int8(c * k * k)
            let bias = (0..<c).map { _ in Int32(truncatingIfNeeded: random.next() >> 16) % 3000 }
            let za = Int32(random.next() % 256), zc = Int32(random.next() % 256)
            let packed = PackedQuantizedDepthwiseWeights(channels: c, kernelSize: k, bias: bias, inputZeroPoint: za,
                                                         multiplier: { 0.003 + Float($0) * 0.0001 }, weight: { ch, t in weights[ch * k * k + t] })
            let zeroRow = AlignedBytes(bytes: stride)
            zeroRow.u8.update(repeating: UInt8(za), count: stride)
            // A fused shortcut add on the first c/3 channels, checked beside the plain epilogue.
            let identity = bytes(oh * ow * stride)
            let residual = QuantizedAddArguments(
                branch: UnsafePointer(identity.u8), branchStride: stride, branchParameters: QuantizationParameters(scale: 0.03, zeroPoint: zc),
                identity: UnsafePointer(identity.u8), identityStride: stride, identityParameters: QuantizationParameters(scale: 0.05, zeroPoint: 17),
                output: identity.u8, outputStride: stride, outputParameters: QuantizationParameters(scale: 0.06, zeroPoint: 121),
                channels: c, addedChannels: c / 3, outputRange: 0...255)
            var fused = false
            func args(_ out: AlignedBytes) -> QuantizedDepthwiseArguments {
                QuantizedDepthwiseArguments(input: UnsafePointer(input.u8), inputHeight: h, inputWidth: w, inputStride: stride,
                                            output: out.u8, outputWidth: ow, outputStride: stride, stride: s, padTop: pad, padLeft: pad,
                                            weights: packed, zeroRow: UnsafePointer(zeroRow.u8), outputZeroPoint: zc,
                                            outputRange: 0...min(255, zc + 100), residual: fused ? residual : nil)
            }
            let expected = AlignedBytes(bytes: oh * ow * stride)
            qu8_dwconv_reference(args(expected), rows: 0..<oh)
            // The reference against the definition: taps in the padding contribute nothing.
            let (y, x, ch) = (oh - 1, 0, c - 1)
            var acc = bias[ch]
            for ky in 0..<k {
                for kx in 0..<k {
                    let iy = y * s - pad + ky, ix = x * s - pad + kx
                    if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                    acc += (Int32(input.u8[(iy * w + ix) * stride + ch]) - za) * Int32(weights[ch * k * k + ky * k + kx])
                }
            }
            XCTAssertEqual(expected.u8[(y * ow + x) * stride + ch],
                           referenceRequantize(acc, multiplier: 0.003 + Float(ch) * 0.0001, zeroPoint: zc, lower: Float(-zc),
                                               upper: Float(min(255, zc + 100) - zc)))
            for withAdd in [false, true] {
                fused = withAdd
                let want = AlignedBytes(bytes: oh * ow * stride)
                qu8_dwconv_reference(args(want), rows: 0..<oh)
                if withAdd {
                    // The fused reference is the plain one followed by the separate add's reference.
                    let separate = AlignedBytes(bytes: oh * ow * stride)
                    var add = residual
                    add.branch = UnsafePointer(expected.u8); add.output = separate.u8
                    qu8_add_partial_reference(add, pixels: 0..<(oh * ow))
                    for i in 0..<(oh * ow * stride) where i % stride < c && separate.u8[i] != want.u8[i] {
                        XCTFail("fused reference differs from conv then add at byte \(i)"); return
                    }
                }
                for set in sets() {
                    let out = AlignedBytes(bytes: oh * ow * stride)
                    set.dwconv.run(args(out), 0..<1)
                    set.dwconv.run(args(out), 1..<oh)
                    for i in 0..<(oh * ow) {
                        for ch in 0..<c where out.u8[i * stride + ch] != want.u8[i * stride + ch] {
                            XCTFail("\(set.dwconv.name) \(h)x\(w)x\(c) k\(k) s\(s) add \(withAdd): pixel \(i) channel \(ch) is \(out.u8[i * stride + ch]), reference \(want.u8[i * stride + ch])")
                            return
                        }
                    }
                }
            }
        }
    }

    func testPartialAddMatchesReference() {
        for (pixels, c, added) in [(5, 17, 17), (3, 40, 7), (4, 16, 0), (6, 96, 16), (2, 33, 32)] {
            let stride = roundUp(c, 16)
            let b = bytes(pixels * stride), x = bytes(pixels * stride)
            let pb = QuantizationParameters(scale: 0.02, zeroPoint: Int32(random.next() % 256))
            let px = QuantizationParameters(scale: 0.035, zeroPoint: Int32(random.next() % 256))
            let po = QuantizationParameters(scale: 0.04, zeroPoint: Int32(random.next() % 256))
            func args(_ out: AlignedBytes) -> QuantizedAddArguments {
                QuantizedAddArguments(branch: UnsafePointer(b.u8), branchStride: stride, branchParameters: pb,
                                      identity: UnsafePointer(x.u8), identityStride: stride, identityParameters: px,
                                      output: out.u8, outputStride: stride, outputParameters: po, channels: c, addedChannels: added,
                                      outputRange: 0...255)
            }
            let expected = AlignedBytes(bytes: pixels * stride)
            qu8_add_partial_reference(args(expected), pixels: 0..<pixels)
            // The reference against dequantize, add, quantize (the QDQ graph's float arithmetic).
            for ch in [0, c - 1] {
                let real = pb.dequantize(b.u8[ch]) + (ch < added ? px.dequantize(x.u8[ch]) : 0)
                XCTAssertLessThanOrEqual(abs(Int(expected.u8[ch]) - Int(po.quantize(real))), 1, "channel \(ch)")
            }
            for set in sets() {
                let out = AlignedBytes(bytes: pixels * stride)
                set.addPartial.run(args(out), 0..<pixels)
                for i in 0..<(pixels * stride) where i % stride < c && out.u8[i] != expected.u8[i] {
                    XCTFail("\(set.addPartial.name) \(pixels)x\(c) added \(added): byte \(i) is \(out.u8[i]), reference \(expected.u8[i])")
                    return
                }
            }
        }
    }

    func testGlobalAveragePoolMatchesReference() {
        for (pixels, c) in [(1, 16), (49, 1280), (7, 33), (196, 5)] {
            let stride = roundUp(c, 16)
            let input = bytes(pixels * stride)
            let args = { (out: AlignedBytes) in
                QuantizedGlobalAveragePoolArguments(input: UnsafePointer(input.u8), pixels: pixels, inputStride: stride, channels: c,
                                                    output: out.u8, inputParameters: QuantizationParameters(scale: 0.05, zeroPoint: 31),
                                                    outputParameters: QuantizationParameters(scale: 0.02, zeroPoint: 200))
            }
            let expected = AlignedBytes(bytes: stride), actual = AlignedBytes(bytes: stride)
            qu8_global_average_pool_reference(args(expected), channels: 0..<c)
            // The reference against the mean of the dequantized bytes, quantized (within one step).
            var mean: Float = 0
            for p in 0..<pixels { mean += 0.05 * Float(Int32(input.u8[p * stride]) - 31) }
            XCTAssertLessThanOrEqual(abs(Int(expected.u8[0]) - Int(QuantizationParameters(scale: 0.02, zeroPoint: 200).quantize(mean / Float(pixels)))), 1)
            // Split at a multiple of 16, as the planner's parts are.
            let split = min(c, 16)
            qu8_global_average_pool(args(actual), channels: 0..<split)
            qu8_global_average_pool(args(actual), channels: split..<c)
            for ch in 0..<c { XCTAssertEqual(actual.u8[ch], expected.u8[ch], "\(pixels) pixels × \(c): channel \(ch)") }
        }
    }

    func testRequantizationRoundsHalfToEvenAndClamps() {
        // 2.5 → 2, 3.5 → 4, −2.5 → −2: half to even, as ONNX Runtime's conversion rounds.
        XCTAssertEqual(referenceRequantize(5, multiplier: 0.5, zeroPoint: 100, lower: -100, upper: 155), 102)
        XCTAssertEqual(referenceRequantize(7, multiplier: 0.5, zeroPoint: 100, lower: -100, upper: 155), 104)
        XCTAssertEqual(referenceRequantize(-5, multiplier: 0.5, zeroPoint: 100, lower: -100, upper: 155), 98)
        XCTAssertEqual(referenceRequantize(1_000_000, multiplier: 1, zeroPoint: 100, lower: -100, upper: 20), 120)
        let q = QuantizationParameters(minimum: -1, maximum: 3)
        XCTAssertEqual(q.dequantize(q.quantize(0)), 0, "zero must be exact")
        XCTAssertEqual(q.range(clampedTo: 0, 6), q.zeroPoint...255)
    }
}
