// Weight layouts for the depthwise and direct kernels, built once at plan time from logical
// OIHW weights. (The GEMM's panel packing lives with the GEMM, since it depends on the ISA's
// tile widths.)

/// Depthwise weights packed tap-major: kernelSize² rows of `stride` floats (channels, zero
/// padded to a multiple of 16), then one row of bias.
public struct PackedDepthwiseWeights {
    public let buffer: AlignedBuffer
    public let stride: Int

    /// - Parameter weights: OIHW with I = 1: [channels][1][k][k].
    public init(channels: Int, kernelSize k: Int, weights: [Float], bias: [Float]) {
        stride = roundUp(channels, KernelSet.weightRowAlignment)
        buffer = AlignedBuffer(count: (k * k + 1) * stride)
        let p = buffer.pointer
        for c in 0..<channels {
            for tap in 0..<(k * k) { p[tap * stride + c] = weights[c * k * k + tap] }
            p[k * k * stride + c] = bias.isEmpty ? 0 : bias[c]
        }
    }
}

/// Direct-convolution weights: [ky][kx][ci] rows of `stride` floats (output channels, zero
/// padded to a multiple of 16), then one row of bias.
public struct PackedDirectConvWeights {
    public let buffer: AlignedBuffer
    public let stride: Int

    /// - Parameter weights: OIHW: [outputChannels][inputChannels][kh][kw].
    public init(inputChannels cin: Int, outputChannels cout: Int, kernelHeight kh: Int, kernelWidth kw: Int,
                weights: [Float], bias: [Float]) {
        stride = roundUp(cout, KernelSet.weightRowAlignment)
        let taps = kh * kw * cin
        buffer = AlignedBuffer(count: (taps + 1) * stride)
        let p = buffer.pointer
        for o in 0..<cout {
            for ci in 0..<cin {
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let tap = (ky * kw + kx) * cin + ci
                        p[tap * stride + o] = weights[((o * cin + ci) * kh + ky) * kw + kx]
                    }
                }
            }
            p[taps * stride + o] = bias.isEmpty ? 0 : bias[o]
        }
    }
}

/// Squeeze-and-excite gate weights: the reduce layer's `squeeze` rows, the expand layer's
/// transposed `squeeze` rows, one row of expand bias (each `stride` floats: channels zero padded
/// to a multiple of 16), then the reduce bias and the scratch for the hidden values.
public struct PackedSqueezeExciteWeights {
    public let buffer: AlignedBuffer
    public let stride: Int
    public let squeeze: Int

    /// - Parameters: reduce [squeeze][channels], expand [channels][squeeze] (PyTorch's 1x1 convs).
    public init(channels c: Int, squeeze s: Int, reduce: [Float], reduceBias: [Float], expand: [Float], expandBias: [Float]) {
        stride = roundUp(c, KernelSet.weightRowAlignment)
        squeeze = s
        buffer = AlignedBuffer(count: (2 * s + 1) * stride + 2 * s)
        let p = buffer.pointer
        for j in 0..<s {
            for i in 0..<c {
                p[j * stride + i] = reduce[j * c + i]
                p[(s + j) * stride + i] = expand[i * s + j]
            }
            p[(2 * s + 1) * stride + j] = reduceBias[j]
        }
        for i in 0..<c { p[2 * s * stride + i] = expandBias[i] }
    }

    public func arguments(pooled: UnsafePointer<Float>, channels: Int, innerSiLU: Bool,
                          gate: SqueezeExciteGateArguments.Gate, output: UnsafeMutablePointer<Float>) -> SqueezeExciteGateArguments {
        let p = buffer.pointer
        return SqueezeExciteGateArguments(
            pooled: pooled, channels: channels, squeezeChannels: squeeze, weightStride: stride,
            reduceWeights: p, reduceBias: p + (2 * squeeze + 1) * stride, innerSiLU: innerSiLU,
            expandWeightsTransposed: p + squeeze * stride, expandBias: p + 2 * squeeze * stride, gate: gate,
            hidden: p + (2 * squeeze + 1) * stride + squeeze, output: output)
    }
}
