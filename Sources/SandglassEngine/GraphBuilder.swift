// Builds a Graph layer by layer, inferring and checking shapes, so that the model zoo and the
// ONNX importer share one place where a malformed graph is caught (as an error, not a trap).

public struct GraphError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct GraphBuilder {
    public let name: String
    public private(set) var values: [TensorShape] = []
    public private(set) var layers: [Layer] = []
    private var input: ValueID?

    public init(name: String) { self.name = name }

    public func shape(_ v: ValueID) -> TensorShape { values[v] }

    private mutating func newValue(_ shape: TensorShape) -> ValueID {
        values.append(shape)
        return values.count - 1
    }

    public mutating func addInput(_ shape: TensorShape) throws -> ValueID {
        guard input == nil else { throw GraphError("graph '\(name)' has more than one input") }
        guard shape.height > 0, shape.width > 0, shape.channels > 0 else {
            throw GraphError("input shape \(shape) of '\(name)' has an empty dimension")
        }
        let v = newValue(shape)
        input = v
        return v
    }

    @discardableResult
    public mutating func convolution(_ name: String, _ x: ValueID, _ conv: Convolution) throws -> ValueID {
        let s = values[x]
        guard conv.inputChannels == s.channels else {
            throw GraphError("layer '\(name)': convolution expects \(conv.inputChannels) input channels, its input has \(s.channels)")
        }
        guard conv.groups >= 1, conv.inputChannels % conv.groups == 0, conv.outputChannels % conv.groups == 0 else {
            throw GraphError("layer '\(name)': groups \(conv.groups) do not divide \(conv.inputChannels) input and \(conv.outputChannels) output channels")
        }
        guard conv.kernelHeight >= 1, conv.kernelWidth >= 1, conv.strideHeight >= 1, conv.strideWidth >= 1,
              min(conv.padTop, conv.padLeft, conv.padBottom, conv.padRight) >= 0 else {
            throw GraphError("layer '\(name)': kernel, stride and padding must be positive (padding may be 0)")
        }
        let expected = conv.outputChannels * (conv.inputChannels / conv.groups) * conv.kernelHeight * conv.kernelWidth
        guard conv.weights.count == expected else {
            throw GraphError("layer '\(name)': \(conv.weights.count) weights, expected \(expected)")
        }
        if let bias = conv.bias, bias.count != conv.outputChannels {
            throw GraphError("layer '\(name)': bias has \(bias.count) values, expected \(conv.outputChannels)")
        }
        if let bn = conv.batchNorm {
            guard [bn.beta.count, bn.mean.count, bn.variance.count].allSatisfy({ $0 == bn.gamma.count }),
                  bn.gamma.count == conv.outputChannels else {
                throw GraphError("layer '\(name)': BatchNorm has \(bn.gamma.count) channels, expected \(conv.outputChannels)")
            }
        }
        let out = conv.outputShape(for: s)
        guard out.height >= 1, out.width >= 1 else {
            throw GraphError("layer '\(name)': input \(s) is too small for a \(conv.kernelHeight)x\(conv.kernelWidth) kernel with this padding")
        }
        let v = newValue(out)
        layers.append(Layer(name: name, operation: .convolution(conv), inputs: [x], output: v))
        return v
    }

    @discardableResult
    public mutating func shortcutAdd(_ name: String, branch: ValueID, identity: ValueID, addedChannels k: Int,
                                     activation: Activation = .none) throws -> ValueID {
        let b = values[branch], i = values[identity]
        guard b.height == i.height, b.width == i.width else {
            throw GraphError("layer '\(name)': shortcut add of \(b) and \(i): spatial sizes differ")
        }
        guard k >= 0, k <= b.channels, k <= i.channels else {
            throw GraphError("layer '\(name)': shortcut adds \(k) channels, but branch has \(b.channels) and identity \(i.channels)")
        }
        let v = newValue(b)
        layers.append(Layer(name: name, operation: .shortcutAdd(ShortcutAdd(addedChannels: k, activation: activation)),
                            inputs: [branch, identity], output: v))
        return v
    }

    @discardableResult
    public mutating func maxPool(_ name: String, _ x: ValueID, _ pool: MaxPool) throws -> ValueID {
        let s = values[x]
        guard pool.kernelHeight >= 1, pool.kernelWidth >= 1, pool.strideHeight >= 1, pool.strideWidth >= 1 else {
            throw GraphError("layer '\(name)': max pool needs a kernel and strides of at least 1")
        }
        guard [pool.padTop, pool.padBottom].allSatisfy({ $0 >= 0 && $0 < pool.kernelHeight }),
              [pool.padLeft, pool.padRight].allSatisfy({ $0 >= 0 && $0 < pool.kernelWidth }) else {
            throw GraphError("layer '\(name)': max pool pads must be smaller than its \(pool.kernelHeight)x\(pool.kernelWidth) kernel")
        }
        let out = pool.outputShape(for: s)
        guard out.height >= 1, out.width >= 1 else {
            throw GraphError("layer '\(name)': input \(s) is too small for a \(pool.kernelHeight)x\(pool.kernelWidth) max pool")
        }
        let v = newValue(out)
        layers.append(Layer(name: name, operation: .maxPool(pool), inputs: [x], output: v))
        return v
    }

    @discardableResult
    public mutating func globalAveragePool(_ name: String, _ x: ValueID) throws -> ValueID {
        let v = newValue(TensorShape(height: 1, width: 1, channels: values[x].channels))
        layers.append(Layer(name: name, operation: .globalAveragePool, inputs: [x], output: v))
        return v
    }

