// Depth-first execution of a chain of convolutions (1×1 → depthwise → 1×1, and across blocks):
// the chain runs as one step, band of output rows by band, and each intermediate lives only in
// a small per-thread buffer holding the rows the next layer still needs. Layer by layer, an
// intermediate of 112×112×64 floats (3.2 MB) is written to L3 and read back; in bands it
// stays in L2. The planner decides which chains run this way (`Fusion`, `Planner.chains`).
//
// No row is computed twice within a part: when a band is done, the rows of each intermediate
// that the next band still reads (a depthwise layer's halo) move to the top of its buffer.
// Only the first band of each thread's share recomputes the halo rows above it.
import SandglassKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows a layer of a chain reads and writes: what the band plan needs of it.
struct ChainGeometry {
    var kernelHeight: Int
    var strideHeight: Int
    var padTop: Int
    var inputHeight: Int
    var outputHeight: Int
    /// Floats of one output row (width × pixel stride).
    var outputRowFloats: Int

    init(_ conv: Convolution, input: TensorShape, output: TensorShape, outputStride: Int) {
        kernelHeight = conv.kernelHeight; strideHeight = conv.strideHeight; padTop = conv.padTop
        inputHeight = input.height; outputHeight = output.height
        outputRowFloats = output.width * outputStride
    }

    /// Rows of the input that output rows `rows` read.
    @inline(__always)
    func inputRows(_ rows: Range<Int>) -> Range<Int> {
        let lo = max(0, rows.lowerBound * strideHeight - padTop)
        let hi = min(inputHeight, (rows.upperBound - 1) * strideHeight - padTop + kernelHeight)
        return lo..<max(lo, hi)
    }

    /// Band rows for a chain: the most output rows of its last layer whose intermediates'
    /// windows fit `budgetBytes` (at least one), and those windows' capacities in rows.
    static func bandPlan(_ chain: [ChainGeometry], budgetBytes: Int, maxRows: Int) -> (rows: Int, capacities: [Int]) {
        func capacities(_ r: Int) -> [Int] {
            var caps = [Int](repeating: 0, count: chain.count - 1)
            var below = r
            for i in stride(from: chain.count - 2, through: 0, by: -1) {
                let m = chain[i + 1]
                below = min(chain[i].outputHeight, (below - 1) * m.strideHeight + m.kernelHeight)
                caps[i] = below
            }
            return caps
        }
        func bytes(_ caps: [Int]) -> Int { zip(caps, chain).reduce(0) { $0 + $1.0 * $1.1.outputRowFloats * 4 } }
        var rows = 1
        while rows < maxRows && bytes(capacities(rows + 1)) <= budgetBytes { rows += 1 }
        return (rows, capacities(rows))
    }
}

/// One layer of a chain as the band loop sees it: a convolution over output rows, given base
/// pointers at which row 0 of its input and output would lie (band buffers hold a window of
/// rows, so their bases are virtual: only the window's rows are ever addressed).
struct ChainMember {
    typealias RowRunner = (_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ rows: Range<Int>) -> Void
    var kernel: String
    var run: RowRunner
    var geometry: ChainGeometry
}

/// How a chain step was laid out, for reports.
struct RowBandLayout {
    var bandRows: Int
    var bufferBytes: Int
}

extension StepBuilder {
    /// A convolution step as a row runner (see ChainMember), with its fused add or activation.
    mutating func convolutionRows(_ conv: Convolution, name: String, layer: Int, inputShape: TensorShape, inputStride: Int,
                                  outputShape: TensorShape, outputStride: Int,
                                  residual: (location: TensorLocation, channels: Int, activation: Activation)?,
                                  then: Nonlinearity?) throws -> ChainMember {
        var ep = epilogue(conv.activation, residual: residual)
        let siluInEpilogue = Self.siluInEpilogue(conv, residual: residual, then: then)
        ep.silu = siluInEpilogue
        let then = siluInEpilogue ? nil : then
        let ow = outputShape.width
        var run: ChainMember.RowRunner
        var kernelName: String
        if conv.isPointwise {
            let weights = packedPointwise(conv, layer: layer)
            packed.append(weights)
            packedBytes += weights.storage.bytes
            let kernels = self.kernels, panels = weights.panels.count
            kernelName = Set(weights.panels.map(\.kernelIndex)).sorted().map { kernels.gemmPanels[$0].name }.joined(separator: "+")
            run = { src, dst, rows in
                runGEMM(kernels: kernels, weights: weights, a: src, lda: inputStride, c: dst, ldc: outputStride,
                        epilogue: ep, rows: (rows.lowerBound * ow)..<(rows.upperBound * ow), panels: 0..<panels)
            }
        } else if conv.isDepthwise && conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth {
            let (w, b) = conv.folded()
            let weights = PackedDepthwiseWeights(channels: conv.outputChannels, kernelSize: conv.kernelHeight, weights: w, bias: b)
            keep(weights.buffer)
            let args = DepthwiseArguments(
                input: UnsafePointer(zeros), inputHeight: inputShape.height, inputWidth: inputShape.width, inputStride: inputStride,
                output: zeros, outputHeight: outputShape.height, outputWidth: ow, outputStride: outputStride,
                channels: conv.outputChannels, kernelSize: conv.kernelHeight, stride: conv.strideHeight,
                padTop: conv.padTop, padLeft: conv.padLeft, weights: weights.buffer.pointer,
                weightStride: weights.stride, zeros: zeros, epilogue: ep)
            let (kernel, name) = depthwiseKernel(args)
            kernelName = name
            run = { src, dst, rows in
                var a = args
                a.input = src
                a.output = dst
                kernel(a, rows)
            }
        } else if conv.groups == 1 {
            let (w, b) = conv.folded()
            let weights = PackedDirectConvWeights(inputChannels: conv.inputChannels, outputChannels: conv.outputChannels,
                                                  kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth,
                                                  weights: w, bias: b)
            keep(weights.buffer)
            let args = DirectConvArguments(
                input: UnsafePointer(zeros), inputHeight: inputShape.height, inputWidth: inputShape.width,
                inputStride: inputStride, inputChannels: conv.inputChannels, output: zeros,
                outputHeight: outputShape.height, outputWidth: ow, outputStride: outputStride,
                outputChannels: conv.outputChannels, kernelHeight: conv.kernelHeight, kernelWidth: conv.kernelWidth,
                strideHeight: conv.strideHeight, strideWidth: conv.strideWidth, padTop: conv.padTop,
                padLeft: conv.padLeft, weights: weights.buffer.pointer, weightStride: weights.stride, epilogue: ep)
            let kernel = kernels.convDirect.run
            kernelName = kernels.convDirect.name
            run = { src, dst, rows in
                var a = args
                a.input = src
                a.output = dst
                kernel(a, rows)
            }
        } else {
            throw PlanError("layer '\(name)': a chain member must be a 1×1, square depthwise or dense convolution")
        }
        if siluInEpilogue { kernelName += "+silu" }
        if let kind = then?.kernelKind {
            let inner = run, nonlinearity = kernels.nonlinearity.run, channels = outputShape.channels
            kernelName += "+" + kernels.nonlinearity.name
            run = { src, dst, rows in
                inner(src, dst, rows)
                nonlinearity(NonlinearityArguments(input: UnsafePointer(dst), inputStride: outputStride, output: dst,
                                                   outputStride: outputStride, channels: channels, kind: kind),
                             (rows.lowerBound * ow)..<(rows.upperBound * ow))
            }
        }
        return ChainMember(kernel: kernelName, run: run,
                           geometry: ChainGeometry(conv, input: inputShape, output: outputShape, outputStride: outputStride))
    }

