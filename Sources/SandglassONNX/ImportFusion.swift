// Folds what ONNX writes as separate nodes into the engine's layers, so that an imported
// model runs the same kernels as the built-in one:
//   Conv → BatchNormalization              BN attached to the convolution (folded at plan time)
//   MatMul/Conv → Add(per-channel const)   the constant joins the bias
//   Slice(x,0:k) + Slice(b,0:k) → Add → Concat(·, Slice(b,k:C))
//                                          one partial shortcut add of k channels (spec §6)
//   Conv/Gemm/Add → Relu/Clip              the activation joins the epilogue
//   Mul(x, Sigmoid(x))                     SiLU, one element-wise layer (at lowering)
//   GlobalAveragePool → Conv1x1 → Relu (or SiLU) → Conv1x1 →
//   Sigmoid/HardSigmoid → Mul              squeeze-and-excite: pool, one gate layer, scale
// A step is folded only into a producer whose result nothing else reads. Steps that cannot be
// folded run as a 1x1 depthwise convolution with unit weights (exact, and visible as such in
// the per-layer table).
import SandglassEngine

extension ImportedGraph {
    mutating func fuse() {
        foldBatchNorms()
        foldChannelBiases()
        recognisePartialShortcuts()
        removeDeadLayers()   // the replaced slices and add, so that use counts are exact
        lowerUnfolded(activations: false)
        foldActivations()
        recogniseSqueezeExcite()
        lowerUnfolded(activations: true)
        lowerGates()
        removeDeadLayers()
    }

    /// Removes layer `i` (an element-wise step) and lets its producer `p` write its output.
    private mutating func absorb(_ i: Int, into p: Int) {
        layers[p]!.output = layers[i]!.output
        layers[i] = nil
    }

    /// The producer of layer i's only input, if that input is read by layer i alone.
    private func soleProducer(of i: Int, uses: [Int], producers: [Int?]) -> Int? {
        guard let layer = layers[i], layer.inputs.count == 1 else { return nil }
        let v = layer.inputs[0]
        guard v != input, uses[v] == 1, let p = producers[v], layers[p] != nil else { return nil }
        return p
    }

    mutating func foldBatchNorms() {
        let uses = uses()
        var producers = producers()
        for i in layers.indices {
            guard case let .batchNorm(bn)? = layers[i]?.operation,
                  let p = soleProducer(of: i, uses: uses, producers: producers),
                  case var .engine(.convolution(conv)) = layers[p]!.operation,
                  conv.batchNorm == nil, conv.activation == .none else { continue }
            conv.batchNorm = bn
            layers[p]!.operation = .engine(.convolution(conv))
            producers[layers[i]!.output] = p
            absorb(i, into: p)
        }
    }

    mutating func foldChannelBiases() {
        let uses = uses()
        var producers = producers()
        for i in layers.indices {
            guard case let .channelBias(c)? = layers[i]?.operation,
                  let p = soleProducer(of: i, uses: uses, producers: producers) else { continue }
            switch layers[p]!.operation {
            case var .engine(.fullyConnected(fc)) where fc.activation == .none:
                fc.bias = fc.bias.isEmpty ? c : zip(fc.bias, c).map { $0 + $1 }
                layers[p]!.operation = .engine(.fullyConnected(fc))
            case var .engine(.convolution(conv)) where conv.activation == .none:
                if var bn = conv.batchNorm {
                    bn.beta = zip(bn.beta, c).map { $0 + $1 }
                    conv.batchNorm = bn
                } else {
                    conv.bias = conv.bias.map { zip($0, c).map { $0 + $1 } } ?? c
                }
                layers[p]!.operation = .engine(.convolution(conv))
            default: continue
            }
            producers[layers[i]!.output] = p
            absorb(i, into: p)
        }
    }

    /// Concat(Add(Slice(p, 0:k), Slice(q, 0:k)), Slice(b, k:C)) with b ∈ {p, q} and b of C
    /// channels is y[:k] = b[:k] + other[:k], y[k:] = b[k:]: one partial add of k channels.
    mutating func recognisePartialShortcuts() {
        let uses = uses()
        let producers = producers()
        func slice(_ v: ValueID) -> (source: ValueID, start: Int, end: Int)? {
            guard let p = producers[v], let layer = layers[p],
                  case let .engine(.channelSlice(start, end)) = layer.operation else { return nil }
            return (layer.inputs[0], start, end)
        }
        for i in layers.indices {
            guard let concat = layers[i], case .engine(.concat) = concat.operation, concat.inputs.count == 2 else { continue }
            let (added, rest) = (concat.inputs[0], concat.inputs[1])
            guard uses[added] == 1, uses[rest] == 1, let a = producers[added], let addLayer = layers[a],
                  case let .engine(.shortcutAdd(add)) = addLayer.operation, add.activation == .none,
                  add.addedChannels == values[added].channels,
                  let s1 = slice(addLayer.inputs[0]), let s2 = slice(addLayer.inputs[1]),
                  let r = slice(rest) else { continue }
            let k = add.addedChannels
            guard s1.start == 0, s1.end == k, s2.start == 0, s2.end == k,
                  r.start == k, r.end == values[r.source].channels else { continue }
            let branch = r.source
            let identity: ValueID
            if s1.source == branch { identity = s2.source } else if s2.source == branch { identity = s1.source } else { continue }
            layers[i] = ImportedLayer(name: addLayer.name,
                                      operation: .engine(.shortcutAdd(ShortcutAdd(addedChannels: k))),
                                      inputs: [branch, identity], output: concat.output)
        }
    }

