// Turns a Graph and its QuantizationTable into an 8-bit Plan: every tensor a byte tensor (pixel
// stride a multiple of 16 bytes) in one arena, overlapped by lifetime; weights quantized per
// output channel and packed for the ISA's QuantizedKernelSet; one step per layer (1×1 → GEMM,
// depthwise → dwconv, other dense convolutions → im2col + GEMM, add, pool, classifier). The
// shortcut add runs as its own step here (fusing it into the epilogue is the next step).
import SandglassKernels

public enum QuantizedPlanner {
    /// - Parameter quantizedKernels: the set to run (default: the best for `options.isa`); the
    ///   tests pass `.reference` to check whole networks against the scalar kernels.
    public static func plan(_ graph: Graph, table: QuantizationTable, options: PlanOptions,
                            quantizedKernels: QuantizedKernelSet? = nil) throws -> Plan {
        let kernels = try ISASelection.kernels(for: options.isa)
        let qk = try quantizedKernels ?? ISASelection.quantizedKernels(for: options.isa)
        guard table.values.count == graph.values.count else {
            throw PlanError("the quantization table has \(table.values.count) tensors; the graph has \(graph.values.count)")
        }
        let consumers = graph.consumers()
        // Fused adds (add mode fused): a shortcut add whose branch is a linear depthwise
        // convolution's output read by nothing else runs in that convolution's epilogue.
        var fusedAdd = [Int: Int]()            // depthwise layer -> the add fused into it
        if options.addMode == .fused {
            for (i, layer) in graph.layers.enumerated() {
                guard case .shortcutAdd = layer.operation else { continue }
                let branch = layer.inputs[0]
                guard consumers[branch] == [i], branch != graph.output, branch != graph.input, layer.inputs[1] != branch,
                      let p = graph.layers.firstIndex(where: { $0.output == branch }),
                      case let .convolution(conv) = graph.layers[p].operation, conv.isDepthwise,
                      conv.kernelHeight == conv.kernelWidth, conv.strideHeight == conv.strideWidth, conv.activation == .none
                else { continue }
                fusedAdd[p] = i
            }
        }
        let fusedAway = Set(fusedAdd.values)
        // Lifetimes: the input lives from step 0; each value from its producer to its last reader
        // (a fused add's output from its convolution, which writes it).
        var first = [Int](repeating: 0, count: graph.values.count)
        var last = [Int](repeating: 0, count: graph.values.count)
        for (i, layer) in graph.layers.enumerated() { first[layer.output] = i }
        for (p, i) in fusedAdd { first[graph.layers[i].output] = p }
        for v in graph.values.indices { last[v] = max(first[v], consumers[v].max() ?? first[v]) }
        last[graph.output] = graph.layers.count
        func stride(_ v: ValueID) -> Int { roundUp(graph.values[v].channels, 16) }
        let requests = graph.values.indices.map { v in
            ArenaPlanner.Request(floats: (graph.values[v].pixels * stride(v) + 3) / 4, firstStep: first[v], lastStep: last[v])
        }
        let (offsets, floats) = ArenaPlanner.place(requests)
        let arena = AlignedBytes(bytes: floats * 4)
        func location(_ v: ValueID) -> TensorLocation {
            TensorLocation(offset: offsets[v] * 4, stride: stride(v), shape: graph.values[v])
        }
        var builder = QuantizedStepBuilder(kernels: qk, arena: arena.u8, threads: options.threads)
        var steps: [PlanStep] = []
        for (i, layer) in graph.layers.enumerated() where !fusedAway.contains(i) {
            let out = location(layer.output)
            let q = table.values[layer.output]
            let made: QuantizedStepBuilder.Made
            if let a = fusedAdd[i], case let .convolution(conv) = layer.operation, case let .shortcutAdd(add) = graph.layers[a].operation {
                let addLayer = graph.layers[a]
                guard let scales = table.weightScales[i] else { throw PlanError("layer '\(layer.name)' (int8): no weight scales") }
                made = try builder.convolution(conv, input: location(layer.inputs[0]), inputParameters: table.values[layer.inputs[0]],
                                               weightScales: scales, output: location(addLayer.output), outputParameters: q,
                                               residual: (add, location(addLayer.inputs[1]), table.values[addLayer.inputs[1]],
                                                          table.values[addLayer.output]))
                steps.append(PlanStep(name: layer.name + "+" + addLayer.name, op: layer.operation.opName + "+add", kernel: made.kernel,
                                      layers: [i, a],
                                      counts: (graph.counts(of: i) + graph.counts(of: a)).bytesScaled(toElementBytes: 1),
                                      parallelism: max(1, made.parallelism), run: made.run))
                continue
            }
            do {
                switch layer.operation {
                case let .convolution(conv):
                    guard let scales = table.weightScales[i] else { throw PlanError("no weight scales for this layer") }
                    made = try builder.convolution(conv, input: location(layer.inputs[0]), inputParameters: table.values[layer.inputs[0]],
                                                   weightScales: scales, output: out, outputParameters: q)
                case let .shortcutAdd(add):
                    made = builder.add(add, branch: location(layer.inputs[0]), branchParameters: table.values[layer.inputs[0]],
                                       identity: location(layer.inputs[1]), identityParameters: table.values[layer.inputs[1]],
                                       output: out, outputParameters: q)
                case .globalAveragePool:
                    made = builder.globalAveragePool(input: location(layer.inputs[0]), inputParameters: table.values[layer.inputs[0]],
                                                     output: out, outputParameters: q)
                case let .fullyConnected(fc):
                    guard let scales = table.weightScales[i] else { throw PlanError("no weight scales for this layer") }
                    made = builder.fullyConnected(fc, input: location(layer.inputs[0]), inputParameters: table.values[layer.inputs[0]],
                                                  weightScales: scales, output: out, outputParameters: q)
                default:
                    throw PlanError("\(layer.operation.opName) has no 8-bit kernel yet; run this model with --dtype f32")
                }
            } catch let e as PlanError {
                throw PlanError("layer '\(layer.name)' (int8): \(e.message)")
            }
            steps.append(PlanStep(name: layer.name, op: layer.operation.opName, kernel: made.kernel, layers: [i],
                                  counts: graph.counts(of: i).bytesScaled(toElementBytes: 1),
                                  parallelism: max(1, made.parallelism), run: made.run))
        }
        let io = QuantizedIO(arena: arena, input: table.values[graph.input], output: table.values[graph.output])
        return Plan(name: graph.name, options: options, kernels: kernels, steps: steps,
                    layerNames: graph.layers.map(\.name), layerOps: graph.layers.map { $0.operation.opName },
                    layerCounts: graph.layerCounts.map { $0.bytesScaled(toElementBytes: 1) },
                    arena: AlignedBuffer(count: 0), zeros: AlignedBuffer(count: 0),
                    input: location(graph.input), output: location(graph.output), packedWeights: builder.packed,
                    packedWeightBytes: builder.packedBytes, quantized: io)
    }
}