    @discardableResult
    public mutating func fullyConnected(_ name: String, _ x: ValueID, _ fc: FullyConnected) throws -> ValueID {
        let s = values[x]
        guard s.elements == fc.inputs else {
            throw GraphError("layer '\(name)': fully connected expects \(fc.inputs) inputs, its input \(s) has \(s.elements)")
        }
        guard s.pixels == 1 else {
            throw GraphError("layer '\(name)': fully connected on a \(s) tensor needs a 1x1 spatial input (pool first)")
        }
        guard fc.weights.count == fc.inputs * fc.outputs, fc.bias.isEmpty || fc.bias.count == fc.outputs else {
            throw GraphError("layer '\(name)': fully connected weights \(fc.weights.count) / bias \(fc.bias.count) do not match \(fc.inputs)x\(fc.outputs)")
        }
        let v = newValue(TensorShape(height: 1, width: 1, channels: fc.outputs))
        layers.append(Layer(name: name, operation: .fullyConnected(fc), inputs: [x], output: v))
        return v
    }

    @discardableResult
    public mutating func channelSlice(_ name: String, _ x: ValueID, start: Int, end: Int) throws -> ValueID {
        var s = values[x]
        guard start >= 0, end <= s.channels, start < end else {
            throw GraphError("layer '\(name)': channel slice [\(start), \(end)) is outside 0..<\(s.channels) or empty")
        }
        s.channels = end - start
        let v = newValue(s)
        layers.append(Layer(name: name, operation: .channelSlice(start: start, end: end), inputs: [x], output: v))
        return v
    }

    @discardableResult
    public mutating func concat(_ name: String, _ xs: [ValueID]) throws -> ValueID {
        guard let first = xs.first else { throw GraphError("layer '\(name)': concat of nothing") }
        var s = values[first]
        for x in xs.dropFirst() {
            guard values[x].height == s.height, values[x].width == s.width else {
                throw GraphError("layer '\(name)': concat of \(values[first]) and \(values[x]): spatial sizes differ")
            }
            s.channels += values[x].channels
        }
        let v = newValue(s)
        layers.append(Layer(name: name, operation: .concat, inputs: xs, output: v))
        return v
    }

    /// Squeeze-and-excite's gate on a pooled 1x1xC tensor.
    @discardableResult
    public mutating func squeezeExciteGate(_ name: String, _ pooled: ValueID, _ se: SqueezeExcite) throws -> ValueID {
        let s = values[pooled]
        guard s.pixels == 1, s.channels == se.channels else {
            throw GraphError("layer '\(name)': squeeze-and-excite gate of \(se.channels) channels needs a pooled 1x1x\(se.channels) input, got \(s)")
        }
        let c = se.channels, r = se.squeezeChannels
        guard r >= 1, se.reduceWeights.count == r * c, se.reduceBias.count == r,
              se.expandWeights.count == c * r, se.expandBias.count == c else {
            throw GraphError("layer '\(name)': squeeze-and-excite weights do not match \(c) channels squeezed to \(r) (reduce \(se.reduceWeights.count)+\(se.reduceBias.count), expand \(se.expandWeights.count)+\(se.expandBias.count))")
        }
        let v = newValue(s)
        layers.append(Layer(name: name, operation: .squeezeExcite(se), inputs: [pooled], output: v))
        return v
    }

    /// x multiplied channel-wise by a 1x1xC tensor of factors.
    @discardableResult
    public mutating func channelScale(_ name: String, _ x: ValueID, factors: ValueID) throws -> ValueID {
        let s = values[x], f = values[factors]
        guard f.pixels == 1, f.channels == s.channels else {
            throw GraphError("layer '\(name)': scales a \(s) tensor by \(f); the factors must be 1x1x\(s.channels)")
        }
        let v = newValue(s)
        layers.append(Layer(name: name, operation: .channelScale, inputs: [x, factors], output: v))
        return v
    }

    /// An element-wise activation that is not a clamp (hard-swish, SiLU, sigmoid, hard-sigmoid).
    @discardableResult
    public mutating func nonlinearity(_ name: String, _ x: ValueID, _ n: Nonlinearity) throws -> ValueID {
        if case let .hardSigmoid(alpha, beta) = n, !alpha.isFinite || !beta.isFinite {
            throw GraphError("layer '\(name)': hard-sigmoid alpha \(alpha) and beta \(beta) must be finite")
        }
        let v = newValue(values[x])
        layers.append(Layer(name: name, operation: .nonlinearity(n), inputs: [x], output: v))
        return v
    }

    /// Squeeze-and-excite on x: `<name>.pool` → `<name>.gate` → `<name>.scale`.
    @discardableResult
    public mutating func squeezeExcite(_ name: String, _ x: ValueID, _ se: SqueezeExcite) throws -> ValueID {
        let pooled = try globalAveragePool("\(name).pool", x)
        let factors = try squeezeExciteGate("\(name).gate", pooled, se)
        return try channelScale("\(name).scale", x, factors: factors)
    }

    public func build(output: ValueID) throws -> Graph {
        guard let input else { throw GraphError("graph '\(name)' has no input") }
        guard !layers.isEmpty else { throw GraphError("graph '\(name)' has no layers") }
        return Graph(name: name, values: values, input: input, output: output, layers: layers)
    }
}
