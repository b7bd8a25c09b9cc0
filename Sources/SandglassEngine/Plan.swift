// A planned model: its steps, the activation arena and the packed weights. Reading inputs
// and writing outputs converts between the caller's dense layout and the arena's padded NHWC.
import SandglassKernels

public final class Plan {
    public let name: String
    public let options: PlanOptions
    public let kernels: KernelSet
    public let steps: [PlanStep]
    /// Graph-level layers (logical, before fusion), for reports.
    public let layerNames: [String]
    public let layerOps: [String]
    public let layerCounts: [LayerCounts]
    public let input: TensorLocation
    public let output: TensorLocation
    /// Bytes of packed weights (BatchNorm folded).
    public let packedWeightBytes: Int
    let arena: AlignedBuffer
    let zeros: AlignedBuffer
    private let packedWeights: [AnyObject]
    /// Set for an 8-bit plan (QuantizedPlanner): the byte arena, and how the float input and
    /// output are quantized and dequantized. Its TensorLocations count bytes.
    public let quantized: QuantizedIO?

    init(name: String, options: PlanOptions, kernels: KernelSet, steps: [PlanStep], layerNames: [String],
         layerOps: [String], layerCounts: [LayerCounts], arena: AlignedBuffer, zeros: AlignedBuffer,
         input: TensorLocation, output: TensorLocation, packedWeights: [AnyObject], packedWeightBytes: Int,
         quantized: QuantizedIO? = nil) {
        self.quantized = quantized
        self.name = name; self.options = options; self.kernels = kernels; self.steps = steps
        self.layerNames = layerNames; self.layerOps = layerOps; self.layerCounts = layerCounts
        self.arena = arena; self.zeros = zeros; self.input = input; self.output = output
        self.packedWeights = packedWeights; self.packedWeightBytes = packedWeightBytes
    }

    public var isa: ISA { kernels.isa }
    /// The arithmetic's data type.
    public var elementType: ElementType { quantized == nil ? .f32 : .int8 }
    /// Bytes of the activation arena (all intermediate tensors, overlapped by lifetime).
    public var arenaBytes: Int { arena.bytes + (quantized?.arena.bytes ?? 0) }
    /// What a steady-state inference needs: packed weights, arena and the zero row.
    public var plannedBytes: Int { packedWeightBytes + arenaBytes + zeros.bytes }
    public var totals: LayerCounts { layerCounts.reduce(LayerCounts(), +) }

    /// Copies a dense input into the arena. `nchw`: C×H×W planes (ONNX/PyTorch); else H×W×C.
    public func setInput(_ values: UnsafeBufferPointer<Float>, nchw: Bool) throws {
        let s = input.shape
        guard values.count == s.elements else {
            throw PlanError("input has \(values.count) values; the model expects \(s.elements) (\(nchw ? "1x\(s.channels)x\(s.height)x\(s.width) NCHW" : "\(s) NHWC"))")
        }
        if let quantized {
            let dst = quantized.arena.u8 + input.offset, q = quantized.input
            for p in 0..<s.pixels {
                for c in 0..<s.channels {
                    dst[p * input.stride + c] = q.quantize(nchw ? values[c * s.pixels + p] : values[p * s.channels + c])
                }
            }
            return
        }
        let dst = arena.pointer + input.offset
        for p in 0..<s.pixels {
            for c in 0..<s.channels {
                dst[p * input.stride + c] = nchw ? values[c * s.pixels + p] : values[p * s.channels + c]
            }
        }
    }

    public func setInput(_ values: [Float], nchw: Bool) throws {
        try values.withUnsafeBufferPointer { try setInput($0, nchw: nchw) }
    }

    /// Fills the input with seeded uniform values in [-1, 1) (benchmarks).
    public func setRandomInput(seed: UInt64) {
        var random = SeededRandom(seed: seed ^ 0x5EED)
        let values = random.uniform(-1, 1, count: input.shape.elements)
        try? setInput(values, nchw: false)
    }

    /// The output, dense, as NCHW planes (nchw) or NHWC. For a 1x1xN output both are the same.
    public func readOutput(nchw: Bool) -> [Float] {
        let s = output.shape
        let src = arena.pointer + output.offset
        var out = [Float](repeating: 0, count: s.elements)
        if let quantized {
            let src = quantized.arena.u8 + output.offset, q = quantized.output
            for p in 0..<s.pixels {
                for c in 0..<s.channels { out[nchw ? c * s.pixels + p : p * s.channels + c] = q.dequantize(src[p * output.stride + c]) }
            }
            return out
        }
        for p in 0..<s.pixels {
            for c in 0..<s.channels {
                out[nchw ? c * s.pixels + p : p * s.channels + c] = src[p * output.stride + c]
            }
        }
        return out
    }
}