/// An 8-bit plan's byte arena and the parameters its input and output are converted with.
public final class QuantizedIO {
    let arena: AlignedBytes
    public let input: QuantizationParameters
    public let output: QuantizationParameters

    init(arena: AlignedBytes, input: QuantizationParameters, output: QuantizationParameters) {
        self.arena = arena; self.input = input; self.output = output
    }
}

extension LayerCounts {
    /// The analytic counts with activations and weights of `bytes` per element instead of 4.
    func bytesScaled(toElementBytes bytes: Int) -> LayerCounts {
        var c = self
        c.weightBytes = c.weightBytes * bytes / 4
        c.inputBytes = c.inputBytes * bytes / 4
        c.identityBytes = c.identityBytes * bytes / 4
        c.outputBytes = c.outputBytes * bytes / 4
        return c
    }
}

/// Builds the closure of each 8-bit step (the counterpart of StepBuilder).
struct QuantizedStepBuilder {
    let kernels: QuantizedKernelSet
    let arena: UnsafeMutablePointer<UInt8>
    let threads: Int
    var packed: [AnyObject] = []
    var packedBytes = 0

    typealias Made = (kernel: String, parallelism: Int, run: (Int, Int) -> Void)

    private func pointer(_ l: TensorLocation) -> UnsafeMutablePointer<UInt8> { arena + l.offset }

