// Builds the closure that runs one plan step: picks the kernel for the layer, packs its
// weights (BatchNorm folded), binds arena pointers, and decides how the step splits across
// threads (rows for large GEMMs and convolutions, column panels for small-M GEMMs).
import SandglassKernels

struct StepBuilder {
    let kernels: KernelSet
    let arena: UnsafeMutablePointer<Float>
    let zeros: UnsafeMutablePointer<Float>
    /// Packed weights, kept alive by the plan.
    var packed: [AnyObject] = []
    var packedBytes = 0
    /// Packed 1×1 weights by graph layer, made early when a channel scale writes into them.
    var pointwiseWeights: [Int: PackedGEMMWeights] = [:]
    /// Tuned choices by graph layer (KernelTuning.swift); layers without one keep the built-in rules.
    var tuned: [Int: TunedChoice] = [:]

    typealias Made = (kernel: String, parallelism: Int, run: (Int, Int) -> Void)

    private func pointer(_ l: TensorLocation) -> UnsafeMutablePointer<Float> { arena + l.offset }

    func epilogue(_ activation: Activation,
                          residual: (location: TensorLocation, channels: Int, activation: Activation)?) -> ConvEpilogue {
        guard let residual else {
            let (lo, hi) = activation.bounds
            return ConvEpilogue(minValue: lo, maxValue: hi)
        }
        // A fused add only follows a linear convolution; the clamp is the add's own activation.
        let (lo, hi) = residual.activation.bounds
        return ConvEpilogue(minValue: lo, maxValue: hi, residual: UnsafePointer(pointer(residual.location)),
                            residualStride: residual.location.stride, residualChannels: residual.channels)
    }

    /// The packed weights of the 1×1 convolution at graph layer `layer` (BatchNorm folded), made once.
    mutating func packedPointwise(_ conv: Convolution, layer: Int) -> PackedGEMMWeights {
        if let made = pointwiseWeights[layer] { return made }
        let (w, b) = conv.folded()
        let k = conv.inputChannels
        let choice = tuned[layer]
        let weights = PackedGEMMWeights(k: k, n: conv.outputChannels, kernels: kernels.gemmPanels, bias: b,
                                        maxPanelWidth: choice?.gemmMaxPanelWidth, blockRows: choice?.gemmBlockRows) { o, i in
            w[o * k + i]
        }
        pointwiseWeights[layer] = weights
        return weights
    }

    /// Output bytes per band: a depthwise layer's band of rows, with the input rows it reads,
    /// stays in L1/L2 while every channel vector passes over it, and an activation applied after
    /// the band finds its output still in cache (see `convolution`).
    static let bandBytes = 24 * 1024