    /// gate(Conv1x1(inner(Conv1x1(p)))) on a pooled 1x1 value p, read only by the channel scale
    /// (inner: ReLU, or SiLU as EfficientNet's export writes it):
    /// the two convolutions and the gate become one squeeze-and-excite gate layer.
    mutating func recogniseSqueezeExcite() {
        let uses = uses()
        let producers = producers()
        func pointwise(_ v: ValueID, activation: Activation) -> (index: Int, conv: Convolution)? {
            guard uses[v] == 1, let p = producers[v], let layer = layers[p],
                  case let .engine(.convolution(conv)) = layer.operation, conv.isPointwise, conv.batchNorm == nil,
                  conv.activation == activation, values[layer.inputs[0]].pixels == 1 else { return nil }
            return (p, conv)
        }
        /// The reducing 1×1 convolution and its nonlinearity: ReLU folded into it, or SiLU as
        /// exporters write it, Mul(h, Sigmoid(h)) (the layers of that pair are returned too).
        func reduction(feeding v: ValueID) -> ((index: Int, conv: Convolution), SqueezeExcite.Inner, [Int])? {
            if let relu = pointwise(v, activation: .relu) { return (relu, .relu, []) }
            guard uses[v] == 1, let m = producers[v], let silu = layers[m], case .engine(.nonlinearity(.silu)) = silu.operation,
                  let reduce = pointwise(silu.inputs[0], activation: .none) else { return nil }
            return (reduce, .silu, [m])
        }
        for i in layers.indices {
            guard let scale = layers[i], case .engine(.channelScale) = scale.operation else { continue }
            let factors = scale.inputs[1]
            guard uses[factors] == 1, let g = producers[factors], let gateLayer = layers[g],
                  case let .gate(gate, _) = gateLayer.operation,
                  let expand = pointwise(gateLayer.inputs[0], activation: .none),
                  case let (reduce, inner, silu)? = reduction(feeding: layers[expand.index]!.inputs[0]) else { continue }
            let c = reduce.conv.inputChannels, s = reduce.conv.outputChannels
            guard expand.conv.inputChannels == s, expand.conv.outputChannels == c else { continue }
            let se = SqueezeExcite(channels: c, squeezeChannels: s, reduceWeights: reduce.conv.weights,
                                   reduceBias: reduce.conv.bias ?? [Float](repeating: 0, count: s), inner: inner,
                                   expandWeights: expand.conv.weights,
                                   expandBias: expand.conv.bias ?? [Float](repeating: 0, count: c), gate: gate)
            let pooled = layers[reduce.index]!.inputs[0]
            layers[g] = ImportedLayer(name: gateLayer.name, operation: .engine(.squeezeExcite(se)), inputs: [pooled],
                                      output: factors)
            layers[reduce.index] = nil
            layers[expand.index] = nil
            for index in silu { layers[index] = nil }
        }
    }

    /// Sigmoid and HardSigmoid that are no squeeze-and-excite gate run as element-wise layers.
    mutating func lowerGates() {
        for i in layers.indices {
            guard case let .gate(gate, _)? = layers[i]?.operation else { continue }
            switch gate {
            case .sigmoid: layers[i]!.operation = .engine(.nonlinearity(.sigmoid))
            case let .hardSigmoid(alpha, beta): layers[i]!.operation = .engine(.nonlinearity(.hardSigmoid(alpha: alpha, beta: beta)))
            }
        }
    }

    mutating func foldActivations() {
        let uses = uses()
        var producers = producers()
        for i in layers.indices {
            guard case let .activation(act)? = layers[i]?.operation,
                  let p = soleProducer(of: i, uses: uses, producers: producers) else { continue }
            switch layers[p]!.operation {
            case var .engine(.convolution(conv)):
                conv.activation = compose(conv.activation, then: act)
                layers[p]!.operation = .engine(.convolution(conv))
            case var .engine(.fullyConnected(fc)):
                fc.activation = compose(fc.activation, then: act)
                layers[p]!.operation = .engine(.fullyConnected(fc))
            case var .engine(.shortcutAdd(add)):
                add.activation = compose(add.activation, then: act)
                layers[p]!.operation = .engine(.shortcutAdd(add))
            default: continue
            }
            producers[layers[i]!.output] = p
            absorb(i, into: p)
        }
    }

    /// BatchNorm, bias or activation steps left over: a 1x1 depthwise convolution with unit
    /// weights carrying them (a dense 1x1 when there is a single channel).
    mutating func lowerUnfolded(activations: Bool) {
        for i in layers.indices {
            guard let layer = layers[i] else { continue }
            let c = values[layer.output].channels
            var bn: BatchNorm?, bias: [Float]?, act = Activation.none
            switch layer.operation {
            case let .batchNorm(b) where !activations: bn = b
            case let .channelBias(b) where !activations: bias = b
            case let .activation(a) where activations: act = a
            default: continue
            }
            let conv = Convolution(inputChannels: c, outputChannels: c, kernel: 1, stride: 1, padding: 0,
                                   groups: c, weights: [Float](repeating: 1, count: c), bias: bias,
                                   batchNorm: bn, activation: act)
            layers[i]!.operation = .engine(.convolution(conv))
        }
    }
}

/// clamp(clamp(x, a, b), c, d) = clamp(x, clamp(a, c, d), clamp(b, c, d)).
func compose(_ first: Activation, then second: Activation) -> Activation {
    let (a, b) = first.bounds, (c, d) = second.bounds
    return clampActivation(lower: min(max(a, c), d), upper: min(max(b, c), d))
}

/// The named activation for clamp bounds (relu, relu6) or a general clip.
func clampActivation(lower: Float, upper: Float) -> Activation {
    switch (lower, upper) {
    case (-.infinity, .infinity): return .none
    case (0, .infinity): return .relu
    case (0, 6): return .relu6
    default: return .clip(min: lower, max: upper)
    }
}