    private mutating func keep(_ object: AnyObject, bytes: Int) {
        packed.append(object); packedBytes += bytes
    }

    /// Weights quantized per output channel, the bias to int32 and the multipliers, from the float layer.
    private static func quantized(weights: [Float], bias: [Float], outputs: Int, scales: [Float], inputScale: Float,
                                  outputScale: Float) -> (weights: [Int8], bias: [Int32], multipliers: [Float]) {
        let perOutput = weights.count / outputs
        var q = [Int8](repeating: 0, count: weights.count)
        for o in 0..<outputs {
            for i in 0..<perOutput { q[o * perOutput + i] = QuantizationParameters.weight(weights[o * perOutput + i], scale: scales[o]) }
        }
        let b = (0..<outputs).map { bias.isEmpty ? 0 : QuantizationParameters.bias(bias[$0], inputScale: inputScale, weightScale: scales[$0]) }
        let m = (0..<outputs).map { requantizationMultiplier(inputScale: inputScale, weightScale: scales[$0], outputScale: outputScale) }
        return (q, b, m)
    }

    /// - Parameter residual: a shortcut add fused into a depthwise convolution's epilogue: the add,
    ///   the identity and its parameters, and the sum's parameters (`output` is then the sum's tensor).
    mutating func convolution(_ conv: Convolution, input: TensorLocation, inputParameters: QuantizationParameters,
                              weightScales: [Float], output: TensorLocation, outputParameters: QuantizationParameters,
                              residual: (ShortcutAdd, TensorLocation, QuantizationParameters, QuantizationParameters)? = nil) throws -> Made {
        guard weightScales.count == conv.outputChannels else {
            throw PlanError("\(weightScales.count) weight scales for \(conv.outputChannels) output channels")
        }
        let (w, b) = conv.folded()
        let (q, bias, m) = Self.quantized(weights: w, bias: b, outputs: conv.outputChannels, scales: weightScales,
                                          inputScale: inputParameters.scale, outputScale: outputParameters.scale)
        let (lo, hi) = conv.activation.bounds
        let range = outputParameters.range(clampedTo: lo, hi)
        let src = UnsafePointer(pointer(input)), dst = pointer(output)
        let oh = output.shape.height, ow = output.shape.width
        if conv.isPointwise {
            let k = conv.inputChannels
            let weights = PackedQuantizedGEMMWeights(k: k, n: conv.outputChannels, bias: bias, inputZeroPoint: inputParameters.zeroPoint,
                                                     multiplier: { m[$0] }, splitPairs: kernels.gemmSplitsPairs,
                                                     weight: { o, i in q[o * k + i] })
            keep(weights, bytes: weights.packedBytes)
            return gemm(QuantizedGEMMArguments(a: src, aStride: input.stride, weights: weights, c: dst, cStride: output.stride,
                                               outputZeroPoint: outputParameters.zeroPoint, outputRange: range), m: output.shape.pixels)
        }
        let square = conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth
        if conv.isDepthwise && square {
            let k = conv.kernelHeight
            let weights = PackedQuantizedDepthwiseWeights(channels: conv.outputChannels, kernelSize: k, bias: bias,
                                                          inputZeroPoint: inputParameters.zeroPoint, multiplier: { m[$0] },
                                                          weight: { c, t in q[c * k * k + t] })
            keep(weights, bytes: weights.packedBytes)
            let zeroRow = AlignedBytes(bytes: input.stride)
            zeroRow.u8.update(repeating: UInt8(inputParameters.zeroPoint), count: input.stride)
            keep(zeroRow, bytes: zeroRow.bytes)
            var fused: QuantizedAddArguments?
            if let (add, identity, identityParameters, sumParameters) = residual {
                let (lo, hi) = add.activation.bounds
                fused = QuantizedAddArguments(
                    branch: UnsafePointer(dst), branchStride: output.stride, branchParameters: outputParameters,
                    identity: UnsafePointer(pointer(identity)), identityStride: identity.stride, identityParameters: identityParameters,
                    output: dst, outputStride: output.stride, outputParameters: sumParameters, channels: output.shape.channels,
                    addedChannels: add.addedChannels, outputRange: sumParameters.range(clampedTo: lo, hi))
            }
            let args = QuantizedDepthwiseArguments(
                input: src, inputHeight: input.shape.height, inputWidth: input.shape.width, inputStride: input.stride,
                output: dst, outputWidth: ow, outputStride: output.stride, stride: conv.strideHeight, padTop: conv.padTop,
                padLeft: conv.padLeft, weights: weights, zeroRow: UnsafePointer(zeroRow.u8),
                outputZeroPoint: outputParameters.zeroPoint, outputRange: range, residual: fused)
            let run = kernels.dwconv.run
            return (kernels.dwconv.name + (fused == nil ? "" : "+add"), oh, { part, parts in run(args, chunk(oh, part: part, parts: parts)) })
        }
        guard conv.groups == 1 else {
            throw PlanError("grouped convolution with groups = \(conv.groups) has no 8-bit kernel")
        }
        // A dense convolution (the stem): im2col into a buffer of its own, then the GEMM. The
        // taps' channels lie densely in a row (see QuantizedIm2ColArguments); K is rounded up to
        // a word with zero weights, and the row's stride leaves room for the last tap's whole words.
        let taps = conv.kernelHeight * conv.kernelWidth
        let tapBytes = conv.inputChannels
        let k = roundUp(taps * tapBytes, 4)
        let rowStride = QuantizedIm2ColArguments.rowStride(taps: taps, channels: tapBytes)
        let pixels = output.shape.pixels
        let columns = AlignedBytes(bytes: pixels * rowStride)
        keep(columns, bytes: 0)
        // OIHW weights, taken in the im2col row order (ky, kx, c).
        let weights = PackedQuantizedGEMMWeights(k: k, n: conv.outputChannels, bias: bias, inputZeroPoint: inputParameters.zeroPoint,
                                                 multiplier: { m[$0] }, splitPairs: kernels.gemmSplitsPairs, weight: { o, i in
                                                     let c = i % tapBytes, t = i / tapBytes
                                                     return t < taps ? q[(o * conv.inputChannels + c) * taps + t] : 0
                                                 })
        keep(weights, bytes: weights.packedBytes)
        let im2col = QuantizedIm2ColArguments(
            input: src, inputHeight: input.shape.height, inputWidth: input.shape.width, inputStride: input.stride,
            channels: conv.inputChannels, kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth,
            strideHeight: conv.strideHeight, strideWidth: conv.strideWidth, padTop: conv.padTop, padLeft: conv.padLeft,
            outputWidth: ow, rows: columns.u8, rowStride: rowStride, zeroPoint: UInt8(inputParameters.zeroPoint))
        let g = QuantizedGEMMArguments(a: UnsafePointer(columns.u8), aStride: rowStride, weights: weights, c: dst,
                                       cStride: output.stride, outputZeroPoint: outputParameters.zeroPoint, outputRange: range)
        let gemm = kernels.gemm.run
        let panels = weights.panels
        return ("qu8_im2col+" + kernels.gemm.name, (pixels + 63) / 64, { part, parts in
            let rows = chunk(pixels, part: part, parts: parts, align: 4)
            if rows.isEmpty { return }
            qu8_im2col(im2col, pixels: rows)
            gemm(g, rows, 0..<panels)
        })
    }

