// Every micro-kernel of a kernel set against its scalar reference, on a fixed set of awkward
// shapes: channel counts off every vector width, odd sizes, stride 2 on odd inputs, asymmetric
// padding, shortcut adds on k = 0, 1, part and all of the channels, clamps, and the row and
// channel splits that threads make. A kernel passes when every shape is within tolerance and it
// wrote nothing past the logical channels.
import SandglassKernels

/// One kernel of one ISA over its shapes.
public struct KernelCheck: Codable, Equatable, Sendable {
    public var kernel: String
    public var isa: String
    public var shapes: Int
    /// The worst relative error over the shapes (max abs error / max abs reference).
    public var maxRelError: Double
    public var passed: Bool
    /// The first shape that failed, and how.
    public var failure: String?
}

/// Accumulates one kernel's shapes.
struct KernelCheckBuilder {
    let kernel: String
    let isa: ISA
    let tolerance: Float
    var shapes = 0
    var worst: Float = 0
    var failure: String?

    mutating func record(_ shape: String, error: Float, paddingUntouched: Bool) {
        shapes += 1
        if error.isNaN || error > worst { worst = error.isNaN ? .infinity : error }
        guard failure == nil else { return }
        if !(error <= tolerance) {
            failure = "\(shape): relative error \(error) above \(tolerance)"
        } else if !paddingUntouched {
            failure = "\(shape): wrote past the logical channels"
        }
    }

    var result: KernelCheck {
        KernelCheck(kernel: kernel, isa: isa.rawValue, shapes: shapes, maxRelError: Double(worst),
                    passed: failure == nil && shapes > 0, failure: failure)
    }
}

public enum KernelChecks {
    /// Every kernel of `kernels`, each over its shapes.
    public static func run(_ kernels: KernelSet) -> [KernelCheck] {
        [gemm(kernels), depthwise(kernels, stride: 1), depthwise(kernels, stride: 2), depthwiseWidth7(kernels),
         depthwise5x5(kernels), depthwiseGeneric(kernels), directConv(kernels), partialAdd(kernels), globalAveragePool(kernels),
         squeezeExciteGate(kernels), channelScale(kernels), nonlinearity(kernels), maxPool(kernels)]
    }

    // MARK: GEMM (1×1 convolutions, the classifier)