    /// The convolution's step; with `then`, each part applies that activation to the region of
    /// the output it has just computed (pixels × channels), while it is still in cache.
    ///
    /// Depthwise kernels run one channel vector over all rows they are given, so on a large map
    /// (112×112×32: 1.6 MB in, 1.6 MB out, past L2) each channel vector would stream the map
    /// from L3 again. Such steps, and steps followed by an activation, run each thread's share
    /// in bands of about `bandBytes` of output: the band's inputs are read from L3 once.
    mutating func convolution(_ conv: Convolution, name: String, layer: Int, input: TensorLocation, output: TensorLocation,
                              residual: (location: TensorLocation, channels: Int, activation: Activation)?,
                              then: Nonlinearity? = nil) throws -> Made {
        // SiLU after a depthwise or direct convolution goes into its epilogue, in registers.
        let siluInEpilogue = Self.siluInEpilogue(conv, residual: residual, then: then)
        let then = siluInEpilogue ? nil : then
        var made = try convolutionOnly(conv, name: name, layer: layer, input: input, output: output, residual: residual,
                                       silu: siluInEpilogue)
        if siluInEpilogue { made.kernel += "+silu" }
        let outputBytes = output.shape.pixels * output.stride * MemoryLayout<Float>.size
        let banded = conv.isDepthwise || then != nil
        let bandBytes = (conv.isDepthwise ? tuned[layer]?.bandBytes : nil) ?? Self.bandBytes
        let bands = banded ? max(1, min(made.parallelism, outputBytes / bandBytes)) : 1
        guard then != nil || bands > 1 else { return (made.kernel, made.parallelism, made.run) }
        let dst = pointer(output), stride = output.stride, kind = then?.kernelKind
        let nonlinearity = kernels.nonlinearity.run
        let region = made.region, run = made.run
        let name = then == nil ? made.kernel : made.kernel + "+" + kernels.nonlinearity.name
        return (name, made.parallelism, { part, parts in
            // Bands per part; parts × perPart never exceeds the step's parallelism.
            let perPart = max(1, bands / parts)
            for band in 0..<perPart {
                let sub = part * perPart + band, subs = parts * perPart
                run(sub, subs)
                guard let kind else { continue }
                let (pixels, channels) = region(sub, subs)
                if pixels.isEmpty || channels.isEmpty { continue }
                nonlinearity(NonlinearityArguments(input: UnsafePointer(dst + channels.lowerBound), inputStride: stride,
                                                   output: dst + channels.lowerBound, outputStride: stride,
                                                   channels: channels.count, kind: kind), pixels)
            }
        })
    }

    /// A step with the output region each part writes (pixels, channels).
    typealias Regioned = (kernel: String, parallelism: Int, run: (Int, Int) -> Void,
                          region: (Int, Int) -> (Range<Int>, Range<Int>))

    /// Whether `then` runs in the convolution's epilogue (ConvEpilogue.silu) rather than as a
    /// pass over each band: SiLU, with no fused add, on the kernels that write through
    /// DepthwiseOutput (every convolution but the 1×1, whose GEMM tiles have no such epilogue).
    /// On Zen 5 the pass cost EfficientNet-B0's 14×14×672 5×5 layers 0.058 ms each, twice a
    /// standalone SiLU over the same tensor.
    static func siluInEpilogue(_ conv: Convolution,
                               residual: (location: TensorLocation, channels: Int, activation: Activation)?,
                               then: Nonlinearity?) -> Bool {
        then == .silu && residual == nil && !conv.isPointwise
    }

