// Walks an ONNX graph's nodes in order and lowers each onto the importer's working graph:
// the symbol table (ONNX tensor name → engine value or constant), input/constant lookups with
// errors that name the node, and the dispatch by operator type. The operators themselves are in
// ONNXOperators.swift (compute) and ONNXShapeOperators.swift (layout, pooling, shape arithmetic).
import SandglassEngine

/// An ONNX tensor as the importer sees it.
enum Symbol {
    /// An engine value. Rank 4 is [1, C, H, W]; rank 2 is [1, C] (a value with 1x1 spatial size).
    case activation(ValueID, rank: Int)
    /// An initializer, a Constant, or shape arithmetic on them.
    case constant(ConstantTensor)
}

/// One node being lowered: its parts and helpers for errors.
struct NodeContext {
    let node: NodeProto
    /// "Conv node 'stem'", for errors.
    let label: String
    /// The layer name: the node's name, or op type and index when it has none.
    let name: String
    let attrs: NodeAttributes

    func error(_ problem: String) -> ONNXImportError { ONNXImportError("\(label): \(problem)") }

    /// The name of input i, or nil when absent (missing or the empty name of an omitted optional input).
    func input(_ i: Int) -> String? {
        i < node.inputs.count && !node.inputs[i].isEmpty ? node.inputs[i] : nil
    }

    func expectInputs(_ range: ClosedRange<Int>) throws {
        guard range.contains(node.inputs.count) else {
            let expected = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
            throw error("has \(node.inputs.count) inputs, expected \(expected)")
        }
    }

    /// The first output's name.
    func output() throws -> String {
        guard let o = node.outputs.first, !o.isEmpty else { throw error("has no output") }
        return o
    }
}

struct ONNXLowering {
    var graph: ImportedGraph
    var symbols: [String: Symbol] = [:]
    /// The default-domain opset the model imports.
    let opset: Int
    let external: ExternalDataSource
    /// Tensor names that some node reads or the graph returns.
    let consumed: Set<String>

    static let supportedOperators = [
        "Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Dropout", "Flatten",
        "Gather", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish", "Identity", "MatMul", "MaxPool", "Mul", "ReduceMean", "Relu",
        "Reshape", "Shape", "Sigmoid", "Slice", "Squeeze", "Unsqueeze",
    ]

    mutating func lower(_ node: NodeProto, index: Int) throws {
        let label = describe(node, index: index)
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { throw unsupported(label) }
        let n = NodeContext(node: node, label: label, name: node.name.isEmpty ? "\(node.opType)_\(index)" : node.name,
                            attrs: try NodeAttributes(node, label: label))
        switch node.opType {
        case "Conv": try conv(n)
        case "BatchNormalization": try batchNormalization(n)
        case "Relu": try relu(n)
        case "Clip": try clip(n)
        case "Sigmoid": try gate(n, .sigmoid)
        case "HardSigmoid":
            try gate(n, .hardSigmoid(alpha: try n.attrs.float("alpha") ?? 0.2, beta: try n.attrs.float("beta") ?? 0.5))
        case "Mul": try mul(n)
        case "HardSwish": try hardSwish(n)
        case "Add": try add(n)
        case "Gemm": try gemm(n)
        case "MatMul": try matMul(n)
        case "GlobalAveragePool": try globalAveragePool(n)
        case "AveragePool": try averagePool(n)
        case "MaxPool": try maxPool(n)
        case "ReduceMean": try reduceMean(n)
        case "Flatten": try flatten(n)
        case "Reshape": try reshape(n)
        case "Squeeze", "Unsqueeze": try squeeze(n, unsqueeze: node.opType == "Unsqueeze")
        case "Slice": try slice(n)
        case "Concat": try concat(n)
        case "Identity": try identity(n)
        case "Dropout": try dropout(n)
        case "Constant": try constantNode(n)
        case "Shape": try shape(n)
        case "Gather": try gather(n)
        default: throw unsupported(label)
        }
    }

