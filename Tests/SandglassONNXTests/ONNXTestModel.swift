// Test-side protobuf encoder and a builder of small ONNX models, so that the Swift tests need
// no Python and no binary fixtures. The encoder records where it wrote every length prefix,
// which the fuzz test uses to corrupt lengths specifically.
import SandglassONNX
import SandglassEngine

struct ProtoWriter {
    var bytes: [UInt8] = []
    /// Offsets of the length prefixes of every length-delimited field (nested ones included).
    var lengthOffsets: [Int] = []

    static func varintBytes(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }

    mutating func varint(_ v: UInt64) { bytes += ProtoWriter.varintBytes(v) }
    mutating func tag(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }
    mutating func int(_ field: Int, _ v: Int64) { tag(field, 0); varint(UInt64(bitPattern: v)) }

    mutating func float(_ field: Int, _ v: Float) {
        tag(field, 5)
        let b = v.bitPattern
        bytes += [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8], nestedOffsets: [Int] = []) {
        tag(field, 2)
        lengthOffsets.append(bytes.count)
        varint(UInt64(payload.count))
        let start = bytes.count
        lengthOffsets += nestedOffsets.map { $0 + start }
        bytes += payload
    }

    mutating func string(_ field: Int, _ s: String) { lengthDelimited(field, Array(s.utf8)) }

    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var child = ProtoWriter()
        build(&child)
        lengthDelimited(field, child.bytes, nestedOffsets: child.lengthOffsets)
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var p = ProtoWriter()
        for v in values {
            let b = v.bitPattern
            p.bytes += [UInt8(b & 0xFF), UInt8(b >> 8 & 0xFF), UInt8(b >> 16 & 0xFF), UInt8(b >> 24)]
        }
        lengthDelimited(field, p.bytes)
    }

    mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var p = ProtoWriter()
        for v in values { p.varint(UInt64(bitPattern: v)) }
        lengthDelimited(field, p.bytes)
    }
}

enum TestAttribute {
    case int(String, Int64)
    case ints(String, [Int64])
    case float(String, Float)
    case string(String, String)

    func encode(_ w: inout ProtoWriter) {
        switch self {
        case let .int(name, v): w.string(1, name); w.int(20, 2); w.int(3, v)
        case let .ints(name, v): w.string(1, name); w.int(20, 7); w.packedInt64s(8, v)
        case let .float(name, v): w.string(1, name); w.int(20, 1); w.float(2, v)
        case let .string(name, v): w.string(1, name); w.int(20, 3); w.string(4, v)
        }
    }
}

struct TestNode {
    var op: String
    var inputs: [String]
    var output: String
    var attributes: [TestAttribute] = []
}

struct TestTensor {
    var name: String
    var dims: [Int64]
    var floats: [Float] = []
    var ints: [Int64] = []
    var isInt = false

    func encode(_ w: inout ProtoWriter, raw: Bool) {
        w.packedInt64s(1, dims)
        w.int(2, isInt ? 7 : 1)
        w.string(8, name)
        if raw {
            var p: [UInt8] = []
            if isInt {
                for v in ints { for j in 0..<8 { p.append(UInt8(UInt64(bitPattern: v) >> (8 * UInt64(j)) & 0xFF)) } }
            } else {
                for v in floats { for j in 0..<4 { p.append(UInt8(v.bitPattern >> (8 * UInt32(j)) & 0xFF)) } }
            }
            w.lengthDelimited(9, p)
        } else if isInt {
            w.packedInt64s(7, ints)
        } else {
            w.packedFloats(4, floats)
        }
    }
}

/// A model: nodes, initializers, one NCHW float input, one output.
struct TestModel {
    var nodes: [TestNode] = []
    var initializers: [TestTensor] = []
    var inputDims: [Int64]
    var outputName = "y"
    var opset: Int64 = 13
    var random = SeededRandom(seed: 42)
    var counter = 0

    init(inputDims: [Int64]) { self.inputDims = inputDims }

    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    mutating func constant(_ dims: [Int64], lo: Float = -1, hi: Float = 1) -> String {
        let name = fresh("c")
        initializers.append(TestTensor(name: name, dims: dims, floats: random.uniform(lo, hi, count: dims.reduce(1) { $0 * Int($1) })))
        return name
    }

    mutating func intConstant(_ values: [Int64]) -> String {
        let name = fresh("i")
        initializers.append(TestTensor(name: name, dims: [Int64(values.count)], ints: values, isInt: true))
        return name
    }

    mutating func node(_ op: String, _ inputs: [String], _ attributes: [TestAttribute] = []) -> String {
        let out = fresh(op.lowercased())
        nodes.append(TestNode(op: op, inputs: inputs, output: out, attributes: attributes))
        return out
    }

    func encode(rawData: Bool = true) -> ProtoWriter {
        var w = ProtoWriter()
        w.int(1, 8)                                       // ir_version
        w.string(2, "sandglass-tests")                    // producer_name
        w.message(8) { $0.string(1, ""); $0.int(2, opset) }
        w.message(7) { g in
            for n in nodes {
                g.message(1) { m in
                    for i in n.inputs { m.string(1, i) }
                    m.string(2, n.output)
                    m.string(3, n.output)
                    m.string(4, n.op)
                    for a in n.attributes { m.message(5) { a.encode(&$0) } }
                }
            }
            g.string(2, "test_graph")
            for t in initializers { g.message(5) { t.encode(&$0, raw: rawData) } }
            g.message(11) { v in
                v.string(1, "x")
                v.message(2) { t in t.message(1) { tt in
                    tt.int(1, 1)
                    tt.message(2) { s in for d in inputDims { s.message(1) { $0.int(1, d) } } }
                } }
            }
            g.message(12) { v in
                v.string(1, outputName)
                v.message(2) { t in t.message(1) { $0.int(1, 1) } }
            }
        }
        return w
    }
}

