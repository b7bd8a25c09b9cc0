// The importer's working graph: engine layers plus the element-wise steps (BatchNorm,
// activation, per-channel bias) that ONNX writes as nodes of their own and that the engine
// folds into a producing layer. Layers stay mutable here so that the fusion passes can fold
// them; `build()` then replays the result through GraphBuilder, which checks every shape again.
import SandglassEngine

/// What an imported layer does before fusion.
enum ImportedOperation {
    case engine(Operation)
    /// Inference BatchNorm on its own (folded into the preceding convolution when possible).
    case batchNorm(BatchNorm)
    /// A clamp on its own (folded into the preceding layer's epilogue when possible).
    case activation(Activation)
    /// A per-channel constant added (folded into a bias when possible).
    case channelBias([Float])
    /// Sigmoid or HardSigmoid: a squeeze-and-excite gate when recognised, else its own layer.
    case gate(SqueezeExcite.Gate, node: String)
}

struct ImportedLayer {
    var name: String
    var operation: ImportedOperation
    var inputs: [ValueID]
    var output: ValueID
}

/// Largest activation tensor accepted (elements): 1 GiB of fp32.
let maximumActivationElements = 1 << 28

struct ImportedGraph {
    var name: String
    var values: [TensorShape] = []
    /// Layers in execution order; nil where a fusion removed one.
    var layers: [ImportedLayer?] = []
    var input: ValueID = -1
    var output: ValueID = -1

    init(name: String) { self.name = name }

    mutating func newValue(_ shape: TensorShape, for what: String) throws -> ValueID {
        guard shape.height >= 1, shape.width >= 1, shape.channels >= 1 else {
            throw ONNXImportError("\(what) would produce an empty tensor (\(shape.channels) channels, \(shape.height)x\(shape.width))")
        }
        guard shape.height <= 1 << 20, shape.width <= 1 << 20, shape.channels <= 1 << 20,
              shape.elements <= maximumActivationElements else {
            throw ONNXImportError("\(what) would produce a \(shape.channels)x\(shape.height)x\(shape.width) tensor, larger than Sandglass accepts (\(maximumActivationElements) elements)")
        }
        values.append(shape)
        return values.count - 1
    }

    /// Appends a layer producing a new value of `shape`.
    mutating func append(_ name: String, _ operation: ImportedOperation, inputs: [ValueID],
                         shape: TensorShape) throws -> ValueID {
        let v = try newValue(shape, for: "layer '\(name)'")
        layers.append(ImportedLayer(name: name, operation: operation, inputs: inputs, output: v))
        return v
    }

    /// How many times each value is read (by layers, and once more for the graph output).
    func uses() -> [Int] {
        var u = [Int](repeating: 0, count: values.count)
        for case let layer? in layers { for v in layer.inputs { u[v] += 1 } }
        if output >= 0 { u[output] += 1 }
        return u
    }

    /// The layer producing each value (nil for the input and for values no layer produces).
    func producers() -> [Int?] {
        var p = [Int?](repeating: nil, count: values.count)
        for (i, layer) in layers.enumerated() { if let layer { p[layer.output] = i } }
        return p
    }

    /// Drops layers whose results never reach the output (e.g. slices a recognised shortcut replaced).
    mutating func removeDeadLayers() {
        var needed = [Bool](repeating: false, count: values.count)
        needed[output] = true
        for i in layers.indices.reversed() {
            guard let layer = layers[i] else { continue }
            if needed[layer.output] {
                for v in layer.inputs { needed[v] = true }
            } else {
                layers[i] = nil
            }
        }
    }

    /// The engine graph, built (and shape-checked) by GraphBuilder. Every element-wise step
    /// must have been folded or lowered by now.
    func build() throws -> Graph { try buildMapped().graph }

    /// The engine graph and, for each importer value that became one of its values, that value.
    func buildMapped() throws -> (graph: Graph, values: [ValueID: ValueID]) {
        var g = GraphBuilder(name: name)
        var map = [ValueID: ValueID]()
        do {
            map[input] = try g.addInput(values[input])
            for case let layer? in layers {
                let x = try layer.inputs.map { v -> ValueID in
                    guard let m = map[v] else { throw ONNXImportError("internal error: layer '\(layer.name)' reads a value no earlier layer produced") }
                    return m
                }
                let y: ValueID
                switch layer.operation {
                case let .engine(.convolution(conv)): y = try g.convolution(layer.name, x[0], conv)
                case let .engine(.shortcutAdd(add)):
                    y = try g.shortcutAdd(layer.name, branch: x[0], identity: x[1], addedChannels: add.addedChannels,
                                          activation: add.activation)
                case .engine(.globalAveragePool): y = try g.globalAveragePool(layer.name, x[0])
                case let .engine(.fullyConnected(fc)): y = try g.fullyConnected(layer.name, x[0], fc)
                case let .engine(.channelSlice(start, end)): y = try g.channelSlice(layer.name, x[0], start: start, end: end)
                case .engine(.concat): y = try g.concat(layer.name, x)
                case let .engine(.squeezeExcite(se)): y = try g.squeezeExciteGate(layer.name, x[0], se)
                case .engine(.channelScale): y = try g.channelScale(layer.name, x[0], factors: x[1])
                case let .engine(.nonlinearity(n)): y = try g.nonlinearity(layer.name, x[0], n)
                case let .engine(.maxPool(pool)): y = try g.maxPool(layer.name, x[0], pool)
                case .gate:
                    throw ONNXImportError("internal error: gate layer '\(layer.name)' was neither fused nor lowered")
                case .batchNorm, .activation, .channelBias:
                    throw ONNXImportError("internal error: layer '\(layer.name)' was neither folded nor lowered")
                }
                guard g.shape(y) == values[layer.output] else {
                    throw ONNXImportError("internal error: layer '\(layer.name)' has shape \(g.shape(y)), the importer expected \(values[layer.output])")
                }
                map[layer.output] = y
            }
            guard let out = map[output] else { throw ONNXImportError("the graph output is not computed by any layer") }
            return (try g.build(output: out), map)
        } catch let e as GraphError {
            throw ONNXImportError(e.message)
        }
    }
}
