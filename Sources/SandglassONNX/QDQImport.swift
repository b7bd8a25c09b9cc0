// ONNX QDQ models (onnxruntime.quantization.quantize_static's format): QuantizeLinear and
// DequantizeLinear nodes around float operators. Before the float lowering runs, this pass takes
// them out of the node list and keeps what they said:
// - DequantizeLinear of an initializer (int8 weights per output channel, int32 biases) becomes
//   the float initializer it computes; the weights' per-channel scales are kept by tensor name;
// - QuantizeLinear(x) read only by DequantizeLinear nodes with the same scale and zero point
//   (an activation's "fake quantization") is removed, its readers read x, and x keeps the
//   scale and zero point.
// The float graph that results is what ONNX Runtime computes without its QDQ fusions, so
// `--dtype f32` runs it as such; `--dtype int8` runs it with the kept parameters (the
// QuantizationTable this pass attaches to the graph).
import SandglassEngine
import SandglassKernels

struct QDQExtraction {
    /// Activation parameters by tensor name, in the byte domain (int8 zero points + 128).
    var activations: [String: QuantizationParameters] = [:]
    /// Per-output-channel weight scales by the (dequantized) weight tensor's name.
    var weightScales: [String: [Float]] = [:]
    var activationType: ActivationType = .uint8
    /// Readers of a removed DequantizeLinear's output read this name instead.
    var renamed: [String: String] = [:]

    var isQuantized: Bool { !activations.isEmpty || !weightScales.isEmpty }

    func name(_ n: String) -> String { renamed[n] ?? n }

    /// Removes the Q/DQ nodes from `nodes`, replacing dequantized initializers in `symbols`.
    mutating func extract(_ nodes: [NodeProto], initializers: [TensorProto], symbols: inout [String: Symbol]) throws -> [NodeProto] {
        let types = Dictionary(initializers.map { ($0.name, $0.dataType) }, uniquingKeysWith: { a, _ in a })
        func constant(_ name: String, _ what: String) throws -> ConstantTensor {
            guard case let .constant(c)? = symbols[name] else {
                throw ONNXImportError("\(what): '\(name)' must be an initializer (a constant scale or zero point)")
            }
            return c
        }
        // Parameters of a Q or DQ node: one scale, one zero point (per tensor), in the byte domain.
        func parameters(_ node: NodeProto) throws -> QuantizationParameters {
            let what = "\(node.opType) node '\(node.name)'"
            guard node.inputs.count >= 2 else { throw ONNXImportError("\(what) has no scale input") }
            let scale = try constant(node.inputs[1], what).floats
            guard scale.count == 1, scale[0] > 0, scale[0].isFinite else {
                throw ONNXImportError("\(what): activations must have one positive scale per tensor; this one has \(scale.count)")
            }
            var zero: Int64 = 0
            var type = ONNXDataType.uint8.rawValue
            if node.inputs.count >= 3, !node.inputs[2].isEmpty {
                let z = try constant(node.inputs[2], what)
                guard case let .ints(values) = z.values, values.count == 1 else {
                    throw ONNXImportError("\(what): the zero point must be one integer")
                }
                zero = values[0]
                type = types[node.inputs[2]] ?? type
            }
            switch ONNXDataType(rawValue: type) {
            case .uint8?: break
            case .int8?: zero += 128; activationType = .int8
            default:
                throw ONNXImportError("\(what): zero point of type \(ONNXDataType.name(of: type)); Sandglass runs 8-bit (int8 or uint8) activations")
            }
            return QuantizationParameters(scale: scale[0], zeroPoint: Int32(zero))
        }

        var readers: [String: [Int]] = [:]
        for (i, node) in nodes.enumerated() { for input in node.inputs { readers[input, default: []].append(i) } }
        var dropped = Set<Int>()
        for (i, node) in nodes.enumerated() where node.opType == "DequantizeLinear" {
            guard let source = node.inputs.first, case let .constant(q)? = symbols[source] else { continue }
            // A weight or bias: the float tensor it computes, and its scales.
            let what = "DequantizeLinear node '\(node.name)'"
            guard node.inputs.count >= 2, let output = node.outputs.first else { throw ONNXImportError("\(what) has no scale") }
            let scales = try constant(node.inputs[1], what).floats
            var zeros = [Int64](repeating: 0, count: scales.count)
            if node.inputs.count >= 3, !node.inputs[2].isEmpty, case let .ints(z) = try constant(node.inputs[2], what).values { zeros = z }
            let axis = Int(try NodeAttributes(node, label: what).int("axis") ?? 1)
            guard case let .ints(values) = q.values else { throw ONNXImportError("\(what): '\(source)' is not an integer tensor") }
            guard zeros.allSatisfy({ $0 == 0 }) || scales.count == 1 else {
                throw ONNXImportError("\(what): per-channel weights must be symmetric (zero point 0)")
            }
            var floats = [Float](repeating: 0, count: values.count)
            if scales.count == 1 {
                for j in values.indices { floats[j] = Float(values[j] - zeros[0]) * scales[0] }
            } else {
                let a = axis < 0 ? axis + q.dims.count : axis
                guard a >= 0, a < q.dims.count, q.dims[a] == scales.count else {
                    throw ONNXImportError("\(what): \(scales.count) scales along axis \(axis) of a tensor of shape \(q.dims)")
                }
                let inner = q.dims[(a + 1)...].reduce(1, *)
                for j in values.indices { floats[j] = Float(values[j]) * scales[(j / inner) % scales.count] }
                guard a == 0 else {
                    throw ONNXImportError("\(what): weights quantized per channel along axis \(axis); Sandglass takes per-channel scales along the output axis 0 (Conv, Gemm with transB = 1)")
                }
            }
            symbols[output] = .constant(ConstantTensor(dims: q.dims, values: .floats(floats)))
            weightScales[output] = scales
            dropped.insert(i)
        }
        for (i, node) in nodes.enumerated() where node.opType == "QuantizeLinear" {
            guard let x = node.inputs.first, let y = node.outputs.first else { continue }
            let p = try parameters(node)
            let dqs = readers[y] ?? []
            for r in dqs {
                let dq = nodes[r]
                guard dq.opType == "DequantizeLinear", try parameters(dq) == p, let out = dq.outputs.first else {
                    throw ONNXImportError("QuantizeLinear node '\(node.name)': its output is read by \(dq.opType) node '\(dq.name)'; Sandglass imports QDQ models whose quantized tensors are read only by DequantizeLinear with the same scale and zero point")
                }
                renamed[out] = name(x)
                activations[out] = p
                dropped.insert(r)
            }
            activations[x] = p
            dropped.insert(i)
        }
        for (i, node) in nodes.enumerated() where !dropped.contains(i) && (node.opType == "DequantizeLinear" || node.opType == "QuantizeLinear") {
            throw ONNXImportError("\(node.opType) node '\(node.name)' does not belong to a QuantizeLinear → DequantizeLinear pair or a quantized initializer; Sandglass does not run it")
        }
        return nodes.enumerated().compactMap { i, node in
            guard !dropped.contains(i) else { return nil }
            var n = node
            n.inputs = node.inputs.map(name)
            return n
        }
    }

