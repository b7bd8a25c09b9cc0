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
    /// Depth-first chains (RowBandChain.swift): false runs the chain's layers one by one. Where
    /// L3 is fast (Zen 5: 87 GB/s per core) the traffic a chain saves can cost less than its bands.
    public var chained: Bool?
    /// Depth-first chains: split at every link whose intermediate is smaller than this, so that
    /// only the largest intermediates stay in bands. On Zen 1 (L2 512 KiB, L3 ~35 GB/s), with the
    /// 12-layer chain of MobileNeXt's 112² and 56² maps split below 1 MiB, the network ran 4.8% faster.
    public var splitBelowBytes: Int?

    public init(gemmMaxPanelWidth: Int? = nil, gemmBlockRows: Int? = nil, bandBytes: Int? = nil, chained: Bool? = nil,
                splitBelowBytes: Int? = nil) {
        self.gemmMaxPanelWidth = gemmMaxPanelWidth; self.gemmBlockRows = gemmBlockRows; self.bandBytes = bandBytes
        self.chained = chained; self.splitBelowBytes = splitBelowBytes
    }

    public var isDefault: Bool {
        gemmMaxPanelWidth == nil && gemmBlockRows == nil && bandBytes == nil && chained == nil && splitBelowBytes == nil
    }

    public var description: String {
        var parts: [String] = []
        if let w = gemmMaxPanelWidth { parts.append("panels<=\(w)") }
        if let r = gemmBlockRows { parts.append("block \(r) rows") }
        if let b = bandBytes { parts.append("bands of \(b / 1024) KiB") }
        if chained == false { parts.append("layer by layer") }
        if let b = splitBelowBytes { parts.append("split at links under \(b / 1024) KiB") }
        return parts.isEmpty ? "built-in" : parts.joined(separator: ", ")
    }
}

/// Where a tunable's candidates are timed.
public enum TuningTrial: Sendable {
    /// A graph of the layer alone, planned once per candidate and run in a loop.
    case alone(Graph)
    /// Inside the whole network (a depth-first chain): the network planned with every chain and
    /// with none, run in alternation, the chain's step timed against its layers' steps. Alone,
    /// with its tensors hot in cache from the previous repetition, a chain never shows the
    /// traffic it exists to save, nor what its bands cost the layers around it; and a chain
    /// whose shortcut add reads a tensor from before the chain has no graph of its own.
    case inNetwork

    public var isInNetwork: Bool { if case .inNetwork = self { return true } else { return false } }
}

