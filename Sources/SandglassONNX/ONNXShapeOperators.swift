// Lowering of the layout and pooling operators (GlobalAveragePool, AveragePool when global,
// ReduceMean over H and W, Flatten, Reshape, Squeeze, Unsqueeze, Slice, Concat, Identity,
// Dropout) and of the shape arithmetic exporters write on constants (Constant, Shape, Gather,
// and Reshape, Slice, Concat, Squeeze, Unsqueeze of constants). The engine's tensors are NHWC
// with batch 1, so a reshape is accepted only where it adds or drops 1x1 spatial dimensions;
// it then costs nothing.
import SandglassEngine

extension ONNXLowering {
    // MARK: - Pooling

    private mutating func appendGlobalPool(_ n: NodeContext, _ x: ValueID, keepDims: Bool) throws {
        let v = try graph.append(n.name, .engine(.globalAveragePool), inputs: [x],
                                 shape: TensorShape(height: 1, width: 1, channels: graph.values[x].channels))
        try define(n, try n.output(), .activation(v, rank: keepDims ? 4 : 2))
    }

    mutating func globalAveragePool(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        try appendGlobalPool(n, try activation(n, 0, rank: 4).value, keepDims: true)
    }

    /// AveragePool whose window covers the whole input without padding: a global average.
    mutating func averagePool(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        let (x, _) = try activation(n, 0, rank: 4)
        let s = graph.values[x]
        let kernel = try n.attrs.sizes("kernel_shape", in: 1...(1 << 20))
        let pads = try n.attrs.sizes("pads", in: 0...4096) ?? [0, 0, 0, 0]
        let autoPad = try n.attrs.string("auto_pad") ?? "NOTSET"
        let dilations = try n.attrs.sizes("dilations", in: 1...(1 << 20)) ?? [1, 1]
        guard kernel == [s.height, s.width], pads.allSatisfy({ $0 == 0 }), ["NOTSET", "VALID", ""].contains(autoPad),
              dilations.allSatisfy({ $0 == 1 }) else {
            throw n.error("AveragePool with kernel \(kernel ?? []) and pads \(pads) on a \(s.height)x\(s.width) input is not global; Sandglass runs average pooling only over the whole input")
        }
        try appendGlobalPool(n, x, keepDims: true)
    }

    /// MaxPool with floor rounding (or ceil_mode where it gives the same size), no dilations, and
    /// one output (the Indices output is not computed).
    mutating func maxPool(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        guard n.node.outputs.filter({ !$0.isEmpty }).count == 1 else {
            throw n.error("MaxPool's Indices output is not supported: Sandglass computes the pooled values only")
        }
        let (x, _) = try activation(n, 0, rank: 4)
        let s = graph.values[x]
        guard let kernel = try n.attrs.sizes("kernel_shape", in: 1...4096), kernel.count == 2 else {
            throw n.error("MaxPool needs kernel_shape with 2 values (height, width)")
        }
        if let d = try n.attrs.sizes("dilations", in: 1...4096), d.contains(where: { $0 != 1 }) {
            throw n.error("MaxPool dilations \(d) are not supported (only 1)")
        }
        let strides = try n.attrs.sizes("strides", in: 1...4096) ?? [1, 1]
        guard strides.count == 2 else { throw n.error("strides \(strides) should have 2 values") }
        let pads = try convolutionPads(n, input: s, kernel: (kernel[0], kernel[1]), strides: strides)
        let pool = MaxPool(kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: strides[0], strideWidth: strides[1],
                           padTop: pads[0], padLeft: pads[1], padBottom: pads[2], padRight: pads[3])
        guard s.height + pads[0] + pads[2] >= kernel[0], s.width + pads[1] + pads[3] >= kernel[1] else {
            throw n.error("the \(s.height)x\(s.width) input is smaller than the \(kernel[0])x\(kernel[1]) MaxPool window with pads \(pads)")
        }
        let out = pool.outputShape(for: s)
        if try n.attrs.int("ceil_mode", default: 0, in: 0...1) == 1 {
            func ceilSize(_ size: Int, _ k: Int, _ stride: Int, _ padding: Int) -> Int { (size + padding - k + stride - 1) / stride + 1 }
            let h = ceilSize(s.height, kernel[0], strides[0], pads[0] + pads[2])
            let w = ceilSize(s.width, kernel[1], strides[1], pads[1] + pads[3])
            guard h == out.height, w == out.width else {
                throw n.error("MaxPool with ceil_mode = 1 gives \(h)x\(w) here, floor rounding \(out.height)x\(out.width): only floor rounding is supported (export with ceil_mode=False)")
            }
        }
        let v = try graph.append(n.name, .engine(.maxPool(pool)), inputs: [x], shape: out)
        try define(n, try n.output(), .activation(v, rank: 4))
    }