    /// Rows split in multiples of 4 when there are enough; else panels.
    private func gemm(_ g: QuantizedGEMMArguments, m: Int) -> Made {
        let run = kernels.gemm.run
        let panels = g.weights.panels
        if m >= 16 {
            return (kernels.gemm.name, (m + 3) / 4, { part, parts in
                let rows = chunk(m, part: part, parts: parts, align: 4)
                if !rows.isEmpty { run(g, rows, 0..<panels) }
            })
        }
        return (kernels.gemm.name, panels, { part, parts in
            // Panels in groups of 4 (the wide tile), so that splitting does not narrow it.
            let r = chunk(panels, part: part, parts: parts, align: 4)
            if !r.isEmpty { run(g, 0..<m, r) }
        })
    }

    mutating func fullyConnected(_ fc: FullyConnected, input: TensorLocation, inputParameters: QuantizationParameters,
                                 weightScales: [Float], output: TensorLocation, outputParameters: QuantizationParameters) -> Made {
        let (q, bias, m) = Self.quantized(weights: fc.weights, bias: fc.bias, outputs: fc.outputs, scales: weightScales,
                                          inputScale: inputParameters.scale, outputScale: outputParameters.scale)
        let k = fc.inputs
        let weights = PackedQuantizedGEMMWeights(k: k, n: fc.outputs, bias: bias, inputZeroPoint: inputParameters.zeroPoint,
                                                 multiplier: { m[$0] }, weight: { o, i in q[o * k + i] })
        keep(weights, bytes: weights.packedBytes)
        let (lo, hi) = fc.activation.bounds
        return gemm(QuantizedGEMMArguments(a: UnsafePointer(pointer(input)), aStride: input.stride, weights: weights,
                                           c: pointer(output), cStride: output.stride, outputZeroPoint: outputParameters.zeroPoint,
                                           outputRange: outputParameters.range(clampedTo: lo, hi)), m: 1)
    }

