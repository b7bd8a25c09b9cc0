// The graph IR: logical layers as the reference implementations define them (a convolution
// with its BatchNorm and activation, a shortcut add, pooling, the classifier), over NHWC
// tensors of batch 1. Both the model zoo and the ONNX importer produce a Graph; the planner
// turns it into kernels. BatchNorm stays attached to its convolution here (so parameter
// counts can include γ/β as PyTorch counts them) and is folded when a plan is made.

/// Index of a tensor (value) in a graph.
public typealias ValueID = Int

/// Shape of a batch-1 NHWC tensor.
public struct TensorShape: Hashable, Codable, CustomStringConvertible, Sendable {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height; self.width = width; self.channels = channels
    }

    public var pixels: Int { height * width }
    public var elements: Int { height * width * channels }
    public var bytes: Int { elements * 4 }
    public var description: String { "\(height)x\(width)x\(channels)" }
}

/// The activation fused into a layer's epilogue.
public enum Activation: Hashable, Sendable {
    case none
    case relu
    case relu6
    case clip(min: Float, max: Float)

    public var bounds: (min: Float, max: Float) {
        switch self {
        case .none: return (-.infinity, .infinity)
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        case let .clip(lo, hi): return (lo, hi)
        }
    }

    public var name: String {
        switch self {
        case .none: return "linear"
        case .relu: return "relu"
        case .relu6: return "relu6"
        case let .clip(lo, hi): return "clip(\(lo),\(hi))"
        }
    }
}

/// Inference-time BatchNorm parameters (eps as in PyTorch, 1e-5 by default).
public struct BatchNorm: Sendable {
    public var gamma: [Float]
    public var beta: [Float]
    public var mean: [Float]
    public var variance: [Float]
    public var epsilon: Float

    public init(gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float = 1e-5) {
        self.gamma = gamma; self.beta = beta; self.mean = mean; self.variance = variance; self.epsilon = epsilon
    }

    public var channels: Int { gamma.count }
}

public struct Convolution: Sendable {
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
    /// The convolution's own bias (ONNX graphs may have one; the zoo's convs have none).
    public var bias: [Float]?
    public var batchNorm: BatchNorm?
    public var activation: Activation

    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int, padding: Int, groups: Int = 1,
                weights: [Float], bias: [Float]? = nil, batchNorm: BatchNorm? = nil, activation: Activation = .none) {
        self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernelHeight: kernel,
                  kernelWidth: kernel, strideHeight: stride, strideWidth: stride, padTop: padding,
                  padLeft: padding, padBottom: padding, padRight: padding, groups: groups, weights: weights,
                  bias: bias, batchNorm: batchNorm, activation: activation)
    }

    public init(inputChannels: Int, outputChannels: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int, padBottom: Int, padRight: Int,
                groups: Int, weights: [Float], bias: [Float]?, batchNorm: BatchNorm?, activation: Activation) {
        self.inputChannels = inputChannels; self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
        self.groups = groups; self.weights = weights; self.bias = bias
        self.batchNorm = batchNorm; self.activation = activation
    }

    /// Depthwise: one filter per channel (groups == channels, multiplier 1).
    public var isDepthwise: Bool { groups > 1 && groups == inputChannels && groups == outputChannels }
    public var isPointwise: Bool {
        groups == 1 && kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && padTop == 0 && padLeft == 0 && padBottom == 0 && padRight == 0
    }

    public func outputShape(for input: TensorShape) -> TensorShape {
        TensorShape(height: (input.height + padTop + padBottom - kernelHeight) / strideHeight + 1,
                    width: (input.width + padLeft + padRight - kernelWidth) / strideWidth + 1,
                    channels: outputChannels)
    }

    /// The operation's short name: conv3x3s2, dwconv3x3s1, conv1x1, …
    public var opName: String {
        let k = kernelHeight == kernelWidth ? "\(kernelHeight)x\(kernelWidth)" : "\(kernelHeight)x\(kernelWidth)"
        let s = strideHeight == strideWidth ? "s\(strideHeight)" : "s\(strideHeight)x\(strideWidth)"
        if isPointwise { return "conv1x1" }
        if isDepthwise { return "dwconv\(k)\(s)" }
        if groups > 1 { return "gconv\(k)\(s)g\(groups)" }
        return "conv\(k)\(s)"
    }
}

/// The shortcut add: output = branch, with identity added to its first `addedChannels`
/// channels (all of them for a full residual). `activation` is for imported graphs that
/// apply one after the add; the zoo's models have none.
public struct ShortcutAdd: Sendable {
    public var addedChannels: Int
    public var activation: Activation

    public init(addedChannels: Int, activation: Activation = .none) {
        self.addedChannels = addedChannels; self.activation = activation
    }
}

/// A fully connected layer; weights as [outputs][inputs] (PyTorch Linear).
public struct FullyConnected: Sendable {
    public var inputs: Int
    public var outputs: Int
    public var weights: [Float]
    public var bias: [Float]
    public var activation: Activation

    public init(inputs: Int, outputs: Int, weights: [Float], bias: [Float], activation: Activation = .none) {
        self.inputs = inputs; self.outputs = outputs; self.weights = weights; self.bias = bias
        self.activation = activation
    }
}

/// Squeeze-and-excite's gate (Hu et al.), from the pooled 1x1xC tensor to one factor per
/// channel: gate(expand · inner(reduce · pooled + b1) + b2). The pool before it and the
/// channel-wise scaling after it are layers of their own (`globalAveragePool`, `channelScale`),
/// so that a per-layer table shows what each costs.
public struct SqueezeExcite: Sendable {
    /// The nonlinearity between the two fully connected layers.
    public enum Inner: String, Hashable, Sendable {
        case relu
        /// x · sigmoid(x) (EfficientNet's Swish).
        case silu
    }