    /// ReduceMean over the spatial axes (exports of x.mean([2, 3])).
    mutating func reduceMean(_ n: NodeContext) throws {
        try n.expectInputs(1...2)
        let (x, rank) = try activation(n, 0)
        let axes = opset >= 18 ? (n.input(1) == nil ? nil : try integers(n, 1)) : try n.attrs.ints("axes")
        let keepDims = try n.attrs.int("keepdims", default: 1, in: 0...1) == 1
        if (axes ?? []).isEmpty, try n.attrs.int("noop_with_empty_axes", default: 0, in: 0...1) == 1 {
            try define(n, try n.output(), .activation(x, rank: rank))
            return
        }
        let normalized = Set(try (axes ?? []).map { try normalizedAxis($0, rank: rank, n) })
        guard rank == 4, normalized == [2, 3] else {
            throw n.error("ReduceMean over axes \(axes.map { "\($0)" } ?? "all") is not supported (only the spatial axes [2, 3] of an N, C, H, W tensor)")
        }
        try appendGlobalPool(n, x, keepDims: keepDims)
    }

    // MARK: - Reshapes

    /// Gives `output` the value of `symbol` with ONNX dimensions `target`.
    private mutating func defineReshaped(_ n: NodeContext, _ symbol: Symbol, to target: [Int]) throws {
        let output = try n.output()
        switch symbol {
        case var .constant(c):
            guard saturatingProduct(target) == c.count else {
                throw n.error("cannot reshape \(c.dims) to \(target)")
            }
            c.dims = target
            try define(n, output, .constant(c))
        case let .activation(v, rank):
            let s = graph.values[v]
            let current = dims(v, rank: rank)
            if target == current { try define(n, output, .activation(v, rank: rank)); return }
            if s.height == 1, s.width == 1 {
                if target == [1, s.channels] { try define(n, output, .activation(v, rank: 2)); return }
                if target == [1, s.channels, 1, 1] { try define(n, output, .activation(v, rank: 4)); return }
            }
            throw n.error("reshapes \(current) to \(target); Sandglass only adds or drops 1x1 spatial dimensions (as after global pooling) of batch-1 tensors")
        }
    }

    private func dims(of symbol: Symbol) -> [Int] {
        switch symbol {
        case let .constant(c): return c.dims
        case let .activation(v, rank): return dims(v, rank: rank)
        }
    }

    mutating func flatten(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        let x = try symbol(n, 0)
        let d = dims(of: x)
        let axisValue = try n.attrs.int("axis") ?? 1
        guard axisValue >= -Int64(d.count), axisValue <= Int64(d.count) else { throw n.error("axis \(axisValue) is outside \(d)") }
        let axis = axisValue < 0 ? Int(axisValue) + d.count : Int(axisValue)
        try defineReshaped(n, x, to: [saturatingProduct(d[..<axis]), saturatingProduct(d[axis...])])
    }

    mutating func reshape(_ n: NodeContext) throws {
        try n.expectInputs(2...2)
        let x = try symbol(n, 0)
        let d = dims(of: x)
        let shape = try integers(n, 1)
        let allowZero = try n.attrs.int("allowzero", default: 0, in: 0...1) == 1
        var target: [Int] = []
        var inferred: Int?
        for (i, s) in shape.enumerated() {
            switch s {
            case 0 where !allowZero:
                guard i < d.count else { throw n.error("shape \(shape) copies dimension \(i) of a \(d.count)-D tensor") }
                target.append(d[i])
            case -1:
                guard inferred == nil else { throw n.error("shape \(shape) has more than one -1") }
                inferred = i
                target.append(1)
            case 0...Int64(maximumTensorElements): target.append(Int(s))
            default: throw n.error("shape \(shape) has an invalid entry \(s)")
            }
        }
        let total = saturatingProduct(d)
        let known = saturatingProduct(target)
        if let i = inferred {
            guard known > 0, known != Int.max, total != Int.max, total % known == 0 else { throw n.error("cannot reshape \(d) to \(shape)") }
            target[i] = total / known
        }
        try defineReshaped(n, x, to: target)
    }