    private mutating func convolutionOnly(_ conv: Convolution, name: String, layer: Int, input: TensorLocation,
                                          output: TensorLocation,
                                          residual: (location: TensorLocation, channels: Int, activation: Activation)?,
                                          silu: Bool = false) throws -> Regioned {
        var ep = epilogue(conv.activation, residual: residual)
        ep.silu = silu
        let src = UnsafePointer(pointer(input)), dst = pointer(output)
        let oh = output.shape.height, ow = output.shape.width
        let allPixels = 0..<output.shape.pixels, allChannels = 0..<output.shape.channels
        if conv.isPointwise {
            return gemm(packedPointwise(conv, layer: layer), a: src, lda: input.stride, c: dst, ldc: output.stride,
                        m: output.shape.pixels, epilogue: ep)
        }
        let (w, b) = conv.folded()
        let square = conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth
        if conv.isDepthwise && square {
            let weights = PackedDepthwiseWeights(channels: conv.outputChannels, kernelSize: conv.kernelHeight, weights: w, bias: b)
            keep(weights.buffer)
            let args = DepthwiseArguments(
                input: src, inputHeight: input.shape.height, inputWidth: input.shape.width, inputStride: input.stride,
                output: dst, outputHeight: oh, outputWidth: ow, outputStride: output.stride,
                channels: conv.outputChannels, kernelSize: conv.kernelHeight, stride: conv.strideHeight,
                padTop: conv.padTop, padLeft: conv.padLeft, weights: weights.buffer.pointer,
                weightStride: weights.stride, zeros: zeros, epilogue: ep)
            let (kernel, kernelName) = depthwiseKernel(args)
            // Few rows (late, small layers): split channels in groups of 16 instead, to balance threads.
            if oh < 12 {
                let channels = conv.outputChannels
                return (kernelName, (channels + 15) / 16, { part, parts in
                    if parts == 1 { kernel(args, 0..<oh); return }
                    let r = chunk(channels, part: part, parts: parts, align: 16)
                    if !r.isEmpty { kernel(args.channelSlice(r), 0..<oh) }
                }, { part, parts in (allPixels, parts == 1 ? allChannels : chunk(channels, part: part, parts: parts, align: 16)) })
            }
            return (kernelName, oh, { part, parts in kernel(args, chunk(oh, part: part, parts: parts)) },
                    { part, parts in
                        let rows = chunk(oh, part: part, parts: parts)
                        return ((rows.lowerBound * ow)..<(rows.upperBound * ow), allChannels)
                    })
        }
        guard conv.groups == 1 else {
            throw PlanError("layer '\(name)': grouped convolution with groups = \(conv.groups) (neither 1 nor depthwise) is not supported")
        }
        let weights = PackedDirectConvWeights(inputChannels: conv.inputChannels, outputChannels: conv.outputChannels,
                                              kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth,
                                              weights: w, bias: b)
        keep(weights.buffer)
        let args = DirectConvArguments(
            input: src, inputHeight: input.shape.height, inputWidth: input.shape.width, inputStride: input.stride,
            inputChannels: conv.inputChannels, output: dst, outputHeight: oh, outputWidth: ow,
            outputStride: output.stride, outputChannels: conv.outputChannels, kernelHeight: conv.kernelHeight,
            kernelWidth: conv.kernelWidth, strideHeight: conv.strideHeight, strideWidth: conv.strideWidth,
            padTop: conv.padTop, padLeft: conv.padLeft, weights: weights.buffer.pointer,
            weightStride: weights.stride, epilogue: ep)
        let row = kernels.convDirect, run = row.run
        return (row.name, oh, { part, parts in run(args, chunk(oh, part: part, parts: parts)) },
                { part, parts in
                    let rows = chunk(oh, part: part, parts: parts)
                    return ((rows.lowerBound * ow)..<(rows.upperBound * ow), allChannels)
                })
    }

    /// The kernel for a square depthwise convolution (the first row that applies), and its name.
    func depthwiseKernel(_ args: DepthwiseArguments) -> ((DepthwiseArguments, Range<Int>) -> Void, String) {
        let row = kernels.depthwise(for: args)
        return (row.run, row.name)
    }

    mutating func keep(_ buffer: AlignedBuffer) {
        packed.append(buffer)
        packedBytes += buffer.bytes
    }

    private mutating func gemm(_ weights: PackedGEMMWeights, a: UnsafePointer<Float>, lda: Int,
                               c: UnsafeMutablePointer<Float>, ldc: Int, m: Int, epilogue: ConvEpilogue) -> Regioned {
        packed.append(weights)
        packedBytes += weights.storage.bytes
        let kernels = self.kernels
        let panelCount = weights.panels.count
        // Enough rows: split rows in multiples of 24 (every tile height divides it); else split panels.
        let splitRows = m >= 96
        let used = Set(weights.panels.map(\.kernelIndex)).sorted().map { kernels.gemmPanels[$0].name }
        let name = used.joined(separator: "+")
        let parallelism = splitRows ? (m + 23) / 24 : panelCount
        return (name, parallelism, { part, parts in
            if splitRows {
                runGEMM(kernels: kernels, weights: weights, a: a, lda: lda, c: c, ldc: ldc, epilogue: epilogue,
                        rows: chunk(m, part: part, parts: parts, align: 24), panels: 0..<panelCount)
            } else {
                runGEMM(kernels: kernels, weights: weights, a: a, lda: lda, c: c, ldc: ldc, epilogue: epilogue,
                        rows: 0..<m, panels: chunk(panelCount, part: part, parts: parts))
            }
        }, { part, parts in
            if splitRows { return (chunk(m, part: part, parts: parts, align: 24), 0..<weights.n) }
            let panels = chunk(panelCount, part: part, parts: parts)
            guard let first = panels.first, let last = panels.last else { return (0..<0, 0..<0) }
            let end = weights.panels[last].column + weights.panels[last].validColumns
            return (0..<m, weights.panels[first].column..<end)
        })
    }

