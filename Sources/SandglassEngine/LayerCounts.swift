// Analytic counts per layer, under the conventions of the reference (mobilenext-spec.md §11):
// - params: conv weights (+ a conv's own bias) + FC weights + FC bias ("conv+fc");
//   batchNormParams: γ and β, which PyTorch's sum(p.numel()) also counts;
// - madds: multiply-accumulates of conv and FC layers only (squeeze-and-excite's two small FC
//   layers included; its channel-wise scaling, one multiply per element, is not);
// - shortcutAdds: element-wise additions of the shortcut per inference;
// - bytes: the minimum traffic the layer must cause: weights as executed (BN folded into one
//   bias per channel), inputs, the identity tensor of an add, and outputs, in fp32.

public struct LayerCounts: Codable, Sendable, Equatable {
    public var params: Int = 0
    public var batchNormParams: Int = 0
    public var madds: Int = 0
    public var shortcutAdds: Int = 0
    public var weightBytes: Int = 0
    public var inputBytes: Int = 0
    public var identityBytes: Int = 0
    public var outputBytes: Int = 0

    public init() {}

    /// Parameters including BatchNorm γ/β (PyTorch's count).
    public var paramsWithBatchNorm: Int { params + batchNormParams }
    public var bytesRead: Int { weightBytes + inputBytes + identityBytes }
    public var bytesWritten: Int { outputBytes }
    /// Memory access cost: bytes read plus bytes written.
    public var bytes: Int { bytesRead + bytesWritten }

    public static func + (a: LayerCounts, b: LayerCounts) -> LayerCounts {
        var r = LayerCounts()
        r.params = a.params + b.params
        r.batchNormParams = a.batchNormParams + b.batchNormParams
        r.madds = a.madds + b.madds
        r.shortcutAdds = a.shortcutAdds + b.shortcutAdds
        r.weightBytes = a.weightBytes + b.weightBytes
        r.inputBytes = a.inputBytes + b.inputBytes
        r.identityBytes = a.identityBytes + b.identityBytes
        r.outputBytes = a.outputBytes + b.outputBytes
        return r
    }
}

extension Graph {
    /// Counts of one layer.
    public func counts(of index: Int) -> LayerCounts {
        let layer = layers[index]
        let out = values[layer.output]
        var c = LayerCounts()
        c.outputBytes = out.bytes
        switch layer.operation {
        case let .convolution(conv):
            let input = values[layer.inputs[0]]
            c.params = conv.weights.count + (conv.bias?.count ?? 0)
            c.batchNormParams = conv.batchNorm.map { 2 * $0.channels } ?? 0
            c.madds = out.pixels * conv.outputChannels * (conv.inputChannels / conv.groups) * conv.kernelHeight * conv.kernelWidth
            let hasBias = conv.bias != nil || conv.batchNorm != nil
            c.weightBytes = 4 * (conv.weights.count + (hasBias ? conv.outputChannels : 0))
            c.inputBytes = input.bytes
        case let .shortcutAdd(add):
            let n = add.addedChannels * out.pixels
            c.shortcutAdds = n
            // In place: reads k channels of the branch and of the identity, writes k channels.
            c.inputBytes = 4 * n
            c.identityBytes = 4 * n
            c.outputBytes = 4 * n
        case .globalAveragePool:
            c.inputBytes = values[layer.inputs[0]].bytes
        case let .fullyConnected(fc):
            c.params = fc.weights.count + fc.bias.count
            c.madds = fc.inputs * fc.outputs
            c.weightBytes = 4 * (fc.weights.count + fc.outputs)
            c.inputBytes = values[layer.inputs[0]].bytes
        case .channelSlice:
            c.inputBytes = out.bytes
        case .concat:
            c.inputBytes = layer.inputs.reduce(0) { $0 + values[$1].bytes }
        case let .squeezeExcite(se):
            // Two small fully connected layers with biases (PyTorch's 1x1 Conv2d with bias=True).
            c.params = se.reduceWeights.count + se.reduceBias.count + se.expandWeights.count + se.expandBias.count
            c.madds = 2 * se.channels * se.squeezeChannels
            c.weightBytes = 4 * c.params
            c.inputBytes = values[layer.inputs[0]].bytes
        case .nonlinearity, .maxPool:
            c.inputBytes = values[layer.inputs[0]].bytes
        case .channelScale:
            // One multiply per element, outside MAdds (which count conv and FC layers only).
            c.inputBytes = values[layer.inputs[0]].bytes + values[layer.inputs[1]].bytes
        }
        return c
    }

    /// Counts of every layer, in order.
    public var layerCounts: [LayerCounts] { layers.indices.map { counts(of: $0) } }

    /// Totals over the whole graph.
    public var totals: LayerCounts { layerCounts.reduce(LayerCounts(), +) }
}