    /// The gate that turns the second layer's output into a factor per channel.
    public enum Gate: Hashable, Sendable {
        case sigmoid
        /// clamp(alpha · x + beta, 0, 1): ONNX HardSigmoid (PyTorch's Hardsigmoid: 1/6, 1/2).
        case hardSigmoid(alpha: Float, beta: Float)

        public var name: String {
            switch self {
            case .sigmoid: return "sigmoid"
            case let .hardSigmoid(a, b): return "hardsigmoid(\(a),\(b))"
            }
        }
    }

    public var channels: Int
    public var squeezeChannels: Int
    /// [squeezeChannels][channels]
    public var reduceWeights: [Float]
    public var reduceBias: [Float]
    public var inner: Inner
    /// [channels][squeezeChannels]
    public var expandWeights: [Float]
    public var expandBias: [Float]
    public var gate: Gate

    public init(channels: Int, squeezeChannels: Int, reduceWeights: [Float], reduceBias: [Float], inner: Inner = .relu,
                expandWeights: [Float], expandBias: [Float], gate: Gate = .sigmoid) {
        self.channels = channels; self.squeezeChannels = squeezeChannels
        self.reduceWeights = reduceWeights; self.reduceBias = reduceBias; self.inner = inner
        self.expandWeights = expandWeights; self.expandBias = expandBias; self.gate = gate
    }
}

/// An activation that is not a clamp, as its own element-wise layer (not yet fused into the
/// convolution epilogues): MobileNetV3's hard-swish, EfficientNet's SiLU, a sigmoid.
public enum Nonlinearity: Hashable, Sendable {
    /// x · relu6(x + 3) / 6
    case hardSwish
    /// clamp(alpha · x + beta, 0, 1)
    case hardSigmoid(alpha: Float, beta: Float)
    case sigmoid
    /// x · sigmoid(x) (Swish)
    case silu

    public var name: String {
        switch self {
        case .hardSwish: return "hardswish"
        case .hardSigmoid: return "hardsigmoid"
        case .sigmoid: return "sigmoid"
        case .silu: return "silu"
        }
    }
}

/// Max pooling over windows of the map (ONNX MaxPool with floor rounding): padding never wins
/// the max, a window that lies wholly in padding cannot occur (pads are smaller than the kernel).
public struct MaxPool: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    public var padBottom: Int
    public var padRight: Int

    public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                padTop: Int = 0, padLeft: Int = 0, padBottom: Int = 0, padRight: Int = 0) {
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padLeft = padLeft; self.padBottom = padBottom; self.padRight = padRight
    }

    public func outputShape(for input: TensorShape) -> TensorShape {
        TensorShape(height: (input.height + padTop + padBottom - kernelHeight) / strideHeight + 1,
                    width: (input.width + padLeft + padRight - kernelWidth) / strideWidth + 1, channels: input.channels)
    }

    public var opName: String {
        "maxpool\(kernelHeight)x\(kernelWidth)s\(strideHeight)" + (strideWidth == strideHeight ? "" : "x\(strideWidth)")
    }
}

public enum Operation: Sendable {
    case convolution(Convolution)
    /// inputs: [branch, identity]
    case shortcutAdd(ShortcutAdd)
    case globalAveragePool
    case fullyConnected(FullyConnected)
    /// Channels [start, end) of the input, as an exporter's Slice on the channel axis.
    case channelSlice(start: Int, end: Int)
    /// Concatenation on the channel axis.
    case concat
    /// Squeeze-and-excite's gate: pooled 1x1xC in, one factor per channel out.
    case squeezeExcite(SqueezeExcite)
    /// inputs: [x, factors]: every pixel of x multiplied channel-wise by a 1x1xC tensor.
    case channelScale
    /// An element-wise activation that is not a clamp.
    case nonlinearity(Nonlinearity)
    case maxPool(MaxPool)

    public var opName: String {
        switch self {
        case let .convolution(c): return c.opName
        case .shortcutAdd: return "add"
        case .globalAveragePool: return "gavgpool"
        case .fullyConnected: return "fc"
        case .channelSlice: return "slice"
        case .concat: return "concat"
        case .squeezeExcite: return "se_gate"
        case .channelScale: return "scale"
        case let .nonlinearity(n): return n.name
        case let .maxPool(pool): return pool.opName
        }
    }
}

public struct Layer: Sendable {
    public var name: String
    public var operation: Operation
    public var inputs: [ValueID]
    public var output: ValueID

    public init(name: String, operation: Operation, inputs: [ValueID], output: ValueID) {
        self.name = name; self.operation = operation; self.inputs = inputs; self.output = output
    }
}

/// A model: values (tensor shapes), layers in execution order, one input and one output.
public struct Graph: Sendable {
    public var name: String
    public var values: [TensorShape]
    public var input: ValueID
    public var output: ValueID
    public var layers: [Layer]
    /// The 8-bit parameters of every tensor and weight, where the model came with them (an
    /// ONNX QDQ model); nil for float models, which an int8 plan calibrates (QuantizationTable.swift).
    public var quantization: QuantizationTable? = nil

    public init(name: String, values: [TensorShape], input: ValueID, output: ValueID, layers: [Layer]) {
        self.name = name; self.values = values; self.input = input; self.output = output; self.layers = layers
    }

    public var inputShape: TensorShape { values[input] }
    public var outputShape: TensorShape { values[output] }

    /// Layers that read each value.
    public func consumers() -> [[Int]] {
        var result = [[Int]](repeating: [], count: values.count)
        for (i, layer) in layers.enumerated() { for v in layer.inputs { result[v].append(i) } }
        return result
    }
}