    func add(_ add: ShortcutAdd, branch: TensorLocation, branchParameters: QuantizationParameters, identity: TensorLocation,
             identityParameters: QuantizationParameters, output: TensorLocation, outputParameters: QuantizationParameters) -> Made {
        let (lo, hi) = add.activation.bounds
        let args = QuantizedAddArguments(
            branch: UnsafePointer(pointer(branch)), branchStride: branch.stride, branchParameters: branchParameters,
            identity: UnsafePointer(pointer(identity)), identityStride: identity.stride, identityParameters: identityParameters,
            output: pointer(output), outputStride: output.stride, outputParameters: outputParameters,
            channels: output.shape.channels, addedChannels: add.addedChannels,
            outputRange: outputParameters.range(clampedTo: lo, hi))
        let run = kernels.addPartial.run
        let pixels = output.shape.pixels
        return (kernels.addPartial.name, pixels, { part, parts in run(args, chunk(pixels, part: part, parts: parts)) })
    }

    func globalAveragePool(input: TensorLocation, inputParameters: QuantizationParameters, output: TensorLocation,
                           outputParameters: QuantizationParameters) -> Made {
        let args = QuantizedGlobalAveragePoolArguments(input: UnsafePointer(pointer(input)), pixels: input.shape.pixels,
                                                       inputStride: input.stride, channels: input.shape.channels,
                                                       output: pointer(output), inputParameters: inputParameters,
                                                       outputParameters: outputParameters)
        let c = input.shape.channels
        return ("qu8_global_average_pool", (c + 15) / 16, { part, parts in
            qu8_global_average_pool(args, channels: chunk(c, part: part, parts: parts, align: 16))
        })
    }
}
