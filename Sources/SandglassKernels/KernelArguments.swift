// Argument blocks passed to the micro-kernels. Plain structs of pointers and sizes so that a
// call costs no allocation and no reference counting.
//
// Memory conventions shared by every kernel:
// - Activations are NHWC, batch 1, with a per-pixel stride in floats (the channel count
//   rounded up to a multiple of 4, so every vector load is 16-byte aligned).
// - Kernels write only the logical channels [0, C) of each pixel; they may *read* up to
//   `kernelReadSlack` floats past the last logical channel of any input, so every buffer
//   handed to a kernel must be followed by that many readable floats.

/// Floats that a kernel may read past the end of an input (one AVX-512 vector).
public let kernelReadSlack = 16

/// Bias, clamp and optional shortcut add applied to a convolution's accumulators.
/// The shortcut adds `residual` to the first `residualChannels` output channels, *before* the
/// clamp: y = clamp(acc + bias + residual). The partial add of MobileNeXt is this with k < C.
public struct ConvEpilogue {
    public var minValue: Float
    public var maxValue: Float
    public var residual: UnsafePointer<Float>?
    public var residualStride: Int
    public var residualChannels: Int
    /// Then x · sigmoid(x) (SiLU) in registers, after the residual and the clamp, instead of a
    /// second pass over the output. Only kernels that write through DepthwiseOutput (depthwise
    /// and direct convolutions) apply it; the planner never sets it for a GEMM.
    public var silu: Bool

    public init(minValue: Float = -.infinity, maxValue: Float = .infinity,
                residual: UnsafePointer<Float>? = nil, residualStride: Int = 0, residualChannels: Int = 0,
                silu: Bool = false) {
        self.minValue = minValue
        self.maxValue = maxValue
        self.residual = residual
        self.residualStride = residualStride
        self.residualChannels = residual == nil ? 0 : residualChannels
        self.silu = silu
    }
}

/// One call of a GEMM micro-kernel: rows [rowStart, rowEnd) of A times one packed panel.
/// `c` and `residual` point at column 0 of the panel in row 0.
public struct GEMMTileArguments {
    public var a: UnsafePointer<Float>
    public var lda: Int
    public var k: Int
    /// Packed panel: `width` bias floats, then k rows of `width` floats (zero padded).
    public var panel: UnsafePointer<Float>
    public var c: UnsafeMutablePointer<Float>
    public var ldc: Int
    /// Columns of this panel that exist in C (the rest are padding and are not stored).
    public var validColumns: Int
    public var residual: UnsafePointer<Float>?
    public var ldr: Int
    /// Columns of this panel, counted from its first, that receive the residual (may be <= 0).
    public var residualColumns: Int
    public var minValue: Float
    public var maxValue: Float
    public var rowStart: Int
    public var rowEnd: Int
    /// Bytes from this panel to the next one in the packed storage, or 0 when it is the last:
    /// the tile kernels' first tile prefetches the next panel line by line (see runGEMM).
    public var nextPanelBytes: Int

    @inlinable
    public init(a: UnsafePointer<Float>, lda: Int, k: Int, panel: UnsafePointer<Float>,
                c: UnsafeMutablePointer<Float>, ldc: Int, validColumns: Int,
                residual: UnsafePointer<Float>?, ldr: Int, residualColumns: Int,
                minValue: Float, maxValue: Float, rowStart: Int, rowEnd: Int, nextPanelBytes: Int = 0) {
        self.a = a; self.lda = lda; self.k = k; self.panel = panel
        self.c = c; self.ldc = ldc; self.validColumns = validColumns
        self.residual = residual; self.ldr = ldr; self.residualColumns = residualColumns
        self.minValue = minValue; self.maxValue = maxValue
        self.rowStart = rowStart; self.rowEnd = rowEnd; self.nextPanelBytes = nextPanelBytes
    }
}

