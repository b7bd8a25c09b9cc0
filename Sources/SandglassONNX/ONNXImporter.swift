// Imports an ONNX model onto the engine's Graph: decodes the file (strict protobuf reader),
// checks the opset, the single NCHW float input and the single output, decodes initializers
// (raw, typed or external data), lowers every node, folds BatchNorm, biases, activations and
// exporters' partial-shortcut pattern into the engine's layers, and builds a Graph that the
// planner, kernels, counters and reports treat exactly like a built-in model.
import SandglassEngine

/// An imported model: the engine graph and the ONNX-side names and shapes of its input and output.
public struct ImportedONNXModel: Sendable {
    public let graph: Graph
    public let inputName: String
    /// [1, C, H, W].
    public let inputDims: [Int]
    public let outputName: String
    /// [1, N] or [1, C, H, W].
    public let outputDims: [Int]
    public let opsetVersion: Int
    public let irVersion: Int
    public let producer: String
}

public enum ONNXImporter {
    /// Default-domain opsets accepted: 11 to 21 as exporters write them today, and 7 to 10,
    /// whose operators here differ only in attribute-vs-input forms that are handled (Clip's
    /// bounds, Slice's ranges, Squeeze's axes).
    public static let supportedOpsets = 7...21

    public static var supportedOperators: [String] { ONNXLowering.supportedOperators }