    /// The chain as one step: parts split the last layer's output rows, and each part runs its
    /// share band by band through its own buffers.
    mutating func rowBandChain(_ members: [ChainMember], input: TensorLocation, output: TensorLocation,
                               maxParts: Int, budgetBytes: Int) -> (made: Made, layout: RowBandLayout) {
        let n = members.count
        let geometry = members.map(\.geometry)
        let height = geometry[n - 1].outputHeight
        let parts = max(1, min(maxParts, height))
        let (bandRows, caps) = ChainGeometry.bandPlan(geometry, budgetBytes: budgetBytes, maxRows: (height + parts - 1) / parts)
        // buffers[part * (n - 1) + i]: the window of intermediate i for that part (zeroed, so
        // the padding lanes that kernels read but never write hold zeros).
        var pointers: [UnsafeMutablePointer<Float>] = []
        var bufferBytes = 0
        for _ in 0..<parts {
            for i in 0..<(n - 1) {
                let buffer = AlignedBuffer(count: caps[i] * geometry[i].outputRowFloats)
                keep(buffer)
                pointers.append(buffer.pointer)
                bufferBytes += buffer.bytes
            }
        }
        let buffers = pointers
        let src = UnsafePointer(arena + input.offset), dst = arena + output.offset
        let kernelNames = members.map(\.kernel).joined(separator: " > ")
        let run: (Int, Int) -> Void = { part, partCount in
            let mine = chunk(height, part: part, parts: partCount)
            if mine.isEmpty { return }
            let slots = n - 1
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * slots) { scratch in
                let base = scratch.baseAddress!
                // Per intermediate: the window's first row, the end of the rows computed so far,
                // and the rows the current band needs.
                let lo = base, done = base + slots, needLo = base + 2 * slots, needHi = base + 3 * slots
                let windows = part * slots
                var first = true
                var r = mine.lowerBound
                while r < mine.upperBound {
                    let end = min(r + bandRows, mine.upperBound)
                    var below = r..<end
                    for i in stride(from: slots - 1, through: 0, by: -1) {
                        below = geometry[i + 1].inputRows(below)
                        needLo[i] = below.lowerBound
                        needHi[i] = below.upperBound
                    }
                    for i in 0..<slots {
                        let rowFloats = geometry[i].outputRowFloats
                        let window = buffers[windows + i]
                        if first || done[i] <= needLo[i] {
                            lo[i] = needLo[i]
                            done[i] = needLo[i]
                        } else if lo[i] < needLo[i] {
                            // Keep the rows the band still reads; memmove, the regions may overlap.
                            memmove(window, window + (needLo[i] - lo[i]) * rowFloats, (done[i] - needLo[i]) * rowFloats * 4)
                            lo[i] = needLo[i]
                        }
                        if needHi[i] > done[i] {
                            let from = i == 0 ? src : UnsafePointer(buffers[windows + i - 1] - lo[i - 1] * geometry[i - 1].outputRowFloats)
                            members[i].run(from, window - lo[i] * rowFloats, done[i]..<needHi[i])
                            done[i] = needHi[i]
                        }
                    }
                    let from = UnsafePointer(buffers[windows + slots - 1] - lo[slots - 1] * geometry[slots - 1].outputRowFloats)
                    members[n - 1].run(from, dst, r..<end)
                    first = false
                    r = end
                }
            }
        }
        return (("rows×\(bandRows): " + kernelNames, parts, run), RowBandLayout(bandRows: bandRows, bufferBytes: bufferBytes))
    }
}