/// A depthwise convolution over NHWC tensors (3x3 or any k x k).
public struct DepthwiseArguments {
    public var input: UnsafePointer<Float>
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputStride: Int
    public var output: UnsafeMutablePointer<Float>
    public var outputHeight: Int
    public var outputWidth: Int
    public var outputStride: Int
    public var channels: Int
    public var kernelSize: Int
    public var stride: Int
    public var padTop: Int
    public var padLeft: Int
    /// Tap-major weights: kernelSize*kernelSize rows of `weightStride` floats, then one row of bias.
    public var weights: UnsafePointer<Float>
    public var weightStride: Int
    /// A row of zeros at least inputWidth * inputStride + kernelReadSlack long (vertical padding).
    public var zeros: UnsafePointer<Float>
    public var epilogue: ConvEpilogue

    public init(input: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, inputStride: Int,
                output: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int, outputStride: Int,
                channels: Int, kernelSize: Int, stride: Int, padTop: Int, padLeft: Int,
                weights: UnsafePointer<Float>, weightStride: Int, zeros: UnsafePointer<Float>,
                epilogue: ConvEpilogue) {
        self.input = input; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.inputStride = inputStride; self.output = output; self.outputHeight = outputHeight
        self.outputWidth = outputWidth; self.outputStride = outputStride; self.channels = channels
        self.kernelSize = kernelSize; self.stride = stride; self.padTop = padTop; self.padLeft = padLeft
        self.weights = weights; self.weightStride = weightStride; self.zeros = zeros
        self.epilogue = epilogue
    }
}

extension DepthwiseArguments {
    /// The same convolution restricted to channels `r` (r.lowerBound a multiple of 16 keeps every
    /// pointer 64-byte aligned): depthwise channels are independent, so threads can split them.
    public func channelSlice(_ r: Range<Int>) -> DepthwiseArguments {
        var a = self
        let c0 = r.lowerBound
        a.input = input + c0
        a.output = output + c0
        a.weights = weights + c0
        a.channels = r.count
        if let residual = epilogue.residual {
            a.epilogue.residual = residual + c0
            a.epilogue.residualChannels = max(0, epilogue.residualChannels - c0)
        }
        return a
    }
}

/// A dense (groups = 1) convolution of any kernel size, stride and padding: the stem.
public struct DirectConvArguments {
    public var input: UnsafePointer<Float>
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputStride: Int
    public var inputChannels: Int
    public var output: UnsafeMutablePointer<Float>
    public var outputHeight: Int
    public var outputWidth: Int
    public var outputStride: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    /// [ky][kx][ci] rows of `weightStride` floats (output channels, zero padded), then one bias row.
    public var weights: UnsafePointer<Float>
    public var weightStride: Int
    public var epilogue: ConvEpilogue

    public init(input: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, inputStride: Int,
                inputChannels: Int, output: UnsafeMutablePointer<Float>, outputHeight: Int,
                outputWidth: Int, outputStride: Int, outputChannels: Int, kernelHeight: Int,
                kernelWidth: Int, strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int,
                weights: UnsafePointer<Float>, weightStride: Int, epilogue: ConvEpilogue) {
        self.input = input; self.inputHeight = inputHeight; self.inputWidth = inputWidth
        self.inputStride = inputStride; self.inputChannels = inputChannels; self.output = output
        self.outputHeight = outputHeight; self.outputWidth = outputWidth; self.outputStride = outputStride
        self.outputChannels = outputChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth; self.padTop = padTop
        self.padLeft = padLeft; self.weights = weights; self.weightStride = weightStride
        self.epilogue = epilogue
    }
}

/// The separate shortcut add: out[p][0..<k] = branch[p][0..<k] + identity[p][0..<k], and
/// out[p][k..<channels] = branch[p][k..<channels] (nothing to do when out aliases branch).
public struct PartialAddArguments {
    public var branch: UnsafePointer<Float>
    public var branchStride: Int
    public var identity: UnsafePointer<Float>
    public var identityStride: Int
    public var output: UnsafeMutablePointer<Float>
    public var outputStride: Int
    public var pixels: Int
    public var channels: Int
    public var addedChannels: Int
    public var minValue: Float
    public var maxValue: Float

