// Plain scalar references, the oracles for every fast kernel. Straight loops in the order of
// the definition, accumulating in Double, on logical (unpacked) weights in PyTorch/ONNX
// OIHW order, so that they check the packing as well as the arithmetic.

/// A convolution (dense, grouped or depthwise) described by logical parameters.
public struct ReferenceConvolution {
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    public var padBottom: Int
    public var padRight: Int
    public var groups: Int
    /// OIHW: [outputChannels][inputChannels / groups][kernelHeight][kernelWidth].
    public var weights: [Float]
    public var bias: [Float]
    public var minValue: Float
    public var maxValue: Float

    public init(inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
                kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                padTop: Int, padLeft: Int, padBottom: Int, padRight: Int, groups: Int,
                weights: [Float], bias: [Float], minValue: Float = -.infinity, maxValue: Float = .infinity) {
        self.inputHeight = inputHeight; self.inputWidth = inputWidth; self.inputChannels = inputChannels
        self.outputChannels = outputChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth; self.padTop = padTop
        self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight; self.groups = groups
        self.weights = weights; self.bias = bias; self.minValue = minValue; self.maxValue = maxValue
    }

    public var outputHeight: Int { (inputHeight + padTop + padBottom - kernelHeight) / strideHeight + 1 }
    public var outputWidth: Int { (inputWidth + padLeft + padRight - kernelWidth) / strideWidth + 1 }

    /// Runs the convolution on a dense NHWC input (stride = inputChannels). The residual, when
    /// given, is dense NHWC with outputChannels per pixel and is added to the first
    /// `residualChannels` channels before the clamp. Returns dense NHWC output.
    public func run(_ input: [Float], residual: [Float]? = nil, residualChannels: Int = 0) -> [Float] {
        let oh = outputHeight, ow = outputWidth
        let cinPerGroup = inputChannels / groups
        let coutPerGroup = outputChannels / groups
        var out = [Float](repeating: 0, count: oh * ow * outputChannels)
        for y in 0..<oh {
            for x in 0..<ow {
                for o in 0..<outputChannels {
                    let g = o / coutPerGroup
                    var s = Double(bias.isEmpty ? 0 : bias[o])
                    for ci in 0..<cinPerGroup {
                        let c = g * cinPerGroup + ci
                        for ky in 0..<kernelHeight {
                            let iy = y * strideHeight - padTop + ky
                            if iy < 0 || iy >= inputHeight { continue }
                            for kx in 0..<kernelWidth {
                                let ix = x * strideWidth - padLeft + kx
                                if ix < 0 || ix >= inputWidth { continue }
                                let w = weights[((o * cinPerGroup + ci) * kernelHeight + ky) * kernelWidth + kx]
                                s += Double(w) * Double(input[(iy * inputWidth + ix) * inputChannels + c])
                            }
                        }
                    }
                    let p = (y * ow + x) * outputChannels + o
                    if let residual, o < residualChannels { s += Double(residual[p]) }
                    out[p] = Swift.min(Swift.max(Float(s), minValue), maxValue)
                }
            }
        }
        return out
    }
}

/// out[p][c] = branch[p][c] + (c < k ? identity[p][c] : 0), clamped; dense NHWC.
public func referencePartialAdd(branch: [Float], identity: [Float], pixels: Int, channels: Int,
                                addedChannels k: Int, minValue: Float = -.infinity,
                                maxValue: Float = .infinity) -> [Float] {
    var out = branch
    for p in 0..<pixels {
        for c in 0..<channels {
            var v = branch[p * channels + c]
            if c < k { v += identity[p * channels + c] }
            out[p * channels + c] = Swift.min(Swift.max(v, minValue), maxValue)
        }
    }
    return out
}

/// Mean over pixels per channel of a dense NHWC tensor.
public func referenceGlobalAveragePool(_ input: [Float], pixels: Int, channels: Int) -> [Float] {
    (0..<channels).map { c in
        var s = 0.0
        for p in 0..<pixels { s += Double(input[p * channels + c]) }
        return Float(s / Double(pixels))
    }
}

/// y = W x + b with W as [outputs][inputs] (PyTorch Linear / ONNX Gemm with transB).
public func referenceFullyConnected(_ x: [Float], weights: [Float], bias: [Float], inputs: Int, outputs: Int) -> [Float] {
    (0..<outputs).map { o in
        var s = Double(bias.isEmpty ? 0 : bias[o])
        for i in 0..<inputs { s += Double(weights[o * inputs + i]) * Double(x[i]) }
        return Float(s)
    }
}