    mutating func fullyConnected(_ fc: FullyConnected, input: TensorLocation, output: TensorLocation) -> Made {
        let weights = PackedGEMMWeights(k: fc.inputs, n: fc.outputs, kernels: kernels.gemmPanels, bias: fc.bias) { o, i in
            fc.weights[o * fc.inputs + i]
        }
        let (lo, hi) = fc.activation.bounds
        let made = gemm(weights, a: UnsafePointer(pointer(input)), lda: input.stride, c: pointer(output), ldc: output.stride,
                        m: 1, epilogue: ConvEpilogue(minValue: lo, maxValue: hi))
        return (made.kernel, made.parallelism, made.run)
    }

    func shortcutAdd(_ add: ShortcutAdd, branch: TensorLocation, identity: TensorLocation, output: TensorLocation) -> Made {
        let (lo, hi) = add.activation.bounds
        let args = PartialAddArguments(
            branch: UnsafePointer(pointer(branch)), branchStride: branch.stride,
            identity: UnsafePointer(pointer(identity)), identityStride: identity.stride,
            output: pointer(output), outputStride: output.stride, pixels: output.shape.pixels,
            channels: output.shape.channels, addedChannels: add.addedChannels, minValue: lo, maxValue: hi)
        let row = kernels.addPartial, run = row.run
        let pixels = output.shape.pixels
        return (row.name, pixels, { part, parts in run(args, chunk(pixels, part: part, parts: parts)) })
    }

    func globalAveragePool(input: TensorLocation, output: TensorLocation) -> Made {
        let args = GlobalAveragePoolArguments(input: UnsafePointer(pointer(input)), pixels: input.shape.pixels,
                                              inputStride: input.stride, channels: input.shape.channels,
                                              output: pointer(output))
        let row = kernels.globalAveragePool, run = row.run
        let c = input.shape.channels
        return (row.name, (c + 15) / 16,
                { part, parts in run(args, chunk(c, part: part, parts: parts, align: 16)) })
    }

    /// Squeeze-and-excite's gate: one part (a few thousand multiply-adds on one vector).
    mutating func squeezeExciteGate(_ se: SqueezeExcite, pooled: TensorLocation, output: TensorLocation) -> Made {
        let weights = PackedSqueezeExciteWeights(channels: se.channels, squeeze: se.squeezeChannels,
                                                 reduce: se.reduceWeights, reduceBias: se.reduceBias,
                                                 expand: se.expandWeights, expandBias: se.expandBias)
        keep(weights.buffer)
        let args = weights.arguments(pooled: UnsafePointer(pointer(pooled)), channels: se.channels,
                                     innerSiLU: se.inner == .silu, gate: se.kernelGate, output: pointer(output))
        let row = kernels.squeezeExciteGate, run = row.run
        return (row.name, 1, { part, _ in if part == 0 { run(args) } })
    }

    /// The channel scale written into the next 1×1 convolution's weights (from a pristine copy)
    /// before that convolution runs on the unscaled tensor; split by panels.
    mutating func channelScaleIntoWeights(of conv: Convolution, layer: Int, factors: TensorLocation) -> Made {
        let weights = packedPointwise(conv, layer: layer)
        let pristine = AlignedBuffer(count: weights.storage.count)
        pristine.pointer.update(from: weights.storage.pointer, count: weights.storage.count)
        keep(pristine)
        let f = UnsafePointer(pointer(factors))
        let panels = weights.panels.count
        return ("f32_gemm_scale_input_rows", panels, { part, parts in
            f32_gemm_scale_input_rows(weights, pristine: pristine.pointer, factors: f, panels: chunk(panels, part: part, parts: parts))
        })
    }