    /// Squeeze and Unsqueeze: axes as an attribute (before opset 13) or an input.
    mutating func squeeze(_ n: NodeContext, unsqueeze: Bool) throws {
        try n.expectInputs(1...2)
        let x = try symbol(n, 0)
        var d = dims(of: x)
        let axes = opset >= 13 ? (n.input(1) == nil ? nil : try integers(n, 1)) : try n.attrs.ints("axes")
        if unsqueeze {
            guard let axes, !axes.isEmpty else { throw n.error("has no axes") }
            let rank = d.count + axes.count
            let positions = try axes.map { try normalizedAxis($0, rank: rank, n) }.sorted()
            guard Set(positions).count == positions.count else { throw n.error("axes \(axes) repeat") }
            for p in positions { d.insert(1, at: p) }
        } else if let axes, !axes.isEmpty {
            let positions = try Set(axes.map { try normalizedAxis($0, rank: d.count, n) })
            guard positions.allSatisfy({ d[$0] == 1 }) else { throw n.error("squeezes axes \(axes) of \(d), which are not all 1") }
            d = d.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
        } else {
            d = d.filter { $0 != 1 }
        }
        try defineReshaped(n, x, to: d)
    }

    // MARK: - Channel slices and concatenation

    mutating func slice(_ n: NodeContext) throws {
        let x = try symbol(n, 0)
        let d = dims(of: x)
        var starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?
        if opset < 10 {
            try n.expectInputs(1...1)
            guard let s = try n.attrs.ints("starts"), let e = try n.attrs.ints("ends") else { throw n.error("has no starts or ends") }
            (starts, ends, axes, steps) = (s, e, try n.attrs.ints("axes"), nil)
        } else {
            try n.expectInputs(3...5)
            starts = try integers(n, 1)
            ends = try integers(n, 2)
            axes = n.input(3) == nil ? nil : try integers(n, 3)
            steps = n.input(4) == nil ? nil : try integers(n, 4)
        }
        let axisList = axes ?? (0..<Int64(starts.count)).map { $0 }
        guard starts.count == ends.count, axisList.count == starts.count, steps == nil || steps!.count == starts.count else {
            throw n.error("starts \(starts), ends \(ends), axes \(axisList) and steps differ in length")
        }
        // Per axis, the range [lo, hi) kept, clamped as ONNX defines for step 1.
        var ranges = d.map { 0..<$0 }
        var seen = Set<Int>()
        for j in axisList.indices {
            let axis = try normalizedAxis(axisList[j], rank: d.count, n)
            guard seen.insert(axis).inserted else { throw n.error("axis \(axis) is sliced twice") }
            guard steps?[j] ?? 1 == 1 else { throw n.error("steps \(steps!) are not supported (only 1)") }
            func clamp(_ v: Int64) -> Int {
                let size = Int64(d[axis])
                return Int(min(max(v < 0 ? v + size : v, 0), size))
            }
            let lo = clamp(starts[j]), hi = max(clamp(starts[j]), clamp(ends[j]))
            ranges[axis] = lo..<hi
        }
        switch x {
        case let .constant(c):
            guard d.count == 1 else { throw n.error("slicing a constant of \(d.count) dimensions is not supported") }
            let r = ranges[0]
            switch c.values {
            case let .floats(v): try define(n, try n.output(), .constant(ConstantTensor(dims: [r.count], values: .floats(Array(v[r])))))
            case let .ints(v): try define(n, try n.output(), .constant(ConstantTensor(dims: [r.count], values: .ints(Array(v[r])))))
            }
        case let .activation(v, rank):
            for axis in 0..<rank where axis != 1 && ranges[axis] != 0..<d[axis] {
                throw n.error("slices axis \(axis) of \(d) to \(ranges[axis]); Sandglass slices channels (axis 1) only")
            }
            let r = ranges[1]
            if r == 0..<d[1] { try define(n, try n.output(), .activation(v, rank: rank)); return }
            guard !r.isEmpty else { throw n.error("keeps no channels") }
            var s = graph.values[v]
            s.channels = r.count
            let out = try graph.append(n.name, .engine(.channelSlice(start: r.lowerBound, end: r.upperBound)),
                                       inputs: [v], shape: s)
            try define(n, try n.output(), .activation(out, rank: rank))
        }
    }

