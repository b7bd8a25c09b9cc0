// Lowering of the compute operators: Conv, BatchNormalization, Relu, Clip, Add, Gemm and
// MatMul. Each checks its inputs and attributes against what the engine runs and says what is
// not supported; element-wise steps are appended on their own and folded later (ImportFusion).
import SandglassEngine

extension ONNXLowering {
    mutating func conv(_ n: NodeContext) throws {
        try n.expectInputs(2...3)
        let (x, _) = try activation(n, 0, rank: 4)
        let w = try constant(n, 1)
        guard w.dims.count == 4 else {
            throw n.error("weight '\(n.input(1) ?? "")' has dimensions \(w.dims); Sandglass runs 2-D convolutions (4-D weights M x C/group x kH x kW)")
        }
        let (m, perGroup, kh, kw) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        guard m >= 1, perGroup >= 1, kh >= 1, kw >= 1 else { throw n.error("weight has an empty dimension \(w.dims)") }
        let s = graph.values[x]
        let bias = try optionalConstant(n, 2)
        if let bias, bias.count != m { throw n.error("bias has \(bias.count) values, expected \(m) (one per output channel)") }
        let group = try n.attrs.int("group", default: 1, in: 1...(1 << 20))
        guard perGroup * group == s.channels else {
            throw n.error("weights expect \(perGroup * group) input channels (\(perGroup) per group, group = \(group)), the input has \(s.channels)")
        }
        guard m % group == 0 else { throw n.error("group = \(group) does not divide the \(m) output channels") }
        if let k = try n.attrs.sizes("kernel_shape", in: 1...(1 << 20)), k != [kh, kw] {
            throw n.error("kernel_shape \(k) disagrees with the weights' \(kh)x\(kw)")
        }
        if let d = try n.attrs.sizes("dilations", in: 1...(1 << 20)), d.contains(where: { $0 != 1 }) {
            throw n.error("dilations \(d) are not supported (only 1)")
        }
        let strides = try n.attrs.sizes("strides", in: 1...4096) ?? [1, 1]
        guard strides.count == 2 else { throw n.error("strides \(strides) should have 2 values") }
        let pads = try convolutionPads(n, input: s, kernel: (kh, kw), strides: strides)
        let depthwise = group > 1 && group == s.channels && m == group
        guard group == 1 || depthwise else {
            throw n.error("grouped convolution (group = \(group), \(s.channels) -> \(m) channels) is not supported: Sandglass runs dense (group = 1) and depthwise (group = input channels = output channels) convolutions")
        }
        if depthwise {
            guard kh == kw, strides[0] == strides[1] else {
                throw n.error("depthwise convolution with a \(kh)x\(kw) kernel and strides \(strides) is not supported (square kernel and equal strides only)")
            }
        }
        let conv = Convolution(inputChannels: s.channels, outputChannels: m, kernelHeight: kh, kernelWidth: kw,
                               strideHeight: strides[0], strideWidth: strides[1], padTop: pads[0], padLeft: pads[1],
                               padBottom: pads[2], padRight: pads[3], groups: group, weights: w.floats,
                               bias: bias?.floats, batchNorm: nil, activation: .none)
        guard s.height + pads[0] + pads[2] >= kh, s.width + pads[1] + pads[3] >= kw else {
            throw n.error("the \(s.height)x\(s.width) input is smaller than the \(kh)x\(kw) kernel with pads \(pads)")
        }
        let v = try graph.append(n.name, .engine(.convolution(conv)), inputs: [x], shape: conv.outputShape(for: s))
        try define(n, try n.output(), .activation(v, rank: 4))
    }

