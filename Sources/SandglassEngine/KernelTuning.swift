// Per-machine tuning, the engine's half: which layer shapes have more than one way to run
// (a tuning key each), the candidate variants and blockings for a key, and the table of
// choices the planner applies. Measuring candidates and caching the winners per CPU model is
// the harness's (SandglassHarness/KernelTuner.swift, TuningCache.swift). Every candidate
// computes the same sums in the same order, so a choice changes time, never a result.
import SandglassKernels

/// How one layer shape runs. `nil` fields keep the built-in rule.
public struct TunedChoice: Codable, Hashable, Sendable, CustomStringConvertible {
    /// 1×1 convolutions: the widest GEMM panel kernel used (narrower ones take the columns left).
    public var gemmMaxPanelWidth: Int?
    /// 1×1 convolutions: rows of A per block that every panel passes over.
    public var gemmBlockRows: Int?
    /// Depthwise convolutions: bytes of output per band of rows.
    public var bandBytes: Int?

    public init(gemmMaxPanelWidth: Int? = nil, gemmBlockRows: Int? = nil, bandBytes: Int? = nil) {
        self.gemmMaxPanelWidth = gemmMaxPanelWidth; self.gemmBlockRows = gemmBlockRows; self.bandBytes = bandBytes
    }

    public var isDefault: Bool { gemmMaxPanelWidth == nil && gemmBlockRows == nil && bandBytes == nil }

    public var description: String {
        var parts: [String] = []
        if let w = gemmMaxPanelWidth { parts.append("panels<=\(w)") }
        if let r = gemmBlockRows { parts.append("block \(r) rows") }
        if let b = bandBytes { parts.append("bands of \(b / 1024) KiB") }
        return parts.isEmpty ? "built-in" : parts.joined(separator: ", ")
    }
}

/// One tunable layer shape of a graph, with what the tuner needs to time it alone.
public struct TunableLayer: Sendable {
    /// E.g. "avx512 f32_gemm m=3136 k=96 n=24" or "avx512 f32_dwconv3x3_s2 112x112x96".
    public let key: String
    /// The layer's name in the graph it was found in (the first of that shape).
    public let layerName: String
    public let input: TensorShape
    public let convolution: Convolution
    /// The built-in choice first.
    public let candidates: [TunedChoice]
}

/// The choices a plan applies, by tuning key; keys it lacks keep the built-in rules.
public struct TuningTable: Sendable, Equatable {
    public var choices: [String: TunedChoice]
    public init(_ choices: [String: TunedChoice] = [:]) { self.choices = choices }
    public var isEmpty: Bool { choices.isEmpty }
    public subscript(key: String) -> TunedChoice? { choices[key] }
}

public enum KernelTuning {
    /// Output bytes per depthwise band tried beside the built-in 24 KiB.
    static let bandBytesCandidates = [12 * 1024, 48 * 1024, 96 * 1024, 192 * 1024, 384 * 1024]

    /// The key of a convolution with this input shape, or nil when it has one way to run.
    public static func key(_ conv: Convolution, input: TensorShape, isa: ISA) -> String? {
        if conv.isPointwise {
            let m = outputShape(conv, input: input).pixels
            // One row is the classifier's matrix-vector product: one kernel, no blocks.
            return m > 1 ? "\(isa) f32_gemm m=\(m) k=\(conv.inputChannels) n=\(conv.outputChannels)" : nil
        }
        if conv.isDepthwise && conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth {
            let k = conv.kernelHeight
            return "\(isa) f32_dwconv\(k)x\(k)_s\(conv.strideHeight) \(input)"
        }
        return nil
    }

    static func outputShape(_ conv: Convolution, input: TensorShape) -> TensorShape {
        let h = (input.height + conv.padTop + conv.padBottom - conv.kernelHeight) / conv.strideHeight + 1
        let w = (input.width + conv.padLeft + conv.padRight - conv.kernelWidth) / conv.strideWidth + 1
        return TensorShape(height: h, width: w, channels: conv.outputChannels)
    }

    /// The candidates for a convolution, the built-in choice first.
    public static func candidates(_ conv: Convolution, input: TensorShape, kernels: KernelSet) -> [TunedChoice] {
        var list = [TunedChoice()]
        if conv.isPointwise {
            let output = outputShape(conv, input: input)
            // Every panel width but the narrowest (which only takes a last few columns) may be the widest used.
            let widths = kernels.gemmPanels.map(\.width).dropLast()
            let widest = PackedGEMMWeights.panelPlan(n: conv.outputChannels, kernels: kernels.gemmPanels).map(\.width).max() ?? 0
            for w in widths where w < widest { list.append(TunedChoice(gemmMaxPanelWidth: w)) }
            let rows = PackedGEMMWeights.defaultBlockRows(k: conv.inputChannels, n: conv.outputChannels)
            if output.pixels > rows { list.append(TunedChoice(gemmBlockRows: rows * 2)) }
            if output.pixels > rows / 2 && rows >= 96 { list.append(TunedChoice(gemmBlockRows: rows / 2 / 24 * 24)) }
        } else if conv.isDepthwise {
            let outputBytes = outputShape(conv, input: input).pixels * roundUp(conv.outputChannels, 4) * 4
            // Only maps of several bands have a band size to choose.
            if outputBytes >= 2 * StepBuilder.bandBytes {
                for b in bandBytesCandidates where b < outputBytes { list.append(TunedChoice(bandBytes: b)) }
            }
        }
        return list
    }

    /// The graph's layer shapes with more than one candidate, each once, in graph order.
    public static func tunableLayers(_ graph: Graph, isa: ISA? = nil) throws -> [TunableLayer] {
        let kernels = try ISASelection.kernels(for: isa)
        var seen = Set<String>()
        var found: [TunableLayer] = []
        for layer in graph.layers {
            guard case let .convolution(conv) = layer.operation else { continue }
            let input = graph.values[layer.inputs[0]]
            guard let key = key(conv, input: input, isa: kernels.isa), !seen.contains(key) else { continue }
            let candidates = candidates(conv, input: input, kernels: kernels)
            guard candidates.count > 1 else { continue }
            seen.insert(key)
            found.append(TunableLayer(key: key, layerName: layer.name, input: input, convolution: conv, candidates: candidates))
        }
        return found
    }

    /// A graph of this one layer, for timing its candidates alone.
    public static func trialGraph(_ layer: TunableLayer) throws -> Graph {
        var b = GraphBuilder(name: "tuning \(layer.key)")
        let x = try b.addInput(layer.input)
        let y = try b.convolution(layer.layerName, x, layer.convolution)
        return try b.build(output: y)
    }
}