    mutating func concat(_ n: NodeContext) throws {
        guard !n.node.inputs.isEmpty else { throw n.error("has no inputs") }
        guard let axisValue = try n.attrs.int("axis") else { throw n.error("has no axis") }
        let inputs = try n.node.inputs.indices.map { try symbol(n, $0) }
        let constants = inputs.compactMap { s -> ConstantTensor? in if case let .constant(c) = s { return c } else { return nil } }
        if constants.count == inputs.count {
            guard constants.allSatisfy({ $0.dims.count == 1 }), try normalizedAxis(axisValue, rank: 1, n) == 0 else {
                throw n.error("concatenating constants of more than one dimension is not supported")
            }
            if constants.allSatisfy({ !$0.isFloat }) {
                let v = constants.flatMap { c -> [Int64] in if case let .ints(i) = c.values { return i } else { return [] } }
                try define(n, try n.output(), .constant(.ints(v)))
            } else {
                let v = constants.flatMap(\.floats)
                try define(n, try n.output(), .constant(ConstantTensor(dims: [v.count], values: .floats(v))))
            }
            return
        }
        guard constants.isEmpty else { throw n.error("concatenates constants with computed tensors, which is not supported") }
        let values = try n.node.inputs.indices.map { try activation(n, $0) }
        let rank = values[0].rank
        guard values.allSatisfy({ $0.rank == rank }), try normalizedAxis(axisValue, rank: rank, n) == 1 else {
            throw n.error("concatenates on axis \(axisValue); Sandglass concatenates channels (axis 1) of tensors of equal rank")
        }
        var s = graph.values[values[0].value]
        s.channels = 0
        for (v, _) in values {
            let t = graph.values[v]
            guard t.height == s.height, t.width == s.width else {
                throw n.error("concatenates tensors of spatial sizes \(s.height)x\(s.width) and \(t.height)x\(t.width)")
            }
            s.channels += t.channels
        }
        if values.count == 1 { try define(n, try n.output(), .activation(values[0].value, rank: rank)); return }
        let v = try graph.append(n.name, .engine(.concat), inputs: values.map(\.value), shape: s)
        try define(n, try n.output(), .activation(v, rank: rank))
    }

    // MARK: - Pass-through

    mutating func identity(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        try define(n, try n.output(), try symbol(n, 0))
    }

    /// Dropout is the identity at inference; its mask output is not computed.
    mutating func dropout(_ n: NodeContext) throws {
        try n.expectInputs(1...3)
        if opset >= 12, n.input(2) != nil {
            guard case let .constant(mode) = try symbol(n, 2), mode.count == 1, mode.floats[0] == 0 else {
                throw n.error("training_mode must be a constant false (inference only)")
            }
        }
        try checkExtraOutputsUnused(n, what: "dropout mask")
        try define(n, try n.output(), try symbol(n, 0))
    }

    // MARK: - Shape arithmetic on constants

    mutating func constantNode(_ n: NodeContext) throws {
        try n.expectInputs(0...0)
        let c: ConstantTensor
        if let t = try n.attrs.tensor("value") {
            c = try t.decode(what: "\(n.label) value", external: external)
        } else if let f = try n.attrs.float("value_float") {
            c = ConstantTensor(dims: [], values: .floats([f]))
        } else if let f = try n.attrs.floats("value_floats") {
            c = ConstantTensor(dims: [f.count], values: .floats(f))
        } else if let i = try n.attrs.int("value_int") {
            c = ConstantTensor(dims: [], values: .ints([i]))
        } else if let i = try n.attrs.ints("value_ints") {
            c = .ints(i)
        } else {
            throw n.error("has no value Sandglass can use (value, value_float(s) or value_int(s)); attributes: \(n.attrs.names)")
        }
        try define(n, try n.output(), .constant(c))
    }

    mutating func shape(_ n: NodeContext) throws {
        try n.expectInputs(1...1)
        let d = dims(of: try symbol(n, 0)).map { Int64($0) }
        func clamp(_ v: Int64) -> Int { Int(min(max(v < 0 ? v + Int64(d.count) : v, 0), Int64(d.count))) }
        let start = clamp(try n.attrs.int("start") ?? 0)
        let end = max(start, clamp(try n.attrs.int("end") ?? Int64(d.count)))
        try define(n, try n.output(), .constant(.ints(Array(d[start..<end]))))
    }

    mutating func gather(_ n: NodeContext) throws {
        try n.expectInputs(2...2)
        let data = try constant(n, 0)
        let indices = try integers(n, 1)
        let indexDims = try constant(n, 1).dims
        guard data.dims.count == 1, try normalizedAxis(try n.attrs.int("axis") ?? 0, rank: 1, n) == 0 else {
            throw n.error("gathering from a constant of dimensions \(data.dims) is not supported (1-D only)")
        }
        let size = Int64(data.count)
        let positions = try indices.map { i -> Int in
            guard i >= -size, i < size else { throw n.error("index \(i) is outside 0..<\(size)") }
            return Int(i < 0 ? i + size : i)
        }
        let values: ConstantTensor.Values
        switch data.values {
        case let .floats(v): values = .floats(positions.map { v[$0] })
        case let .ints(v): values = .ints(positions.map { v[$0] })
        }
        try define(n, try n.output(), .constant(ConstantTensor(dims: indexDims, values: values)))
    }
}