    /// Loads a .onnx file; external data files are read from the file's directory.
    public static func load(path: String) throws -> ImportedONNXModel {
        let bytes: [UInt8]
        do { bytes = try BinaryFile.read(path) } catch let e as FileError { throw ONNXImportError(e.message) }
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = ""
        }
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return try load(bytes: bytes, name: file, directory: directory, label: path)
    }

    /// Imports a model from memory. `directory` is where external data lives (nil: none allowed);
    /// `label` prefixes error messages (usually the path).
    public static func load(bytes: [UInt8], name: String, directory: String?, label: String? = nil) throws -> ImportedONNXModel {
        let prefix = label ?? name
        do {
            return try importModel(bytes: bytes, name: name, directory: directory)
        } catch let e as ProtobufError {
            throw ONNXImportError("\(prefix): not a valid ONNX file (truncated or corrupt?): \(e.description)")
        } catch let e as ONNXImportError {
            throw ONNXImportError("\(prefix): \(e.message)")
        }
    }

    private static func importModel(bytes: [UInt8], name: String, directory: String?) throws -> ImportedONNXModel {
        guard !bytes.isEmpty else { throw ONNXImportError("the file is empty") }
        let model = try ModelProto(decoding: bytes)
        guard let g = model.graph else {
            throw ONNXImportError("not an ONNX model: it has no graph (ModelProto field 7)")
        }
        let opset = try defaultOpset(model)
        guard g.sparseInitializerCount == 0 else { throw ONNXImportError("sparse initializers are not supported") }

        var symbols: [String: Symbol] = [:]
        let external = ExternalDataSource(directory: directory)
        for (i, t) in g.initializers.enumerated() {
            let what = "initializer '\(t.name.isEmpty ? "#\(i)" : t.name)'"
            guard !t.name.isEmpty else { throw ONNXImportError("\(what) has no name") }
            guard symbols[t.name] == nil else { throw ONNXImportError("\(what) is defined twice") }
            symbols[t.name] = .constant(try t.decode(what: what, external: external))
        }
        // QDQ models: Q/DQ nodes out, their parameters kept (QDQImport.swift).
        var qdq = QDQExtraction()
        let nodes = try qdq.extract(g.nodes, initializers: g.initializers, symbols: &symbols)
        let outputNames = g.outputs.map { qdq.name($0.name) }
        var lowering = ONNXLowering(graph: ImportedGraph(name: modelName(g, file: name)), opset: opset, external: external,
                                    consumed: Set(nodes.flatMap(\.inputs) + outputNames))
        lowering.symbols = symbols

        // The input: the one graph input that is not an initializer (IR < 4 lists those as inputs too).
        let inputs = g.inputs.filter { lowering.symbols[$0.name] == nil }
        guard inputs.count == 1 else {
            throw ONNXImportError("the graph has \(inputs.count) inputs (\(inputs.map { "'\($0.name)'" }.joined(separator: ", "))); Sandglass runs models with one image input")
        }
        let input = inputs[0]
        let inputDims = try imageDims(input)
        let inputShape = TensorShape(height: inputDims[2], width: inputDims[3], channels: inputDims[1])
        let x = try lowering.graph.newValue(inputShape, for: "input '\(input.name)'")
        lowering.graph.input = x
        lowering.symbols[input.name] = .activation(x, rank: 4)

        for (i, node) in nodes.enumerated() { try lowering.lower(node, index: i) }

        guard g.outputs.count == 1 else {
            throw ONNXImportError("the graph has \(g.outputs.count) outputs; Sandglass runs models with one output")
        }
        let outputName = g.outputs[0].name
        guard let out = lowering.symbols[outputNames[0]] else {
            throw ONNXImportError("the graph output '\(outputName)' is not produced by any node")
        }
        guard case let .activation(y, rank) = out else {
            throw ONNXImportError("the graph output '\(outputName)' is a constant, not computed from the input")
        }
        lowering.graph.output = y
        lowering.graph.fuse()
        var (graph, map) = try lowering.graph.buildMapped()
        if qdq.isQuantized {
            var valueNames: [ValueID: [String]] = [:]
            for (name, symbol) in lowering.symbols.sorted(by: { $0.key < $1.key }) {
                if case let .activation(v, _) = symbol, let mapped = map[v] { valueNames[mapped, default: []].append(name) }
            }
            valueNames[graph.input, default: []].append(input.name)
            var layerWeights: [String: String] = [:]
            for (i, node) in nodes.enumerated() where ["Conv", "Gemm", "MatMul"].contains(node.opType) && node.inputs.count > 1 {
                layerWeights[node.name.isEmpty ? "\(node.opType)_\(i)" : node.name] = node.inputs[1]
            }
            graph.quantization = try qdq.table(graph: graph, valueNames: valueNames, layerWeights: layerWeights)
        }
        return ImportedONNXModel(graph: graph, inputName: input.name, inputDims: inputDims, outputName: outputName,
                                 outputDims: lowering.dims(y, rank: rank), opsetVersion: opset,
                                 irVersion: Int(model.irVersion), producer: model.producerName)
    }

    private static func modelName(_ g: GraphProto, file: String) -> String {
        g.name.isEmpty ? file : "\(g.name) (\(file))"
    }

    private static func defaultOpset(_ model: ModelProto) throws -> Int {
        guard let entry = model.opsetImports.last(where: { $0.domain.isEmpty || $0.domain == "ai.onnx" }) else {
            throw ONNXImportError("the model imports no default-domain opset (opset_import is missing)")
        }
        guard supportedOpsets.contains(Int(clamping: entry.version)) else {
            throw ONNXImportError("opset \(entry.version) is not supported: Sandglass imports opsets \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound); re-export with opset_version in that range")
        }
        return Int(entry.version)
    }

    /// [1, C, H, W] of the image input; a symbolic batch is taken as 1.
    private static func imageDims(_ v: ValueInfoProto) throws -> [Int] {
        let what = "input '\(v.name)'"
        if let t = v.elementType, t != ONNXDataType.float.rawValue {
            throw ONNXImportError("\(what) has element type \(ONNXDataType.name(of: t)); Sandglass runs float32 inputs")
        }
        guard let shape = v.shape else { throw ONNXImportError("\(what) has no shape; export the model with a fixed input shape") }
        guard shape.count == 4 else {
            throw ONNXImportError("\(what) has \(shape.count) dimensions; Sandglass runs images (N, C, H, W)")
        }
        var dims: [Int] = []
        for (i, d) in shape.enumerated() {
            if let value = d.value {
                guard value >= 1, value <= 1 << 20 else { throw ONNXImportError("\(what) has dimension \(i) = \(value)") }
                dims.append(Int(value))
            } else if i == 0 {
                dims.append(1)   // a symbolic batch ("N", "batch_size"): Sandglass runs batch 1
            } else {
                throw ONNXImportError("\(what) has a symbolic dimension \(i) ('\(d.parameter ?? "")'); export the model with a fixed input size")
            }
        }
        guard dims[0] == 1 else { throw ONNXImportError("\(what) has batch size \(dims[0]); Sandglass runs batch 1") }
        return dims
    }
}
