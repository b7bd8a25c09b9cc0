// What an 8-bit plan needs beyond the float graph: the scale and zero point of every tensor and
// the per-output-channel scales of every convolution's and fully connected layer's weights.
// An ONNX QDQ model brings its own (SandglassONNX's QDQ import); a float model is calibrated
// here: the reference executor runs seeded random inputs (or the caller's), each tensor's range
// is the min and max seen (ONNX Runtime's MinMax calibrator), weights are symmetric per channel.
import SandglassKernels

public struct QuantizationTable: Sendable {
    /// How the model's activations are typed outside the kernels (see Quantization.swift).
    public var activationType: ActivationType
    /// Per value of the graph, in the byte domain (int8 zero points shifted by 128).
    public var values: [QuantizationParameters]
    /// Per layer index: one scale per output channel (convolutions and fully connected layers).
    public var weightScales: [Int: [Float]]
    /// Where the parameters came from, for reports: "calibrated on 4 seeded random inputs", "ONNX QDQ".
    public var source: String

    public init(activationType: ActivationType, values: [QuantizationParameters], weightScales: [Int: [Float]], source: String) {
        self.activationType = activationType; self.values = values; self.weightScales = weightScales; self.source = source
    }

    /// Symmetric int8 scales per output channel: max |w| / 127 (TFLite's weight scheme).
    public static func symmetricScales(_ weights: [Float], outputs: Int) -> [Float] {
        let perOutput = weights.count / max(outputs, 1)
        return (0..<outputs).map { o in
            var m: Float = 0
            for i in 0..<perOutput { m = max(m, abs(weights[o * perOutput + i])) }
            return m > 0 ? m / 127 : 1
        }
    }

    /// Calibrates a float graph: each value's [min, max] over `inputs` (dense NHWC), or over
    /// `count` seeded uniform [−1, 1) inputs when `inputs` is empty.
    public static func calibrate(_ graph: Graph, inputs: [[Float]] = [], count: Int = 2, seed: UInt64 = 7,
                                 activationType: ActivationType = .uint8) -> QuantizationTable {
        var samples = inputs
        if samples.isEmpty {
            var random = SeededRandom(seed: seed)
            samples = (0..<count).map { _ in random.uniform(-1, 1, count: graph.inputShape.elements) }
        }
        var lo = [Float](repeating: .infinity, count: graph.values.count)
        var hi = [Float](repeating: -.infinity, count: graph.values.count)
        for x in samples {
            for (v, data) in ReferenceExecutor.runAll(graph, input: x).enumerated() {
                guard let data else { continue }
                for f in data { lo[v] = min(lo[v], f); hi[v] = max(hi[v], f) }
            }
        }
        let values = graph.values.indices.map { v in
            lo[v] <= hi[v] ? QuantizationParameters(minimum: lo[v], maximum: hi[v]) : QuantizationParameters(scale: 1, zeroPoint: 128)
        }
        var scales: [Int: [Float]] = [:]
        for (i, layer) in graph.layers.enumerated() {
            switch layer.operation {
            case let .convolution(conv):
                scales[i] = symmetricScales(conv.folded().weights, outputs: conv.outputChannels)
            case let .fullyConnected(fc):
                scales[i] = symmetricScales(fc.weights, outputs: fc.outputs)
            default: break
            }
        }
        let source = inputs.isEmpty ? "calibrated on \(count) seeded random inputs (min/max)" : "calibrated on \(inputs.count) inputs (min/max)"
        return QuantizationTable(activationType: activationType, values: values, weightScales: scales, source: source)
    }
}

extension QuantizationParameters {
    /// The int8 weight for a float weight at this per-channel scale: round half to even, saturated to [−128, 127]
    /// (calibrated scales never reach −128; an imported model's weights may).
    @inlinable static func weight(_ w: Float, scale: Float) -> Int8 {
        Int8(min(max((w / scale).rounded(.toNearestOrEven), -128), 127))
    }

    /// The int32 bias for a float bias: scale inputScale · weightScale.
    @inlinable static func bias(_ b: Float, inputScale: Float, weightScale: Float) -> Int32 {
        let q = (b / (inputScale * weightScale)).rounded(.toNearestOrEven)
        return Int32(min(max(q, -2_147_483_520), 2_147_483_520))
    }
}