/// Parameters of a convolution, for building the expected graph by hand.
struct TestConv {
    var weights: [Float]
    var bias: [Float]?
    var bn: BatchNorm?
}

extension TestModel {
    /// Conv (+ BatchNormalization) (+ Clip 0..6); returns the output and the parameters used.
    mutating func conv(_ x: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, group: Int = 1,
                       bias: Bool = false, bn: Bool = true, relu6: Bool = false) -> (String, TestConv) {
        let w = constant([Int64(cout), Int64(cin / group), Int64(kernel), Int64(kernel)], lo: -0.5, hi: 0.5)
        var inputs = [x, w]
        if bias { inputs.append(constant([Int64(cout)], lo: -0.1, hi: 0.1)) }
        var y = node("Conv", inputs, [.ints("kernel_shape", [Int64(kernel), Int64(kernel)]),
                                      .ints("strides", [Int64(stride), Int64(stride)]),
                                      .ints("pads", [Int64(kernel / 2), Int64(kernel / 2), Int64(kernel / 2), Int64(kernel / 2)]),
                                      .int("group", Int64(group))])
        var params = TestConv(weights: initializers.first { $0.name == w }!.floats,
                              bias: bias ? initializers.last!.floats : nil, bn: nil)
        if bn {
            let names = [constant([Int64(cout)], lo: 0.5, hi: 1.5), constant([Int64(cout)], lo: -0.2, hi: 0.2),
                         constant([Int64(cout)], lo: -0.2, hi: 0.2), constant([Int64(cout)], lo: 0.5, hi: 1.5)]
            let v = names.map { n in initializers.first { $0.name == n }!.floats }
            params.bn = BatchNorm(gamma: v[0], beta: v[1], mean: v[2], variance: v[3], epsilon: 1e-3)
            y = node("BatchNormalization", [y] + names, [.float("epsilon", 1e-3)])
        }
        if relu6 { y = node("Clip", [y, scalar(0), scalar(6)]) }
        return (y, params)
    }

    mutating func scalar(_ v: Float) -> String {
        let name = fresh("s")
        initializers.append(TestTensor(name: name, dims: [], floats: [v]))
        return name
    }

    /// out[:, :k] = branch[:, :k] + identity[:, :k]; out[:, k:] = branch[:, k:], as exporters write it.
    mutating func partialShortcut(branch: String, identity: String, k: Int64, channels: Int64) -> String {
        let (zero, kk, c, axis) = (intConstant([0]), intConstant([k]), intConstant([channels]), intConstant([1]))
        let bk = node("Slice", [branch, zero, kk, axis])
        let xk = node("Slice", [identity, zero, kk, axis])
        let added = node("Add", [bk, xk])
        let rest = node("Slice", [branch, kk, c, axis])
        return node("Concat", [added, rest], [.int("axis", 1)])
    }
}

/// A MobileNeXt-like network in miniature: stem, one sandglass block with a partial shortcut,
/// pool and classifier. Returns the model and the expected engine graph built by hand.
func tinyMobileNeXt(rawData: Bool = true) throws -> (model: TestModel, expected: Graph) {
    var m = TestModel(inputDims: [1, 3, 9, 9])
    let (stem, p0) = m.conv("x", 3, 8, kernel: 3, stride: 2, bias: true, relu6: true)
    let (dw1, p1) = m.conv(stem, 8, 8, kernel: 3, group: 8, relu6: true)
    let (pw1, p2) = m.conv(dw1, 8, 4, kernel: 1)
    let (pw2, p3) = m.conv(pw1, 4, 8, kernel: 1, relu6: true)
    let (dw2, p4) = m.conv(pw2, 8, 8, kernel: 3, group: 8)
    let sum = m.partialShortcut(branch: dw2, identity: stem, k: 3, channels: 8)
    let pooled = m.node("GlobalAveragePool", [sum])
    let flat = m.node("Flatten", [pooled], [.int("axis", 1)])
    let fcW = m.constant([5, 8], lo: -0.3, hi: 0.3), fcB = m.constant([5], lo: -0.1, hi: 0.1)
    m.outputName = m.node("Gemm", [flat, fcW, fcB], [.int("transB", 1)])

    var g = GraphBuilder(name: "expected")
    func conv(_ x: ValueID, _ cin: Int, _ cout: Int, _ k: Int, _ s: Int, _ groups: Int, _ p: TestConv, _ act: Activation) throws -> ValueID {
        try g.convolution("c", x, Convolution(inputChannels: cin, outputChannels: cout, kernel: k, stride: s, padding: k / 2,
                                             groups: groups, weights: p.weights, bias: p.bias, batchNorm: p.bn, activation: act))
    }
    let x = try g.addInput(TensorShape(height: 9, width: 9, channels: 3))
    let s = try conv(x, 3, 8, 3, 2, 1, p0, .relu6)
    var y = try conv(s, 8, 8, 3, 1, 8, p1, .relu6)
    y = try conv(y, 8, 4, 1, 1, 1, p2, .none)
    y = try conv(y, 4, 8, 1, 1, 1, p3, .relu6)
    y = try conv(y, 8, 8, 3, 1, 8, p4, .none)
    y = try g.shortcutAdd("add", branch: y, identity: s, addedChannels: 3)
    y = try g.globalAveragePool("pool", y)
    let w = m.initializers.first { $0.name == fcW }!.floats, b = m.initializers.first { $0.name == fcB }!.floats
    y = try g.fullyConnected("fc", y, FullyConnected(inputs: 8, outputs: 5, weights: w, bias: b))
    return (m, try g.build(output: y))
}