/// One tunable layer shape (or chain of layers) of a graph, with what the tuner needs to time it.
public struct TunableLayer: Sendable {
    /// E.g. "avx512 f32_gemm m=3136 k=96 n=24", "avx512 f32_dwconv3x3_s2 112x112x96" or
    /// "avx512 chain l2=1024K 112x112x16: conv1x1>96 dwconv3x3s1 conv1x1>16".
    public let key: String
    /// The layer's name in the graph it was found in (the first of that shape; for a chain, its step's name).
    public let layerName: String
    public let trial: TuningTrial
    /// Plan options the trial runs under besides the candidate (a chain's L2 size).
    public let l2Bytes: Int
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
            let m = conv.outputShape(for: input).pixels
            // One row is the classifier's matrix-vector product: one kernel, no blocks.
            return m > 1 ? "\(isa) f32_gemm m=\(m) k=\(conv.inputChannels) n=\(conv.outputChannels)" : nil
        }
        if conv.isDepthwise && conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth {
            let k = conv.kernelHeight
            return "\(isa) f32_dwconv\(k)x\(k)_s\(conv.strideHeight) \(input)"
        }
        return nil
    }

    /// The candidates for a convolution, the built-in choice first.
    public static func candidates(_ conv: Convolution, input: TensorShape, kernels: KernelSet) -> [TunedChoice] {
        var list = [TunedChoice()]
        if conv.isPointwise {
            let output = conv.outputShape(for: input)
            // Every panel width but the narrowest (which only takes a last few columns) may be the widest used.
            let widths = kernels.gemmPanels.map(\.width).dropLast()
            let widest = PackedGEMMWeights.panelPlan(n: conv.outputChannels, kernels: kernels.gemmPanels).map(\.width).max() ?? 0
            for w in widths where w < widest { list.append(TunedChoice(gemmMaxPanelWidth: w)) }
            let rows = PackedGEMMWeights.defaultBlockRows(k: conv.inputChannels, n: conv.outputChannels)
            if output.pixels > rows { list.append(TunedChoice(gemmBlockRows: rows * 2)) }
            if output.pixels > rows / 2 && rows >= 96 { list.append(TunedChoice(gemmBlockRows: rows / 2 / 24 * 24)) }
        } else if conv.isDepthwise {
            let outputBytes = conv.outputShape(for: input).pixels * roundUp(conv.outputChannels, 4) * 4
            // Only maps of several bands have a band size to choose.
            if outputBytes >= 2 * StepBuilder.bandBytes {
                for b in bandBytesCandidates where b < outputBytes { list.append(TunedChoice(bandBytes: b)) }
            }
        }
        return list
    }

    /// The graph's layer shapes with more than one candidate, each once, in graph order; then,
    /// with `options.fusion == .auto`, the chains the planner forms (run chained, layer by layer,
    /// or split at its smaller links, decided in the network: `TuningTrial.inNetwork`).
    public static func tunableLayers(_ graph: Graph, isa: ISA? = nil,
                                     options: PlanOptions = PlanOptions(fusion: .none)) throws -> [TunableLayer] {
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
            var b = GraphBuilder(name: "tuning \(key)")
            let y = try b.convolution(layer.name, try b.addInput(input), conv)
            found.append(TunableLayer(key: key, layerName: layer.name, trial: .alone(try b.build(output: y)),
                                      l2Bytes: options.l2Bytes, candidates: candidates))
        }
        guard options.fusion == .auto else { return found }
        var chainOptions = options
        chainOptions.isa = kernels.isa
        chainOptions.tuning = TuningTable()
        let plan = try Planner.plan(graph, options: chainOptions)
        for step in plan.steps where step.chain != nil {
            let key = chainKey(graph, layers: step.layers, isa: kernels.isa, l2Bytes: options.l2Bytes, threads: options.threads)
            guard !seen.contains(key) else { continue }
            seen.insert(key)
            found.append(TunableLayer(key: key, layerName: step.name, trial: .inNetwork, l2Bytes: options.l2Bytes,
                                      candidates: chainCandidates(graph, layers: step.layers, options: chainOptions)))
        }
        return found
    }

    /// Link thresholds a chain may be split at, as multiples of the built-in one
    /// (`PlanOptions.chainLinkBytes`): on the Xeon of Reports/fusion-xeon-kvm.md the built-in
    /// (L2/2 = 1 MiB) measured best, on Zen 1 (L2/2 = 256 KiB) four times it.
    static let splitFactors = [2, 4]

    /// A chain's candidates: chained (built-in), layer by layer, and split at each threshold of
    /// `splitFactors` that cuts some of its links but not all, each cutting differently.
    static func chainCandidates(_ graph: Graph, layers: [Int], options: PlanOptions) -> [TunedChoice] {
        var list = [TunedChoice(), TunedChoice(chained: false)]
        // A fused add's input is its convolution's output, of the same size as the add's: the
        // sizes tell where a threshold cuts (the planner cuts between members only).
        let sizes = layers.dropLast().map { Planner.linkBytes(graph, after: $0) }
        var patterns: Set<[Bool]> = []
        for factor in splitFactors {
            let threshold = options.chainLinkBytes * factor
            let cut = sizes.map { $0 < threshold }
            guard cut.contains(true), cut.contains(false), patterns.insert(cut).inserted else { continue }
            list.append(TunedChoice(splitBelowBytes: threshold))
        }
        return list
    }

    /// A chain's key: its input shape and its layers' operations and output channels, with the L2
    /// size its bands were planned for, and the thread count where it is more than one (a chain
    /// is decided in the network at the plan's thread count: split across threads, its bands and
    /// the layers around it cost differently).
    public static func chainKey(_ graph: Graph, layers: [Int], isa: ISA, l2Bytes: Int, threads: Int) -> String {
        let input = graph.values[graph.layers[layers[0]].inputs[0]]
        let ops = layers.map { i -> String in
            let layer = graph.layers[i]
            return "\(layer.operation.opName)>\(graph.values[layer.output].channels)"
        }
        let threadCount = threads > 1 ? "t\(threads) " : ""
        return "\(isa) chain \(threadCount)l2=\(l2Bytes / 1024)K \(input): " + ops.joined(separator: " ")
    }
}