    func channelScale(input: TensorLocation, factors: TensorLocation, output: TensorLocation) -> Made {
        let args = ChannelScaleArguments(input: UnsafePointer(pointer(input)), inputStride: input.stride,
                                         factors: UnsafePointer(pointer(factors)), output: pointer(output),
                                         outputStride: output.stride, channels: output.shape.channels)
        let row = kernels.channelScale, run = row.run
        let pixels = output.shape.pixels
        return (row.name, pixels, { part, parts in run(args, chunk(pixels, part: part, parts: parts)) })
    }

    /// An activation that is not a clamp, element-wise (in place when the planner aliases output and input).
    func nonlinearity(_ n: Nonlinearity, input: TensorLocation, output: TensorLocation) -> Made {
        let args = NonlinearityArguments(input: UnsafePointer(pointer(input)), inputStride: input.stride,
                                         output: pointer(output), outputStride: output.stride,
                                         channels: output.shape.channels, kind: n.kernelKind)
        let row = kernels.nonlinearity, run = row.run
        let pixels = output.shape.pixels
        return (row.name, pixels, { part, parts in run(args, chunk(pixels, part: part, parts: parts)) })
    }

    /// Max pooling, split by output rows.
    func maxPool(_ pool: MaxPool, input: TensorLocation, output: TensorLocation) -> Made {
        let args = MaxPoolArguments(input: UnsafePointer(pointer(input)), inputHeight: input.shape.height,
                                    inputWidth: input.shape.width, inputStride: input.stride, output: pointer(output),
                                    outputWidth: output.shape.width, outputStride: output.stride,
                                    channels: output.shape.channels, window: pool.window)
        let row = kernels.maxPool, run = row.run
        let rows = output.shape.height
        return (row.name, rows, { part, parts in run(args, chunk(rows, part: part, parts: parts)) })
    }

    /// Slice (one input from a start channel) or concat (inputs side by side), as a copy.
    func channelCopy(inputs: [(TensorLocation, Int)], output: TensorLocation) -> Made {
        let sources = inputs.map { (UnsafePointer(pointer($0.0)), $0.0.stride, $0.1, $0.0.shape.channels) }
        let dst = pointer(output)
        let outStride = output.stride, outChannels = output.shape.channels
        let pixels = output.shape.pixels
        return ("copy", pixels, { part, parts in
            for p in chunk(pixels, part: part, parts: parts) {
                var c = 0
                for (src, stride, start, channels) in sources where c < outChannels {
                    let n = min(channels - start, outChannels - c)
                    (dst + p * outStride + c).update(from: src + p * stride + start, count: n)
                    c += n
                }
            }
        })
    }
}

extension SqueezeExcite {
    /// The gate in the kernels' terms (the IR does not depend on the kernel module's types).
    var kernelGate: SqueezeExciteGateArguments.Gate {
        switch gate {
        case .sigmoid: return .sigmoid
        case let .hardSigmoid(alpha, beta): return .hardSigmoid(alpha: alpha, beta: beta)
        }
    }
}

extension Nonlinearity {
    /// The activation in the kernels' terms.
    var kernelKind: NonlinearityArguments.Kind {
        switch self {
        case .hardSwish: return .hardSwish
        case let .hardSigmoid(alpha, beta): return .hardSigmoid(alpha: alpha, beta: beta)
        case .sigmoid: return .sigmoid
        case .silu: return .silu
        }
    }
}

extension MaxPool {
    /// The window in the kernels' terms.
    var window: MaxPoolWindow {
        MaxPoolWindow(kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                      padTop: padTop, padLeft: padLeft)
    }
}
