// Runs a Graph directly with the scalar reference kernels: BatchNorm applied as written (not
// folded), every add as written. It shares no code with the planner or the fast kernels, so
// it is the whole-network oracle for them (slow: use small resolutions).
import SandglassKernels

public enum ReferenceExecutor {
    /// Runs the graph on a dense NHWC input and returns the dense NHWC output.
    public static func run(_ graph: Graph, input: [Float]) -> [Float] {
        runAll(graph, input: input)[graph.output]!
    }

    /// Every value of the graph (dense NHWC), for calibration; nil for values nothing computed.
    public static func runAll(_ graph: Graph, input: [Float]) -> [[Float]?] {
        var values = [[Float]?](repeating: nil, count: graph.values.count)
        values[graph.input] = input
        for layer in graph.layers {
            let x = values[layer.inputs[0]]!
            let inShape = graph.values[layer.inputs[0]]
            let outShape = graph.values[layer.output]
            var y: [Float]
            switch layer.operation {
            case let .convolution(conv):
                let ref = ReferenceConvolution(
                    inputHeight: inShape.height, inputWidth: inShape.width, inputChannels: conv.inputChannels,
                    outputChannels: conv.outputChannels, kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth,
                    strideHeight: conv.strideHeight, strideWidth: conv.strideWidth, padTop: conv.padTop,
                    padLeft: conv.padLeft, padBottom: conv.padBottom, padRight: conv.padRight, groups: conv.groups,
                    weights: conv.weights, bias: conv.bias ?? [])
                y = ref.run(x)
                if let bn = conv.batchNorm {
                    for i in y.indices {
                        let c = i % conv.outputChannels
                        let normalized = (Double(y[i]) - Double(bn.mean[c])) / (Double(bn.variance[c]) + Double(bn.epsilon)).squareRoot()
                        y[i] = Float(normalized * Double(bn.gamma[c]) + Double(bn.beta[c]))
                    }
                }
                y = apply(conv.activation, y)
            case let .shortcutAdd(add):
                y = apply(add.activation, referencePartialAdd(branch: x, identity: values[layer.inputs[1]]!,
                                                              pixels: outShape.pixels, channels: outShape.channels,
                                                              addedChannels: add.addedChannels))
            case .globalAveragePool:
                y = referenceGlobalAveragePool(x, pixels: inShape.pixels, channels: inShape.channels)
            case let .fullyConnected(fc):
                y = apply(fc.activation, referenceFullyConnected(x, weights: fc.weights, bias: fc.bias,
                                                                 inputs: fc.inputs, outputs: fc.outputs))
            case let .channelSlice(start, end):
                y = []
                for p in 0..<inShape.pixels { y += x[(p * inShape.channels + start)..<(p * inShape.channels + end)] }
            case .concat:
                y = []
                let parts = layer.inputs.map { (values[$0]!, graph.values[$0].channels) }
                for p in 0..<outShape.pixels {
                    for (data, c) in parts { y += data[(p * c)..<((p + 1) * c)] }
                }
            case let .squeezeExcite(se):
                y = referenceSqueezeExciteGate(pooled: x, channels: se.channels, squeezeChannels: se.squeezeChannels,
                                               reduceWeights: se.reduceWeights, reduceBias: se.reduceBias,
                                               innerSiLU: se.inner == .silu, expandWeights: se.expandWeights,
                                               expandBias: se.expandBias, gate: se.kernelGate)
            case let .nonlinearity(n):
                y = referenceNonlinearity(x, kind: n.kernelKind)
            case let .maxPool(pool):
                y = referenceMaxPool(x, input: (inShape.height, inShape.width, inShape.channels), outputHeight: outShape.height,
                                     outputWidth: outShape.width, window: pool.window)
            case .channelScale:
                y = referenceChannelScale(x, factors: values[layer.inputs[1]]!, pixels: outShape.pixels,
                                          channels: outShape.channels)
            }
            values[layer.output] = y
        }
        return values
    }

    static func apply(_ activation: Activation, _ x: [Float]) -> [Float] {
        let (lo, hi) = activation.bounds
        if lo == -.infinity && hi == .infinity { return x }
        return x.map { min(max($0, lo), hi) }
    }
}
