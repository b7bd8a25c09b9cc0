// The 8-bit kernel rows of one ISA against the scalar references, byte for byte (the fast rows
// compute the same integers and the same float requantization, so any difference is a bug):
// the GEMM, the depthwise convolution with and without its fused add, and the partial add,
// on shapes off the vector widths and tiles, with padding on every side.
import SandglassEngine
import SandglassKernels

public enum QuantizedKernelChecks {
    public static func run(_ set: QuantizedKernelSet, isa: ISA) -> [KernelCheck] {
        var random = CheckRandom(seed: 0x1D8)
        return [gemm(set, isa, &random), depthwise(set, isa, &random), add(set, isa, &random)]
    }

    static func bytes(_ n: Int, _ random: inout CheckRandom) -> AlignedBytes {
        let b = AlignedBytes(bytes: n)
        for i in 0..<n { b.u8[i] = UInt8(truncatingIfNeeded: random.next() >> 24) }
        return b
    }

    static func int8(_ n: Int, _ random: inout CheckRandom) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: random.next() >> 20) } }

    /// The largest byte difference over the first `channels` of each of `pixels` rows, in steps of 255.
    static func difference(_ a: AlignedBytes, _ b: AlignedBytes, pixels: Int, stride: Int, channels: Int) -> Float {
        var worst = 0
        for p in 0..<pixels { for c in 0..<channels { worst = max(worst, abs(Int(a.u8[p * stride + c]) - Int(b.u8[p * stride + c]))) } }
        return Float(worst) / 255
    }

    static func gemm(_ set: QuantizedKernelSet, _ isa: ISA, _ random: inout CheckRandom) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: set.gemm.name, isa: isa, tolerance: 0)
        for (m, k, n) in [(1, 3, 1), (1, 37, 100), (5, 27, 64), (13, 61, 65), (7, 96, 200), (17, 8, 47)] {
            let aStride = roundUp(k, 16), cStride = roundUp(n, 16)
            let a = bytes(m * aStride, &random), w = int8(n * k, &random)
            let bias = (0..<n).map { _ in Int32(truncatingIfNeeded: random.next() >> 16) % 5000 }
            let weights = PackedQuantizedGEMMWeights(k: k, n: n, bias: bias, inputZeroPoint: Int32(random.next() % 256),
                                                     multiplier: { Float($0 % 7 + 1) * 0.0009 }, splitPairs: set.gemmSplitsPairs,
                                                     weight: { o, i in w[o * k + i] })
            let zc = Int32(random.next() % 256)
            let expected = AlignedBytes(bytes: m * cStride), actual = AlignedBytes(bytes: m * cStride)
            func args(_ c: AlignedBytes) -> QuantizedGEMMArguments {
                QuantizedGEMMArguments(a: UnsafePointer(a.u8), aStride: aStride, weights: weights, c: c.u8, cStride: cStride,
                                       outputZeroPoint: zc, outputRange: zc...min(255, zc + 90))
            }
            qu8_gemm_reference(args(expected), rows: 0..<m)
            set.gemm.run(args(actual), 0..<(m / 2), 0..<weights.panels)
            set.gemm.run(args(actual), (m / 2)..<m, 0..<weights.panels)
            b.record("\(m)x\(k)x\(n)", error: difference(actual, expected, pixels: m, stride: cStride, channels: n), paddingUntouched: true)
        }
        return b.result
    }

    static func depthwise(_ set: QuantizedKernelSet, _ isa: ISA, _ random: inout CheckRandom) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: set.dwconv.name + "(+add)", isa: isa, tolerance: 0)
        for (h, w, c, k, s, pad) in [(5, 7, 17, 3, 1, 1), (9, 6, 40, 3, 2, 1), (7, 7, 1, 5, 1, 2), (11, 10, 33, 5, 2, 2)] {
            let stride = roundUp(c, 16)
            let oh = (h + 2 * pad - k) / s + 1, ow = (w + 2 * pad - k) / s + 1
            let input = bytes(h * w * stride, &random), identity = bytes(oh * ow * stride, &random)
            let weights = int8(c * k * k, &random)
            let za = Int32(random.next() % 256), zc = Int32(random.next() % 256)
            let packed = PackedQuantizedDepthwiseWeights(channels: c, kernelSize: k, bias: [], inputZeroPoint: za,
                                                         multiplier: { 0.003 + Float($0) * 0.0001 }, weight: { ch, t in weights[ch * k * k + t] })
            let zeroRow = AlignedBytes(bytes: stride)
            zeroRow.u8.update(repeating: UInt8(za), count: stride)
            for fused in [false, true] {
                let residual = QuantizedAddArguments(
                    branch: UnsafePointer(identity.u8), branchStride: stride, branchParameters: QuantizationParameters(scale: 0.03, zeroPoint: zc),
                    identity: UnsafePointer(identity.u8), identityStride: stride, identityParameters: QuantizationParameters(scale: 0.05, zeroPoint: 17),
                    output: identity.u8, outputStride: stride, outputParameters: QuantizationParameters(scale: 0.06, zeroPoint: 121),
                    channels: c, addedChannels: c / 3, outputRange: 0...255)
                func args(_ out: AlignedBytes) -> QuantizedDepthwiseArguments {
                    QuantizedDepthwiseArguments(input: UnsafePointer(input.u8), inputHeight: h, inputWidth: w, inputStride: stride,
                                                output: out.u8, outputWidth: ow, outputStride: stride, stride: s, padTop: pad, padLeft: pad,
                                                weights: packed, zeroRow: UnsafePointer(zeroRow.u8), outputZeroPoint: zc,
                                                outputRange: 0...255, residual: fused ? residual : nil)
                }
                let expected = AlignedBytes(bytes: oh * ow * stride), actual = AlignedBytes(bytes: oh * ow * stride)
                qu8_dwconv_reference(args(expected), rows: 0..<oh)
                set.dwconv.run(args(actual), 0..<1)
                set.dwconv.run(args(actual), 1..<oh)
                b.record("\(h)x\(w)x\(c) k\(k) s\(s)\(fused ? " +add" : "")",
                         error: difference(actual, expected, pixels: oh * ow, stride: stride, channels: c), paddingUntouched: true)
            }
        }
        return b.result
    }

    static func add(_ set: QuantizedKernelSet, _ isa: ISA, _ random: inout CheckRandom) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: set.addPartial.name, isa: isa, tolerance: 0)
        for (pixels, c, added) in [(5, 17, 17), (3, 40, 7), (4, 16, 0), (2, 33, 32)] {
            let stride = roundUp(c, 16)
            let branch = bytes(pixels * stride, &random), identity = bytes(pixels * stride, &random)
            func args(_ out: AlignedBytes) -> QuantizedAddArguments {
                QuantizedAddArguments(branch: UnsafePointer(branch.u8), branchStride: stride,
                                      branchParameters: QuantizationParameters(scale: 0.02, zeroPoint: 131),
                                      identity: UnsafePointer(identity.u8), identityStride: stride,
                                      identityParameters: QuantizationParameters(scale: 0.035, zeroPoint: 9),
                                      output: out.u8, outputStride: stride, outputParameters: QuantizationParameters(scale: 0.04, zeroPoint: 77),
                                      channels: c, addedChannels: added, outputRange: 0...255)
            }
            let expected = AlignedBytes(bytes: pixels * stride), actual = AlignedBytes(bytes: pixels * stride)
            qu8_add_partial_reference(args(expected), pixels: 0..<pixels)
            set.addPartial.run(args(actual), 0..<pixels)
            b.record("\(pixels)x\(c) added \(added)", error: difference(actual, expected, pixels: pixels, stride: stride, channels: c),
                     paddingUntouched: true)
        }
        return b.result
    }
}