    /// [top, left, bottom, right] from pads (ONNX order: H begin, W begin, H end, W end) or auto_pad.
    func convolutionPads(_ n: NodeContext, input s: TensorShape, kernel: (Int, Int), strides: [Int]) throws -> [Int] {
        let explicit = try n.attrs.sizes("pads", in: 0...4096)
        let autoPad = try n.attrs.string("auto_pad") ?? "NOTSET"
        var pads: [Int]
        switch autoPad {
        case "NOTSET", "":
            pads = explicit ?? [0, 0, 0, 0]
            guard pads.count == 4 else { throw n.error("pads \(pads) should have 4 values (top, left, bottom, right)") }
        case "VALID":
            pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            // Output ceil(in / stride); the odd padding pixel goes at the end (UPPER) or the start (LOWER).
            func split(_ size: Int, _ k: Int, _ stride: Int) -> (Int, Int) {
                let out = (size + stride - 1) / stride
                let total = max(0, (out - 1) * stride + k - size)
                return autoPad == "SAME_UPPER" ? (total / 2, total - total / 2) : (total - total / 2, total / 2)
            }
            let (t, b) = split(s.height, kernel.0, strides[0]), (l, r) = split(s.width, kernel.1, strides[1])
            pads = [t, l, b, r]
        default:
            throw n.error("auto_pad '\(autoPad)' is not supported (NOTSET, VALID, SAME_UPPER or SAME_LOWER)")
        }
        if autoPad != "NOTSET", autoPad != "", let e = explicit, e.contains(where: { $0 != 0 }) {
            throw n.error("sets both auto_pad '\(autoPad)' and pads \(e)")
        }
        guard pads[0] < kernel.0, pads[2] < kernel.0, pads[1] < kernel.1, pads[3] < kernel.1 else {
            throw n.error("pads \(pads) are not supported: each must be smaller than the \(kernel.0)x\(kernel.1) kernel")
        }
        return pads
    }

    mutating func batchNormalization(_ n: NodeContext) throws {
        try n.expectInputs(5...5)
        let (x, rank) = try activation(n, 0)
        let c = graph.values[x].channels
        var params: [[Float]] = []
        for (i, what) in [(1, "scale"), (2, "bias"), (3, "mean"), (4, "variance")] {
            let t = try constant(n, i)
            guard t.count == c else { throw n.error("\(what) has \(t.count) values, expected \(c) (one per channel)") }
            params.append(t.floats)
        }
        let epsilon = try n.attrs.float("epsilon") ?? 1e-5
        guard epsilon.isFinite, epsilon >= 0 else { throw n.error("epsilon = \(epsilon) is not supported") }
        guard try n.attrs.int("training_mode", default: 0, in: 0...1) == 0 else {
            throw n.error("training_mode = 1 is not supported (inference only)")
        }
        guard try n.attrs.int("spatial", default: 1, in: 0...1) == 1 else { throw n.error("spatial = 0 is not supported") }
        try checkExtraOutputsUnused(n, what: "running statistics of training mode")
        let bn = BatchNorm(gamma: params[0], beta: params[1], mean: params[2], variance: params[3], epsilon: epsilon)
        let v = try graph.append(n.name, .batchNorm(bn), inputs: [x], shape: graph.values[x])
        try define(n, try n.output(), .activation(v, rank: rank))
    }

    private mutating func appendActivation(_ n: NodeContext, _ act: Activation) throws {
        let (x, rank) = try activation(n, 0)
        let v = try graph.append(n.name, .activation(act), inputs: [x], shape: graph.values[x])
        try define(n, try n.output(), .activation(v, rank: rank))
    }

    mutating func relu(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        try appendActivation(n, .relu)
    }

    /// Clip: bounds as attributes (opsets before 11) or as optional scalar inputs (11 and later).
    mutating func clip(_ n: NodeContext) throws {
        try n.expectInputs(1...3)
        var lo = try n.attrs.float("min") ?? -.infinity
        var hi = try n.attrs.float("max") ?? .infinity
        if let v = try scalar(n, 1) { lo = v }
        if let v = try scalar(n, 2) { hi = v }
        // Clip-6's defaults are ±FLT_MAX; treat them as no bound so relu and relu6 are recognised.
        if lo <= -.greatestFiniteMagnitude { lo = -.infinity }
        if hi >= .greatestFiniteMagnitude { hi = .infinity }
        guard !lo.isNaN, !hi.isNaN, lo <= hi else { throw n.error("min \(lo) and max \(hi) are not supported (need min <= max)") }
        try appendActivation(n, clampActivation(lower: lo, upper: hi))
    }

