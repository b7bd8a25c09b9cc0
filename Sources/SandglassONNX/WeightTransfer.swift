// Loads the weights of an imported graph into a built-in model of the same architecture,
// layer by layer: convolutions and fully connected layers are paired in order, and every
// pair must agree in geometry (channels, kernel, stride, padding, groups, activation), as
// must the shortcut adds' channel counts. This is how `--weights model.onnx` shows that the
// model zoo and the importer build the same network.
import SandglassEngine

public enum WeightTransfer {
    /// `target` (a built-in graph) with the weights, biases and BatchNorm of `source`.
    public static func apply(weightsOf source: Graph, to target: Graph, sourceName: String) throws -> Graph {
        func mismatch(_ problem: String) -> ONNXImportError {
            ONNXImportError("\(sourceName) does not have the architecture of \(target.name): \(problem)")
        }
        guard source.inputShape == target.inputShape else {
            throw mismatch("its input is \(source.inputShape), the built-in model's \(target.inputShape) (HxWxC); pass the matching --resolution")
        }
        let sourceLayers = source.layers.filter(\.hasWeights)
        let targetIndices = target.layers.indices.filter { target.layers[$0].hasWeights }
        guard sourceLayers.count == targetIndices.count else {
            throw mismatch("it has \(sourceLayers.count) convolution, fully connected and squeeze-and-excite layers, the built-in model \(targetIndices.count)")
        }
        var layers = target.layers
        for (n, (from, ti)) in zip(sourceLayers, targetIndices).enumerated() {
            let to = layers[ti]
            let which = "layer \(n + 1) with weights ('\(from.name)' in the ONNX graph, '\(to.name)' built in)"
            switch (from.operation, to.operation) {
            case let (.convolution(a), .convolution(b)):
                guard a.sameGeometry(as: b) else {
                    throw mismatch("\(which): \(a.summary) vs \(b.summary); pass the matching --model and --width")
                }
                var c = b
                c.weights = a.weights
                c.bias = a.bias
                c.batchNorm = a.batchNorm
                layers[ti].operation = .convolution(c)
            case let (.fullyConnected(a), .fullyConnected(b)):
                guard a.inputs == b.inputs, a.outputs == b.outputs, a.activation == b.activation else {
                    throw mismatch("\(which): fc \(a.inputs)->\(a.outputs) vs fc \(b.inputs)->\(b.outputs); pass the matching --classes")
                }
                var f = b
                f.weights = a.weights
                f.bias = a.bias
                layers[ti].operation = .fullyConnected(f)
            case let (.squeezeExcite(a), .squeezeExcite(b)):
                guard a.channels == b.channels, a.squeezeChannels == b.squeezeChannels, a.inner == b.inner, a.gate == b.gate else {
                    throw mismatch("\(which): squeeze-and-excite \(a.channels)->\(a.squeezeChannels) \(a.gate.name) vs \(b.channels)->\(b.squeezeChannels) \(b.gate.name)")
                }
                layers[ti].operation = .squeezeExcite(a)
            default:
                throw mismatch("\(which): \(from.operation.opName) vs \(to.operation.opName)")
            }
        }
        // Same layers with weights: the shortcut adds must also take the same channels (same α).
        let sourceAdds = source.layers.compactMap(\.addedChannels)
        let targetAdds = target.layers.compactMap(\.addedChannels)
        guard sourceAdds.count == targetAdds.count else {
            throw mismatch("it has \(sourceAdds.count) shortcut adds, the built-in model \(targetAdds.count)")
        }
        for (i, (s, t)) in zip(sourceAdds, targetAdds).enumerated() where s != t {
            throw mismatch("shortcut add \(i + 1) adds \(s) channels, the built-in model's \(t); pass the matching --alpha")
        }
        return Graph(name: "\(target.name) with weights of \(sourceName)", values: target.values, input: target.input,
                     output: target.output, layers: layers)
    }
}

extension Layer {
    fileprivate var hasWeights: Bool {
        switch operation {
        case .convolution, .fullyConnected, .squeezeExcite: return true
        default: return false
        }
    }

    fileprivate var addedChannels: Int? {
        if case let .shortcutAdd(add) = operation { return add.addedChannels }
        return nil
    }
}

extension Convolution {
    fileprivate func sameGeometry(as o: Convolution) -> Bool {
        inputChannels == o.inputChannels && outputChannels == o.outputChannels && kernelHeight == o.kernelHeight
            && kernelWidth == o.kernelWidth && strideHeight == o.strideHeight && strideWidth == o.strideWidth
            && padTop == o.padTop && padLeft == o.padLeft && padBottom == o.padBottom && padRight == o.padRight
            && groups == o.groups && activation == o.activation
    }

    fileprivate var summary: String {
        "\(opName) \(inputChannels)->\(outputChannels) pads \([padTop, padLeft, padBottom, padRight]) \(activation.name)"
    }
}