    /// The table for the built graph: every value's parameters (by the names that lowered onto
    /// it) and every convolution's and classifier's weight scales (by the weight each node read).
    func table(graph: Graph, valueNames: [ValueID: [String]], layerWeights: [String: String]) throws -> QuantizationTable {
        var values: [QuantizationParameters] = []
        for v in graph.values.indices {
            let names = valueNames[v] ?? []
            guard let p = names.lazy.compactMap({ activations[$0] }).first else {
                let what = names.first.map { "tensor '\($0)'" } ?? "a tensor of layer \(graph.layers.first { $0.output == v }?.name ?? "?")"
                throw ONNXImportError("\(what) has no QuantizeLinear/DequantizeLinear pair: a QDQ model must quantize every activation (quantize_static does); run it with --dtype f32")
            }
            values.append(p)
        }
        var scales: [Int: [Float]] = [:]
        for (i, layer) in graph.layers.enumerated() {
            switch layer.operation {
            case let .convolution(conv):
                guard conv.batchNorm == nil else {
                    throw ONNXImportError("layer '\(layer.name)': a BatchNormalization follows the quantized convolution; fold it before quantizing (onnxruntime.quantization.shape_inference.quant_pre_process)")
                }
                scales[i] = try weightScales(layer.name, layerWeights, count: conv.outputChannels)
            case let .fullyConnected(fc):
                scales[i] = try weightScales(layer.name, layerWeights, count: fc.outputs)
            default: break
            }
        }
        return QuantizationTable(activationType: activationType, values: values, weightScales: scales, source: "ONNX QDQ model")
    }

    private func weightScales(_ layer: String, _ layerWeights: [String: String], count: Int) throws -> [Float] {
        guard let w = layerWeights[layer], let s = weightScales[w] else {
            throw ONNXImportError("layer '\(layer)': its weights are not a DequantizeLinear of int8 values; Sandglass runs QDQ models with quantized weights")
        }
        if s.count == 1 { return [Float](repeating: s[0], count: count) }
        guard s.count == count else { throw ONNXImportError("layer '\(layer)': \(s.count) weight scales for \(count) output channels") }
        return s
    }
}