    static func gemm(_ kernels: KernelSet) -> KernelCheck {
        // One check for all panel kernels (f32_gemm_6x16/12x8/12x4): every shape runs through the
        // panel plan, which uses each of them.
        let panels = kernels.gemmPanels.map { panel -> String in
            var n = panel.name
            if n.hasPrefix("f32_gemm_") { n.removeFirst("f32_gemm_".count) }
            if let cut = n.firstIndex(of: "_") { n = String(n[..<cut]) }
            return n
        }
        var b = KernelCheckBuilder(kernel: "f32_gemm_" + panels.joined(separator: "/"), isa: kernels.isa, tolerance: 1e-5)
        let everyPanel = kernels.gemmPanels.map(\.width).reduce(0, +) - 1
        var cases: [(m: Int, n: Int, k: Int, residual: Int, clamp: (Float, Float))] = []
        for m in [1, 7, 25] { for n in [1, 5, 13, 24, 40, 100] { for k in [1, 16, 37] { cases.append((m, n, k, 0, (-.infinity, .infinity))) } } }
        cases.append((31, everyPanel, 19, 0, (-.infinity, .infinity)))
        for n in [24, 40, 101] { for r in [1, 7, n / 2, n - 1, n] { cases.append((13, n, 9, r, (-.infinity, .infinity))) } }
        cases.append((17, 33, 12, 20, (0, 6)))
        cases.append((1, 1000, 160, 0, (-.infinity, .infinity)))
        for c in cases {
            var rng = CheckRandom(seed: UInt64(c.m * 10007 + c.n * 101 + c.k * 7 + c.residual))
            let weights = rng.array(c.n * c.k), bias = rng.array(c.n)
            let aDense = rng.array(c.m * c.k), rDense = rng.array(c.m * c.n)
            let ref = ReferenceConvolution(inputHeight: 1, inputWidth: c.m, inputChannels: c.k, outputChannels: c.n,
                                           kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1,
                                           padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1,
                                           weights: weights, bias: bias, minValue: c.clamp.0, maxValue: c.clamp.1)
            let expected = ref.run(aDense, residual: c.residual > 0 ? rDense : nil, residualChannels: c.residual)
            let a = StridedTensor(pixels: c.m, channels: c.k, dense: aDense)
            let out = StridedTensor(pixels: c.m, channels: c.n)
            let r = StridedTensor(pixels: c.m, channels: c.n, dense: rDense)
            let packed = PackedGEMMWeights(k: c.k, n: c.n, kernels: kernels.gemmPanels, bias: bias) { o, i in weights[o * c.k + i] }
            let epilogue = ConvEpilogue(minValue: c.clamp.0, maxValue: c.clamp.1,
                                        residual: c.residual > 0 ? UnsafePointer(r.pointer) : nil,
                                        residualStride: r.stride, residualChannels: c.residual)
            // Rows split as two threads would.
            let half = c.m / 2
            for rows in [0..<half, half..<c.m] {
                runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: out.pointer, ldc: out.stride,
                        epilogue: epilogue, rows: rows, panels: 0..<packed.panels.count)
            }
            b.record("m=\(c.m) n=\(c.n) k=\(c.k) residual=\(c.residual)", error: relativeError(out.dense, expected),
                     paddingUntouched: out.paddingUntouched)
        }
        return b.result
    }

    // MARK: Depthwise

    /// One depthwise shape: input h×w×c, k×k taps, stride, padding, a shortcut add on the
    /// first `residual` channels, a clamp; `channelSplit` runs two channel slices (as threads
    /// split a layer with few rows) instead of two row ranges; `poisonUnadded` puts NaN in the
    /// residual's channels past `residual`, which a partial add must not touch.
    public struct DepthwiseCase: CustomStringConvertible {
        public var h: Int, w: Int, c: Int, k: Int, stride: Int
        public var pads: (top: Int, left: Int, bottom: Int, right: Int)
        public var residual: Int
        public var clamp: (Float, Float)
        public var channelSplit: Int?
        public var poisonUnadded: Bool
        /// SiLU in the epilogue (ConvEpilogue.silu), after the residual and the clamp.
        public var silu: Bool

        public init(h: Int, w: Int, c: Int, k: Int = 3, stride: Int, pads: (top: Int, left: Int, bottom: Int, right: Int) = (1, 1, 1, 1),
                    residual: Int = 0, clamp: (Float, Float) = (-.infinity, .infinity), channelSplit: Int? = nil,
                    poisonUnadded: Bool = false, silu: Bool = false) {
            self.h = h; self.w = w; self.c = c; self.k = k; self.stride = stride; self.pads = pads
            self.residual = residual; self.clamp = clamp; self.channelSplit = channelSplit; self.poisonUnadded = poisonUnadded
            self.silu = silu
        }

        public var description: String {
            "h=\(h) w=\(w) c=\(c) k=\(k) stride=\(stride) pads=\(pads) residual=\(residual)\(silu ? " silu" : "")"
        }
    }

    /// What one shape gave: the relative error against the reference, and whether the kernel
    /// left the stride padding alone.
    public struct CaseResult {
        public var error: Float
        public var paddingUntouched: Bool
    }

    static func depthwise(_ kernels: KernelSet, stride: Int) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: stride == 1 ? "f32_dwconv3x3_s1" : "f32_dwconv3x3_s2", isa: kernels.isa, tolerance: 1e-5)
        var cases: [DepthwiseCase] = []
        if stride == 1 {
            for (h, w, c) in [(1, 1, 1), (5, 6, 13), (6, 9, 21), (8, 5, 8), (3, 11, 24), (4, 13, 3), (2, 3, 17), (14, 14, 96)] {
                cases.append(DepthwiseCase(h: h, w: w, c: c, stride: 1))
            }
            for c in [13, 24, 40] { for r in [0, 1, 5, c / 3, c - 1, c] { cases.append(DepthwiseCase(h: 6, w: 5, c: c, stride: 1, residual: r)) } }
            cases.append(DepthwiseCase(h: 6, w: 10, c: 9, stride: 1, pads: (0, 0, 0, 0)))
            cases.append(DepthwiseCase(h: 6, w: 10, c: 9, stride: 1, pads: (2, 0, 1, 2)))
            cases.append(DepthwiseCase(h: 5, w: 9, c: 21, stride: 1, residual: 10, clamp: (0, 6)))
            cases.append(DepthwiseCase(h: 5, w: 6, c: 53, stride: 1, residual: 53, channelSplit: 48))
            cases.append(DepthwiseCase(h: 6, w: 9, c: 40, stride: 1, residual: 13, poisonUnadded: true))
            // SiLU in the epilogue: a 7-wide map (here through the general row), full and tail
            // vectors, with an add and a clamp.
            cases.append(DepthwiseCase(h: 7, w: 7, c: 40, stride: 1, silu: true))
            cases.append(DepthwiseCase(h: 14, w: 14, c: 96, stride: 1, silu: true))
            cases.append(DepthwiseCase(h: 6, w: 9, c: 21, stride: 1, residual: 7, clamp: (0, 6), silu: true))
        } else {
            for (h, w, c) in [(7, 9, 13), (5, 5, 24), (8, 11, 37), (1, 1, 5), (3, 2, 16), (15, 15, 40)] {
                cases.append(DepthwiseCase(h: h, w: w, c: c, stride: 2))
                cases.append(DepthwiseCase(h: h, w: w, c: c, stride: 2, pads: (0, 0, 1, 1)))
            }
            cases.append(DepthwiseCase(h: 9, w: 8, c: 19, stride: 2, pads: (0, 0, 0, 0)))
            cases.append(DepthwiseCase(h: 7, w: 6, c: 29, stride: 2, clamp: (-0.25, 0.5)))
            cases.append(DepthwiseCase(h: 5, w: 6, c: 53, stride: 2, channelSplit: 32))
            cases.append(DepthwiseCase(h: 8, w: 11, c: 37, stride: 2, silu: true))
        }
        let run = kernels[depthwise: stride == 1 ? .k3s1 : .k3s2]
        for c in cases { checkDepthwise(c, run: run, into: &b) }
        return b.result
    }

    /// 7-pixel-wide maps: the w7 row, which the planner chooses for them.
    static func depthwiseWidth7(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_dwconv3x3_s1_w7", isa: kernels.isa, tolerance: 1e-5)
        var cases: [DepthwiseCase] = []
        for c in [16, 40, 53] { for r in [0, 5, 16, c] { cases.append(DepthwiseCase(h: 7, w: 7, c: c, stride: 1, residual: r)) } }
        cases.append(DepthwiseCase(h: 7, w: 7, c: 24, stride: 1, pads: (0, 1, 2, 1), residual: 9))
        cases.append(DepthwiseCase(h: 3, w: 7, c: 33, stride: 1, residual: 33, clamp: (0, 6)))
        cases.append(DepthwiseCase(h: 7, w: 7, c: 40, stride: 1, residual: 24, channelSplit: 16))
        cases.append(DepthwiseCase(h: 7, w: 7, c: 40, stride: 1, silu: true))
        cases.append(DepthwiseCase(h: 7, w: 7, c: 21, stride: 1, residual: 7, clamp: (0, 6), silu: true))
        for c in cases { checkDepthwise(c, run: kernels[depthwise: .k3s1w7], into: &b) }
        return b.result
    }

    /// 5x5 at stride 1 and 2: odd sizes, narrow maps where every pixel is an edge, asymmetric
    /// padding, channel tails, partial shortcut adds and channel slices.
    static func depthwise5x5(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_dwconv5x5", isa: kernels.isa, tolerance: 1e-5)
        for c in depthwise5x5Cases {
            checkDepthwise(c, run: kernels[depthwise: c.stride == 1 ? .k5s1 : .k5s2], into: &b)
        }
        return b.result
    }

    public static var depthwise5x5Cases: [DepthwiseCase] { [
        DepthwiseCase(h: 14, w: 14, c: 40, k: 5, stride: 1, pads: (2, 2, 2, 2)),
        DepthwiseCase(h: 9, w: 13, c: 21, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: 7),
        DepthwiseCase(h: 3, w: 4, c: 19, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: 19),
        DepthwiseCase(h: 8, w: 11, c: 37, k: 5, stride: 1, pads: (0, 1, 4, 3), clamp: (0, 6)),
        DepthwiseCase(h: 7, w: 10, c: 53, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: 24, channelSplit: 32),
        DepthwiseCase(h: 15, w: 15, c: 24, k: 5, stride: 2, pads: (2, 2, 2, 2)),
        DepthwiseCase(h: 28, w: 28, c: 17, k: 5, stride: 2, pads: (1, 1, 2, 2)),
        DepthwiseCase(h: 9, w: 12, c: 40, k: 5, stride: 2, pads: (2, 2, 2, 2), clamp: (-0.5, 0.5)),
        DepthwiseCase(h: 2, w: 2, c: 5, k: 5, stride: 2, pads: (2, 2, 2, 2)),
        DepthwiseCase(h: 5, w: 5, c: 16, k: 5, stride: 1, pads: (0, 0, 0, 0)),
        // Pixel strides of 128 floats: small maps go a row at a time across the channel vectors.
        DepthwiseCase(h: 7, w: 7, c: 125, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: 60, channelSplit: 64),
        DepthwiseCase(h: 14, w: 13, c: 128, k: 5, stride: 2, pads: (2, 2, 2, 2), clamp: (0, 6)),
        DepthwiseCase(h: 9, w: 13, c: 37, k: 5, stride: 1, pads: (2, 2, 2, 2), silu: true),
        DepthwiseCase(h: 7, w: 7, c: 128, k: 5, stride: 1, pads: (2, 2, 2, 2), silu: true),
    ] }

    static func depthwiseGeneric(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_dwconv_kxk", isa: kernels.isa, tolerance: 1e-5)
        let cases = [
            DepthwiseCase(h: 9, w: 8, c: 21, k: 5, stride: 1, pads: (2, 2, 2, 2)),
            DepthwiseCase(h: 9, w: 8, c: 21, k: 5, stride: 2, pads: (1, 2, 2, 1), residual: 7),
            DepthwiseCase(h: 6, w: 6, c: 16, k: 3, stride: 3, pads: (1, 1, 1, 1)),
            DepthwiseCase(h: 4, w: 4, c: 3, k: 1, stride: 1, pads: (0, 0, 0, 0)),
            DepthwiseCase(h: 11, w: 10, c: 37, k: 7, stride: 2, pads: (3, 3, 3, 3)),
            DepthwiseCase(h: 9, w: 8, c: 21, k: 7, stride: 1, pads: (3, 3, 3, 3), residual: 5, silu: true),
        ]
        for c in cases { checkDepthwise(c, run: kernels[depthwise: .kxk], into: &b) }
        return b.result
    }

    static func checkDepthwise(_ tc: DepthwiseCase, run: (DepthwiseArguments, Range<Int>) -> Void, into b: inout KernelCheckBuilder) {
        let r = depthwise(tc, run: run)
        b.record(tc.description, error: r.error, paddingUntouched: r.paddingUntouched)
    }

    /// Runs depthwise kernel `run` on one shape and compares it with the reference.
    public static func depthwise(_ tc: DepthwiseCase, run: (DepthwiseArguments, Range<Int>) -> Void) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(tc.h * 1000 + tc.w * 100 + tc.c * 7 + tc.stride + tc.residual))
        let ref = ReferenceConvolution(
            inputHeight: tc.h, inputWidth: tc.w, inputChannels: tc.c, outputChannels: tc.c,
            kernelHeight: tc.k, kernelWidth: tc.k, strideHeight: tc.stride, strideWidth: tc.stride,
            padTop: tc.pads.top, padLeft: tc.pads.left, padBottom: tc.pads.bottom, padRight: tc.pads.right,
            groups: tc.c, weights: rng.array(tc.c * tc.k * tc.k), bias: rng.array(tc.c),
            minValue: tc.clamp.0, maxValue: tc.clamp.1)
        let oh = ref.outputHeight, ow = ref.outputWidth
        let inputDense = rng.array(tc.h * tc.w * tc.c)
        var residualDense = rng.array(oh * ow * tc.c)
        if tc.poisonUnadded {
            for p in 0..<(oh * ow) { for ch in tc.residual..<tc.c { residualDense[p * tc.c + ch] = .nan } }
        }
        var expected = ref.run(inputDense, residual: tc.residual > 0 ? residualDense : nil, residualChannels: tc.residual)
        if tc.silu { expected = referenceNonlinearity(expected, kind: .silu) }
        let input = StridedTensor(pixels: tc.h * tc.w, channels: tc.c, dense: inputDense)
        let output = StridedTensor(pixels: oh * ow, channels: tc.c)
        let residual = StridedTensor(pixels: oh * ow, channels: tc.c, dense: residualDense)
        let packed = PackedDepthwiseWeights(channels: tc.c, kernelSize: tc.k, weights: ref.weights, bias: ref.bias)
        let zeros = AlignedBuffer(count: tc.w * input.stride)
        let args = DepthwiseArguments(
            input: input.pointer, inputHeight: tc.h, inputWidth: tc.w, inputStride: input.stride,
            output: output.pointer, outputHeight: oh, outputWidth: ow, outputStride: output.stride,
            channels: tc.c, kernelSize: tc.k, stride: tc.stride, padTop: tc.pads.top, padLeft: tc.pads.left,
            weights: packed.buffer.pointer, weightStride: packed.stride, zeros: zeros.pointer,
            epilogue: ConvEpilogue(minValue: tc.clamp.0, maxValue: tc.clamp.1,
                                   residual: tc.residual > 0 ? UnsafePointer(residual.pointer) : nil,
                                   residualStride: residual.stride, residualChannels: tc.residual, silu: tc.silu))
        if let cut = tc.channelSplit {
            run(args.channelSlice(0..<cut), 0..<oh)
            run(args.channelSlice(cut..<tc.c), 0..<oh)
        } else {
            run(args, 0..<(oh / 2))
            run(args, (oh / 2)..<oh)
        }
        return CaseResult(error: relativeError(output.dense, expected), paddingUntouched: output.paddingUntouched)
    }

    // MARK: Direct convolution (the stem, plain k×k)

    static func directConv(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_conv_direct", isa: kernels.isa, tolerance: 1e-5)
        var cases: [(h: Int, w: Int, cin: Int, cout: Int, k: Int, stride: Int, pads: (Int, Int, Int, Int), clamp: (Float, Float), residual: Int)] = []
        for (h, w) in [(7, 7), (9, 12), (1, 1), (33, 31)] {
            for cout in [5, 16, 37] { cases.append((h, w, 3, cout, 3, 2, (1, 1, 1, 1), (0, 6), 0)) }
        }
        cases.append((9, 13, 3, 48, 3, 2, (0, 0, 1, 1), (-.infinity, .infinity), 0))
        cases.append((6, 11, 3, 24, 3, 1, (1, 1, 1, 1), (-.infinity, .infinity), 10))
        cases.append((8, 9, 5, 13, 3, 1, (1, 1, 1, 1), (-.infinity, .infinity), 7))
        cases.append((10, 7, 4, 9, 5, 2, (2, 1, 2, 2), (-.infinity, .infinity), 0))
        for c in cases { for silu in [false, true] {
            var rng = CheckRandom(seed: UInt64(c.h * 31 + c.w * 17 + c.cin * 5 + c.cout + c.k + c.stride))
            let ref = ReferenceConvolution(inputHeight: c.h, inputWidth: c.w, inputChannels: c.cin, outputChannels: c.cout,
                                           kernelHeight: c.k, kernelWidth: c.k, strideHeight: c.stride, strideWidth: c.stride,
                                           padTop: c.pads.0, padLeft: c.pads.1, padBottom: c.pads.2, padRight: c.pads.3, groups: 1,
                                           weights: rng.array(c.cout * c.cin * c.k * c.k), bias: rng.array(c.cout),
                                           minValue: c.clamp.0, maxValue: c.clamp.1)
            let oh = ref.outputHeight, ow = ref.outputWidth
            let inputDense = rng.array(c.h * c.w * c.cin)
            let residualDense = rng.array(oh * ow * c.cout)
            var expected = ref.run(inputDense, residual: c.residual > 0 ? residualDense : nil, residualChannels: c.residual)
            if silu { expected = referenceNonlinearity(expected, kind: .silu) }
            let input = StridedTensor(pixels: c.h * c.w, channels: c.cin, dense: inputDense)
            let output = StridedTensor(pixels: oh * ow, channels: c.cout)
            let res = StridedTensor(pixels: oh * ow, channels: c.cout, dense: residualDense)
            let packed = PackedDirectConvWeights(inputChannels: c.cin, outputChannels: c.cout, kernelHeight: c.k, kernelWidth: c.k,
                                                 weights: ref.weights, bias: ref.bias)
            let args = DirectConvArguments(
                input: input.pointer, inputHeight: c.h, inputWidth: c.w, inputStride: input.stride, inputChannels: c.cin,
                output: output.pointer, outputHeight: oh, outputWidth: ow, outputStride: output.stride,
                outputChannels: c.cout, kernelHeight: c.k, kernelWidth: c.k, strideHeight: c.stride, strideWidth: c.stride,
                padTop: c.pads.0, padLeft: c.pads.1, weights: packed.buffer.pointer, weightStride: packed.stride,
                epilogue: ConvEpilogue(minValue: c.clamp.0, maxValue: c.clamp.1,
                                       residual: c.residual > 0 ? UnsafePointer(res.pointer) : nil,
                                       residualStride: res.stride, residualChannels: c.residual, silu: silu))
            kernels.convDirect.run(args, 0..<(oh / 2))
            kernels.convDirect.run(args, (oh / 2)..<oh)
            b.record("h=\(c.h) w=\(c.w) cin=\(c.cin) cout=\(c.cout) k=\(c.k) stride=\(c.stride)\(silu ? " silu" : "")",
                     error: relativeError(output.dense, expected), paddingUntouched: output.paddingUntouched)
        } }
        return b.result
    }

    // MARK: Element-wise

    static func partialAdd(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_add_partial", isa: kernels.isa, tolerance: 1e-6)
        for c in [1, 13, 24, 37, 96] {
            for k in Set([0, 1, 5, c / 3, c - 1, c]).sorted() where k >= 0 && k <= c {
                for clamp: (Float, Float) in [(-.infinity, .infinity), (0, 0.5)] {
                    let (inPlace, copy) = partialAdd(kernels, channels: c, added: k, clamp: clamp)
                    b.record("in place c=\(c) k=\(k) clamp=\(clamp)", error: inPlace.error, paddingUntouched: inPlace.paddingUntouched)
                    b.record("copy c=\(c) k=\(k) clamp=\(clamp)", error: copy.error, paddingUntouched: copy.paddingUntouched)
                }
            }
        }
        return b.result
    }

    /// f32_add_partial on 11 pixels of `channels`, adding the first `added`: in place (the
    /// branch buffer is the output, in two pixel ranges) and out of place.
    public static func partialAdd(_ kernels: KernelSet, channels c: Int, added k: Int, clamp: (Float, Float))
        -> (inPlace: CaseResult, copy: CaseResult) {
        var rng = CheckRandom(seed: UInt64(c * 100 + k))
        let pixels = 11
        let branchDense = rng.array(pixels * c), identityDense = rng.array(pixels * c)
        let expected = referencePartialAdd(branch: branchDense, identity: identityDense, pixels: pixels,
                                           channels: c, addedChannels: k, minValue: clamp.0, maxValue: clamp.1)
        let identity = StridedTensor(pixels: pixels, channels: c, dense: identityDense)
        let branch = StridedTensor(pixels: pixels, channels: c, dense: branchDense)
        // In place (the branch buffer is the output), in two pixel ranges.
        let args = PartialAddArguments(branch: branch.pointer, branchStride: branch.stride,
                                       identity: identity.pointer, identityStride: identity.stride,
                                       output: branch.pointer, outputStride: branch.stride,
                                       pixels: pixels, channels: c, addedChannels: k,
                                       minValue: clamp.0, maxValue: clamp.1)
        kernels.addPartial.run(args, 0..<5)
        kernels.addPartial.run(args, 5..<pixels)
        let inPlace = CaseResult(error: relativeError(branch.dense, expected), paddingUntouched: branch.paddingUntouched)
        // Out of place.
        let source = StridedTensor(pixels: pixels, channels: c, dense: branchDense)
        let out = StridedTensor(pixels: pixels, channels: c)
        var copy = args
        copy.branch = UnsafePointer(source.pointer)
        copy.output = out.pointer
        kernels.addPartial.run(copy, 0..<pixels)
        return (inPlace, CaseResult(error: relativeError(out.dense, expected), paddingUntouched: out.paddingUntouched))
    }

    static func globalAveragePool(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_global_average_pool", isa: kernels.isa, tolerance: 1e-5)
        for pixels in [1, 3, 49, 50] {
            for c in [1, 13, 40, 1280] {
                let r = globalAveragePool(kernels, pixels: pixels, channels: c)
                b.record("pixels=\(pixels) c=\(c)", error: r.error, paddingUntouched: r.paddingUntouched)
            }
        }
        return b.result
    }

    /// f32_global_average_pool over `pixels` of `channels`.
    public static func globalAveragePool(_ kernels: KernelSet, pixels: Int, channels c: Int) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(pixels * 7 + c))
        let dense = rng.array(pixels * c)
        let input = StridedTensor(pixels: pixels, channels: c, dense: dense)
        let out = StridedTensor(pixels: 1, channels: c)
        let args = GlobalAveragePoolArguments(input: input.pointer, pixels: pixels, inputStride: input.stride,
                                              channels: c, output: out.pointer)
        kernels.globalAveragePool.run(args, 0..<c)
        return CaseResult(error: relativeError(out.dense, referenceGlobalAveragePool(dense, pixels: pixels, channels: c)),
                          paddingUntouched: out.paddingUntouched)
    }

    // MARK: Squeeze-and-excite

    static func squeezeExciteGate(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_se_gate", isa: kernels.isa, tolerance: 1e-5)
        let gates: [SqueezeExciteGateArguments.Gate] = [.sigmoid, .hardSigmoid(alpha: 1.0 / 6, beta: 0.5)]
        for (c, s) in [(1, 1), (8, 2), (13, 3), (40, 10), (96, 4), (1280, 52)] {
            for silu in [false, true] {
                for gate in gates {
                    let r = squeezeExciteGate(kernels, channels: c, squeeze: s, innerSiLU: silu, gate: gate)
                    b.record("c=\(c) squeeze=\(s) \(silu ? "silu" : "relu") \(gate)", error: r.error,
                             paddingUntouched: r.paddingUntouched)
                }
            }
        }
        return b.result
    }

    /// f32_se_gate on a pooled vector of `channels` squeezed to `squeeze`, against the reference
    /// on the logical (unpacked) weights.
    public static func squeezeExciteGate(_ kernels: KernelSet, channels c: Int, squeeze s: Int, innerSiLU: Bool,
                                         gate: SqueezeExciteGateArguments.Gate) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(c * 31 + s))
        let pooled = rng.array(c), reduce = rng.array(s * c, -0.5, 0.5), reduceBias = rng.array(s)
        let expand = rng.array(c * s, -0.5, 0.5), expandBias = rng.array(c)
        let packed = PackedSqueezeExciteWeights(channels: c, squeeze: s, reduce: reduce, reduceBias: reduceBias,
                                                expand: expand, expandBias: expandBias)
        let input = StridedTensor(pixels: 1, channels: c, dense: pooled)
        let out = StridedTensor(pixels: 1, channels: c)
        kernels.squeezeExciteGate.run(packed.arguments(pooled: input.pointer, channels: c, innerSiLU: innerSiLU, gate: gate,
                                                   output: out.pointer))
        let expected = referenceSqueezeExciteGate(pooled: pooled, channels: c, squeezeChannels: s, reduceWeights: reduce,
                                                  reduceBias: reduceBias, innerSiLU: innerSiLU, expandWeights: expand,
                                                  expandBias: expandBias, gate: gate)
        return CaseResult(error: relativeError(out.dense, expected), paddingUntouched: out.paddingUntouched)
    }

    static func channelScale(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_channel_scale", isa: kernels.isa, tolerance: 1e-6)
        for pixels in [1, 7, 50] {
            for c in [1, 3, 13, 24, 37, 96, 100] {
                let r = channelScale(kernels, pixels: pixels, channels: c)
                b.record("pixels=\(pixels) c=\(c)", error: r.error, paddingUntouched: r.paddingUntouched)
            }
        }
        return b.result
    }

    /// f32_channel_scale on `pixels` of `channels`, in two pixel ranges (as two threads split it).
    public static func channelScale(_ kernels: KernelSet, pixels: Int, channels c: Int) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(pixels * 13 + c))
        let dense = rng.array(pixels * c), factors = rng.array(c, 0, 1)
        let input = StridedTensor(pixels: pixels, channels: c, dense: dense)
        let f = StridedTensor(pixels: 1, channels: c, dense: factors)
        let out = StridedTensor(pixels: pixels, channels: c)
        let args = ChannelScaleArguments(input: input.pointer, inputStride: input.stride, factors: f.pointer,
                                         output: out.pointer, outputStride: out.stride, channels: c)
        let half = pixels / 2
        kernels.channelScale.run(args, 0..<half)
        kernels.channelScale.run(args, half..<pixels)
        return CaseResult(error: relativeError(out.dense, referenceChannelScale(dense, factors: factors, pixels: pixels, channels: c)),
                          paddingUntouched: out.paddingUntouched)
    }

    // MARK: Activations that are not clamps

    static let nonlinearities: [NonlinearityArguments.Kind] = [.hardSwish, .hardSigmoid(alpha: 0.2, beta: 0.5), .sigmoid, .silu]

    static func nonlinearity(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_nonlinearity", isa: kernels.isa, tolerance: 1e-6)
        for kind in nonlinearities {
            for c in [1, 5, 16, 37] {
                for inPlace in [false, true] {
                    let r = nonlinearity(kernels, kind: kind, pixels: 9, channels: c, inPlace: inPlace)
                    b.record("\(kind) c=\(c)\(inPlace ? " in place" : "")", error: r.error, paddingUntouched: r.paddingUntouched)
                }
            }
        }
        return b.result
    }

    /// f32_nonlinearity on `pixels` of `channels` in two pixel ranges, over inputs from -12 to 12
    /// (both saturated ends of the sigmoids and hard-swish's three pieces).
    public static func nonlinearity(_ kernels: KernelSet, kind: NonlinearityArguments.Kind, pixels: Int, channels c: Int,
                                    inPlace: Bool) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(pixels * 17 + c))
        let dense = rng.array(pixels * c, -12, 12)
        let input = StridedTensor(pixels: pixels, channels: c, dense: dense)
        let out = inPlace ? input : StridedTensor(pixels: pixels, channels: c)
        let args = NonlinearityArguments(input: input.pointer, inputStride: input.stride, output: out.pointer,
                                         outputStride: out.stride, channels: c, kind: kind)
        kernels.nonlinearity.run(args, 0..<(pixels / 2))
        kernels.nonlinearity.run(args, (pixels / 2)..<pixels)
        return CaseResult(error: relativeError(out.dense, referenceNonlinearity(dense, kind: kind)), paddingUntouched: out.paddingUntouched)
    }

    // MARK: Max pooling

    /// Windows of 1–3 at strides 1–2 with and without padding, odd maps and channel counts.
    public static let maxPoolCases: [(height: Int, width: Int, channels: Int, window: MaxPoolWindow)] = [
        (7, 9, 5, MaxPoolWindow(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1)),
        (8, 8, 16, MaxPoolWindow(kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0)),
        (5, 6, 33, MaxPoolWindow(kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1)),
        (11, 4, 20, MaxPoolWindow(kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1, padTop: 0, padLeft: 1)),
        (3, 3, 1, MaxPoolWindow(kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0)),
    ]

    static func maxPool(_ kernels: KernelSet) -> KernelCheck {
        var b = KernelCheckBuilder(kernel: "f32_maxpool", isa: kernels.isa, tolerance: 0)
        for (h, w, c, window) in maxPoolCases {
            let r = maxPool(kernels, height: h, width: w, channels: c, window: window)
            b.record("\(h)x\(w)x\(c) \(window.kernelHeight)x\(window.kernelWidth)/\(window.strideHeight)", error: r.error,
                     paddingUntouched: r.paddingUntouched)
        }
        return b.result
    }

    /// f32_maxpool over an h×w×c map, output rows in two calls; a max is exact, so any
    /// difference from the reference is a bug.
    public static func maxPool(_ kernels: KernelSet, height h: Int, width w: Int, channels c: Int,
                               window k: MaxPoolWindow, bottomPad: Int? = nil, rightPad: Int? = nil) -> CaseResult {
        var rng = CheckRandom(seed: UInt64(h * 31 + w * 7 + c))
        let dense = rng.array(h * w * c, -3, 3)
        let oh = (h + k.padTop + (bottomPad ?? k.padTop) - k.kernelHeight) / k.strideHeight + 1
        let ow = (w + k.padLeft + (rightPad ?? k.padLeft) - k.kernelWidth) / k.strideWidth + 1
        let input = StridedTensor(pixels: h * w, channels: c, dense: dense)
        let out = StridedTensor(pixels: oh * ow, channels: c)
        let args = MaxPoolArguments(input: input.pointer, inputHeight: h, inputWidth: w, inputStride: input.stride,
                                    output: out.pointer, outputWidth: ow, outputStride: out.stride, channels: c, window: k)
        kernels.maxPool.run(args, 0..<(oh / 2))
        kernels.maxPool.run(args, (oh / 2)..<oh)
        let expected = referenceMaxPool(dense, input: (h, w, c), outputHeight: oh, outputWidth: ow, window: k)
        return CaseResult(error: relativeError(out.dense, expected), paddingUntouched: out.paddingUntouched)
    }
}