    /// Sigmoid or HardSigmoid, kept for the squeeze-and-excite fusion (ImportFusion) and lowered
    /// to an element-wise layer where it is no gate.
    mutating func gate(_ n: NodeContext, _ g: SqueezeExcite.Gate) throws {
        try n.expectInputs(1...1)
        if case let .hardSigmoid(alpha, beta) = g, !alpha.isFinite || !beta.isFinite {
            throw n.error("alpha \(alpha) and beta \(beta) must be finite")
        }
        let (x, rank) = try activation(n, 0)
        let v = try graph.append(n.name, .gate(g, node: n.label), inputs: [x], shape: graph.values[x])
        try define(n, try n.output(), .activation(v, rank: rank))
    }

    /// Mul of an N x C x H x W tensor by an N x C x 1 x 1 one (in either order): a channel-wise
    /// scale, as squeeze-and-excite writes it.
    mutating func mul(_ n: NodeContext) throws {
        try n.expectInputs(2...2)
        guard case let .activation(a, ra) = try symbol(n, 0), case let .activation(b, rb) = try symbol(n, 1) else {
            throw n.error("multiplies by a constant, which is not supported (Sandglass runs Mul as squeeze-and-excite's channel-wise scale of two computed tensors)")
        }
        let (sa, sb) = (graph.values[a], graph.values[b])
        // x * Sigmoid(x) in either order: SiLU (Swish), one element-wise layer on x.
        let producers = graph.producers()
        for (x, gated) in [(a, b), (b, a)] {
            if let p = producers[gated], let layer = graph.layers[p], case .gate(.sigmoid, _) = layer.operation,
               layer.inputs[0] == x {
                let v = try graph.append(n.name, .engine(.nonlinearity(.silu)), inputs: [x], shape: graph.values[x])
                try define(n, try n.output(), .activation(v, rank: x == a ? ra : rb))
                return
            }
        }
        guard ra == 4, rb == 4, sa.channels == sb.channels, sa.pixels == 1 || sb.pixels == 1 else {
            throw n.error("multiplies tensors of shapes \(dims(a, rank: ra)) and \(dims(b, rank: rb)); Sandglass multiplies an N x C x H x W tensor by an N x C x 1 x 1 one (squeeze-and-excite's scale) or a tensor by its own Sigmoid (SiLU)")
        }
        // The factors are the 1x1 operand; when both are 1x1, the later value (the gate).
        let (x, factors) = sb.pixels == 1 && (sa.pixels != 1 || b > a) ? (a, b) : (b, a)
        let v = try graph.append(n.name, .engine(.channelScale), inputs: [x, factors], shape: graph.values[x])
        try define(n, try n.output(), .activation(v, rank: 4))
    }

    /// HardSwish: x · relu6(x + 3) / 6 (MobileNetV3), an element-wise layer.
    mutating func hardSwish(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        let (x, rank) = try activation(n, 0)
        let v = try graph.append(n.name, .engine(.nonlinearity(.hardSwish)), inputs: [x], shape: graph.values[x])
        try define(n, try n.output(), .activation(v, rank: rank))
    }

    mutating func add(_ n: NodeContext) throws {
        try n.expectInputs(2...2)
        switch (try symbol(n, 0), try symbol(n, 1)) {
        case let (.activation(a, ra), .activation(b, rb)):
            guard ra == rb, graph.values[a] == graph.values[b] else {
                throw n.error("adds tensors of shapes \(dims(a, rank: ra)) and \(dims(b, rank: rb)); Sandglass adds tensors of equal shape (residual shortcuts)")
            }
            // Values are numbered in creation order: the later one is the branch (the block's
            // last convolution), the earlier one the identity, so the add can join the branch's epilogue.
            let (branch, identity) = a > b ? (a, b) : (b, a)
            let add = ShortcutAdd(addedChannels: graph.values[a].channels)
            let v = try graph.append(n.name, .engine(.shortcutAdd(add)), inputs: [branch, identity], shape: graph.values[a])
            try define(n, try n.output(), .activation(v, rank: ra))
        case let (.activation(x, rank), .constant(c)), let (.constant(c), .activation(x, rank)):
            let bias = try perChannel(c, of: x, rank: rank, n)
            let v = try graph.append(n.name, .channelBias(bias), inputs: [x], shape: graph.values[x])
            try define(n, try n.output(), .activation(v, rank: rank))
        case (.constant, .constant):
            throw n.error("adds two constants, which is not supported")
        }
    }