    public init(branch: UnsafePointer<Float>, branchStride: Int, identity: UnsafePointer<Float>,
                identityStride: Int, output: UnsafeMutablePointer<Float>, outputStride: Int,
                pixels: Int, channels: Int, addedChannels: Int,
                minValue: Float = -.infinity, maxValue: Float = .infinity) {
        self.branch = branch; self.branchStride = branchStride; self.identity = identity
        self.identityStride = identityStride; self.output = output; self.outputStride = outputStride
        self.pixels = pixels; self.channels = channels; self.addedChannels = addedChannels
        self.minValue = minValue; self.maxValue = maxValue
    }
}

/// Global average pooling of an NHWC tensor to one vector of `channels` floats.
public struct GlobalAveragePoolArguments {
    public var input: UnsafePointer<Float>
    public var pixels: Int
    public var inputStride: Int
    public var channels: Int
    public var output: UnsafeMutablePointer<Float>

    public init(input: UnsafePointer<Float>, pixels: Int, inputStride: Int, channels: Int,
                output: UnsafeMutablePointer<Float>) {
        self.input = input; self.pixels = pixels; self.inputStride = inputStride
        self.channels = channels; self.output = output
    }
}

/// Squeeze-and-excite's gate on a pooled vector. Weights are packed with `weightStride` floats
/// per row (channels rounded up to 16, zero padded): the reduce layer as [squeeze][channels],
/// the expand layer transposed, [squeeze][channels], so both loop over channels in vectors.
public struct SqueezeExciteGateArguments {
    public enum Gate: Equatable {
        case sigmoid
        case hardSigmoid(alpha: Float, beta: Float)
    }

    public var pooled: UnsafePointer<Float>
    public var channels: Int
    public var squeezeChannels: Int
    public var weightStride: Int
    public var reduceWeights: UnsafePointer<Float>
    public var reduceBias: UnsafePointer<Float>
    /// x · sigmoid(x) between the layers instead of ReLU.
    public var innerSiLU: Bool
    public var expandWeightsTransposed: UnsafePointer<Float>
    public var expandBias: UnsafePointer<Float>
    public var gate: Gate
    /// squeezeChannels floats of scratch.
    public var hidden: UnsafeMutablePointer<Float>
    public var output: UnsafeMutablePointer<Float>

    public init(pooled: UnsafePointer<Float>, channels: Int, squeezeChannels: Int, weightStride: Int,
                reduceWeights: UnsafePointer<Float>, reduceBias: UnsafePointer<Float>, innerSiLU: Bool,
                expandWeightsTransposed: UnsafePointer<Float>, expandBias: UnsafePointer<Float>, gate: Gate,
                hidden: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>) {
        self.pooled = pooled; self.channels = channels; self.squeezeChannels = squeezeChannels
        self.weightStride = weightStride; self.reduceWeights = reduceWeights; self.reduceBias = reduceBias
        self.innerSiLU = innerSiLU; self.expandWeightsTransposed = expandWeightsTransposed
        self.expandBias = expandBias; self.gate = gate; self.hidden = hidden; self.output = output
    }
}

/// Every pixel of an NHWC tensor multiplied channel-wise by one factor per channel.
public struct ChannelScaleArguments {
    public var input: UnsafePointer<Float>
    public var inputStride: Int
    public var factors: UnsafePointer<Float>
    public var output: UnsafeMutablePointer<Float>
    public var outputStride: Int
    public var channels: Int

    public init(input: UnsafePointer<Float>, inputStride: Int, factors: UnsafePointer<Float>,
                output: UnsafeMutablePointer<Float>, outputStride: Int, channels: Int) {
        self.input = input; self.inputStride = inputStride; self.factors = factors
        self.output = output; self.outputStride = outputStride; self.channels = channels
    }
}

/// An element-wise activation that is not a clamp, over an NHWC tensor (in place or not).
public struct NonlinearityArguments {
    public enum Kind: Equatable {
        case hardSwish
        case hardSigmoid(alpha: Float, beta: Float)
        case sigmoid
        case silu
    }

    public var input: UnsafePointer<Float>
    public var inputStride: Int
    public var output: UnsafeMutablePointer<Float>
    public var outputStride: Int
    public var channels: Int
    public var kind: Kind

    public init(input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>, outputStride: Int,
                channels: Int, kind: Kind) {
        self.input = input; self.inputStride = inputStride; self.output = output; self.outputStride = outputStride
        self.channels = channels; self.kind = kind
    }
}