    private func unsupported(_ label: String) -> ONNXImportError {
        ONNXImportError("\(label) is not supported: Sandglass imports CNNs built from \(ONNXLowering.supportedOperators.joined(separator: ", ")) (default ONNX domain)")
    }

    // MARK: - Symbols

    func symbol(_ n: NodeContext, _ i: Int) throws -> Symbol {
        guard let name = n.input(i) else { throw n.error("input \(i) is missing") }
        guard let s = symbols[name] else {
            throw n.error("reads '\(name)', which is neither a graph input, an initializer nor the output of an earlier node (nodes must be in topological order)")
        }
        return s
    }

    /// Input i as an engine value, optionally of a given rank.
    func activation(_ n: NodeContext, _ i: Int, rank: Int? = nil) throws -> (value: ValueID, rank: Int) {
        guard case let .activation(v, r) = try symbol(n, i) else {
            throw n.error("input \(i) ('\(n.input(i) ?? "")') is a constant; Sandglass expects a tensor computed from the graph input here")
        }
        if let rank, rank != r {
            throw n.error("input \(i) ('\(n.input(i) ?? "")') has shape \(dims(v, rank: r)); expected a \(rank)-D tensor\(rank == 4 ? " (N, C, H, W)" : "")")
        }
        return (v, r)
    }

    func constant(_ n: NodeContext, _ i: Int) throws -> ConstantTensor {
        guard case let .constant(c) = try symbol(n, i) else {
            throw n.error("input \(i) ('\(n.input(i) ?? "")') must be a constant (an initializer or a Constant node); Sandglass does not compute it from the graph input")
        }
        return c
    }

    func optionalConstant(_ n: NodeContext, _ i: Int) throws -> ConstantTensor? {
        n.input(i) == nil ? nil : try constant(n, i)
    }

    /// A constant of integers (shapes, axes, starts, ends).
    func integers(_ n: NodeContext, _ i: Int) throws -> [Int64] {
        let c = try constant(n, i)
        guard case let .ints(v) = c.values else { throw n.error("input \(i) ('\(n.input(i) ?? "")') must hold integers") }
        return v
    }

    /// A scalar (or one-element) constant as a float.
    func scalar(_ n: NodeContext, _ i: Int) throws -> Float? {
        guard let c = try optionalConstant(n, i) else { return nil }
        guard c.count == 1 else { throw n.error("input \(i) ('\(n.input(i) ?? "")') must be a scalar, it has dimensions \(c.dims)") }
        return c.floats[0]
    }

    mutating func define(_ n: NodeContext, _ name: String, _ s: Symbol) throws {
        guard symbols[name] == nil else { throw n.error("produces '\(name)', which an earlier node or input already defines") }
        symbols[name] = s
    }

    /// Outputs after the first (training-mode extras, masks) must not be read by anything.
    func checkExtraOutputsUnused(_ n: NodeContext, what: String) throws {
        for o in n.node.outputs.dropFirst() where !o.isEmpty && consumed.contains(o) {
            throw n.error("its output '\(o)' (\(what)) is used, which Sandglass does not compute (inference only)")
        }
    }

    /// ONNX dimensions of a value: [1, C, H, W] or [1, C].
    func dims(_ v: ValueID, rank: Int) -> [Int] {
        let s = graph.values[v]
        return rank == 4 ? [1, s.channels, s.height, s.width] : [1, s.channels]
    }
}

/// Normalises an axis in [-rank, rank) to [0, rank).
func normalizedAxis(_ axis: Int64, rank: Int, _ n: NodeContext) throws -> Int {
    guard axis >= -Int64(rank), axis < Int64(rank) else { throw n.error("axis \(axis) is outside a \(rank)-D tensor") }
    return axis < 0 ? Int(axis) + rank : Int(axis)
}