    /// A constant that broadcasts over [1, C, H, W] (or [1, C]) with one value per channel.
    private func perChannel(_ c: ConstantTensor, of x: ValueID, rank: Int, _ n: NodeContext) throws -> [Float] {
        let target = dims(x, rank: rank)
        guard c.dims.count <= rank else { throw n.error("constant of dimensions \(c.dims) does not broadcast to \(target)") }
        let aligned = [Int](repeating: 1, count: rank - c.dims.count) + c.dims
        for (axis, d) in aligned.enumerated() where d != 1 && (axis != 1 || d != target[1]) {
            throw n.error("adds a constant of dimensions \(c.dims) to a tensor of shape \(target); only one value per channel (or a scalar) is supported")
        }
        let values = c.floats
        return values.count == 1 ? [Float](repeating: values[0], count: target[1]) : values
    }

    /// Gemm: Y = alpha · A · op(B) + beta · C, with A the [1, K] activation and B constant.
    mutating func gemm(_ n: NodeContext) throws {
        try n.expectInputs(2...3)
        let (x, _) = try activation(n, 0, rank: 2)
        guard try n.attrs.int("transA", default: 0, in: 0...1) == 0 else {
            throw n.error("transA = 1 is not supported (the input is a [1, K] row)")
        }
        let transB = try n.attrs.int("transB", default: 0, in: 0...1) == 1
        let alpha = try n.attrs.float("alpha") ?? 1, beta = try n.attrs.float("beta") ?? 1
        let b = try constant(n, 1)
        guard b.dims.count == 2 else { throw n.error("B has dimensions \(b.dims), expected 2") }
        let k = graph.values[x].channels
        let (rows, cols) = (b.dims[0], b.dims[1])
        let outputs = transB ? rows : cols
        guard (transB ? cols : rows) == k else {
            throw n.error("B of dimensions \(b.dims)\(transB ? " (transposed)" : "") does not take the input's \(k) features")
        }
        let bv = b.floats
        // FullyConnected weights are [outputs][inputs].
        var weights = [Float](repeating: 0, count: outputs * k)
        for o in 0..<outputs {
            for i in 0..<k { weights[o * k + i] = alpha * (transB ? bv[o * k + i] : bv[i * outputs + o]) }
        }
        var bias = [Float](repeating: 0, count: outputs)
        if let c = try optionalConstant(n, 2) {
            let ok = c.count == 1 || (c.count == outputs && c.dims.last == outputs && c.dims.dropLast().allSatisfy { $0 == 1 })
            guard ok, c.dims.count <= 2 else { throw n.error("C of dimensions \(c.dims) does not broadcast to [1, \(outputs)]") }
            let cv = c.floats
            bias = (0..<outputs).map { beta * (cv.count == 1 ? cv[0] : cv[$0]) }
        }
        try appendFullyConnected(n, x, FullyConnected(inputs: k, outputs: outputs, weights: weights, bias: bias))
    }

    /// MatMul of the [1, K] activation by a constant [K, N]; a following Add of a constant becomes its bias.
    mutating func matMul(_ n: NodeContext) throws {
        try n.expectInputs(2...2)
        let (x, _) = try activation(n, 0, rank: 2)
        let b = try constant(n, 1)
        let k = graph.values[x].channels
        guard b.dims.count == 2, b.dims[0] == k else {
            throw n.error("multiplies a [1, \(k)] input by a constant of dimensions \(b.dims); expected [\(k), N]")
        }
        let outputs = b.dims[1]
        let bv = b.floats
        var weights = [Float](repeating: 0, count: outputs * k)
        for o in 0..<outputs { for i in 0..<k { weights[o * k + i] = bv[i * outputs + o] } }
        try appendFullyConnected(n, x, FullyConnected(inputs: k, outputs: outputs, weights: weights,
                                                      bias: [Float](repeating: 0, count: outputs)))
    }

    private mutating func appendFullyConnected(_ n: NodeContext, _ x: ValueID, _ fc: FullyConnected) throws {
        guard fc.outputs >= 1 else { throw n.error("has no outputs") }
        let v = try graph.append(n.name, .engine(.fullyConnected(fc)), inputs: [x],
                                 shape: TensorShape(height: 1, width: 1, channels: fc.outputs))
        try define(n, try n.output(), .activation(v, rank: 2))
    }
}
