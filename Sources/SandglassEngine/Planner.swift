// Turns a Graph into a Plan: folds BatchNorm, chooses a kernel per layer for the selected ISA,
// packs weights, fuses the shortcut add into the preceding linear convolution's epilogue
// ("fused" mode) or keeps it as its own in-place step ("separate" mode), and places every
// activation in one arena. Everything that allocates happens here, once.
import SandglassKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct PlanOptions: Sendable {
    public var isa: ISA?
    public var addMode: AddMode
    public var threads: Int
    /// With more than one thread: how many parts per thread a step is split into at most. 1 is a
    /// static split (thread i runs part i); more lets free threads take parts a stalled one has
    /// not started. Default 1, or SANDGLASS_PARTS_PER_THREAD (1...16) for experiments.
    public var partsPerThread: Int
    /// Take squeeze-and-excite's channel scale into the next 1×1 convolution's weights where the
    /// weights are smaller than the tensor (see f32_gemm_scale_input_rows); false scales the tensor.
    public var foldChannelScale: Bool
    /// Run an activation that is not a clamp (hard-swish, SiLU, …) inside its convolution's step,
    /// on each part's output right after the part computes it (still in cache); false runs it
    /// as a step of its own.
    public var fuseNonlinearity: Bool
    /// A fused shortcut add that is its identity's last reader writes its sum over the identity
    /// (in place) rather than into a tensor of its own; false keeps them apart.
    public var addInPlace: Bool
    /// Chains of convolutions whose intermediates would leave L2 run in bands of rows
    /// (RowBandChain.swift); `.none` keeps every layer a step of its own.
    public var fusion: Fusion
    /// The per-core L2 size the planner fits bands into (hwloc's, where the caller knows it).
    public var l2Bytes: Int
    /// Kernel variants and blockings measured on this CPU, by layer shape (KernelTuning.swift);
    /// empty keeps the built-in rules.
    public var tuning: TuningTable
    /// f32, or int8 (QuantizedPlanner.swift: with the graph's own QuantizationTable, or one
    /// calibrated on seeded random inputs).
    public var elementType: ElementType = .f32

    public init(isa: ISA? = nil, addMode: AddMode = .fused, threads: Int = 1,
                partsPerThread: Int = PlanOptions.defaultPartsPerThread, foldChannelScale: Bool = true,
                fuseNonlinearity: Bool = true, addInPlace: Bool = true, fusion: Fusion = .auto,
                l2Bytes: Int = PlanOptions.defaultL2Bytes, tuning: TuningTable = TuningTable()) {
        self.isa = isa; self.addMode = addMode; self.threads = threads
        self.partsPerThread = max(1, min(16, partsPerThread))
        self.foldChannelScale = foldChannelScale
        self.fuseNonlinearity = fuseNonlinearity
        self.addInPlace = addInPlace
        self.fusion = fusion
        self.l2Bytes = max(16 * 1024, l2Bytes)
        self.tuning = tuning
    }

    /// 1 MiB, the smaller of the L2 sizes seen on the x86 machines (Zen 5; Emerald Rapids has 2 MiB).
    public static let defaultL2Bytes = 1 << 20

    // Both fractions of L2 were measured (Reports/fusion-xeon-kvm.md): linking at L2/4 or L2/8
    // made long chains at 56×56 whose band loop cost more than the traffic it saved; at L2 only
    // the 112×112 intermediates linked. Buffers of L2/4 or more were slower than L2/8, and
    // L2/16 too. Bands of one or two rows measured faster than a floor of four rows that split
    // chains.
    /// An intermediate at least this large (half of L2) links two convolutions into a chain.
    public var chainLinkBytes: Int { PlanOptions.experiment(0) ?? l2Bytes / 2 }
    /// The band buffers of one thread take at most this much (an eighth of L2).
    public var bandBufferBytes: Int { PlanOptions.experiment(1) ?? l2Bytes / 8 }
    /// SANDGLASS_FUSION_KIB=link:buffers (KiB) overrides both, for experiments.
    static func experiment(_ i: Int) -> Int? {
        guard let text = getenv("SANDGLASS_FUSION_KIB") else { return nil }
        let parts = String(cString: text).split(separator: ":").compactMap { Int($0) }
        return i < parts.count ? parts[i] * 1024 : nil
    }

    public static let defaultPartsPerThread: Int = {
        guard let text = getenv("SANDGLASS_PARTS_PER_THREAD"), let n = Int(String(cString: text)) else { return 1 }
        return max(1, min(16, n))
    }()
}

public struct PlanError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One kernel invocation of a plan, covering one or more graph layers.
public struct PlanStep {
    /// Graph layer names joined by "+", e.g. "s3.b1.dw2+s3.b1.add".
    public let name: String
    /// Operation, e.g. "dwconv3x3s1+add".
    public let op: String
    public let kernel: String
    public let layers: [Int]
    /// Analytic counts of what this step computes and moves.
    public let counts: LayerCounts
    /// How many parts the step can usefully be split into across threads.
    public let parallelism: Int
    /// Runs part `part` of `parts`.
    public let run: (_ part: Int, _ parts: Int) -> Void
    /// Set for a depth-first chain (RowBandChain.swift): how it runs, and what its layers would
    /// move run layer by layer.
    public var chain: ChainSummary? = nil
}

/// A chain step's layout and its analytic traffic before fusion (`counts` holds it after).
public struct ChainSummary: Sendable {
    /// Steps the chain would be layer by layer.
    public var members: Int
    /// Output rows of its last layer per band.
    public var bandRows: Int
    /// Bytes of band buffers, all threads together.
    public var bufferBytes: Int
    /// The analytic bytes of its member steps run layer by layer.
    public var unfusedBytes: Int
}

public enum Planner {
    public static func plan(_ graph: Graph, options: PlanOptions = PlanOptions()) throws -> Plan {
        do { try ThreadCount.check(options.threads) } catch let e as ParameterError { throw PlanError(e.message) }
        if options.elementType == .int8 {
            return try QuantizedPlanner.plan(graph, table: graph.quantization ?? QuantizationTable.calibrate(graph), options: options)
        }
        let kernels = try ISASelection.kernels(for: options.isa)
        let consumers = graph.consumers()
        let producer: [Int?] = {
            var p = [Int?](repeating: nil, count: graph.values.count)
            for (i, l) in graph.layers.enumerated() { p[l.output] = i }
            return p
        }()

        // 1. Decide fusion and storage aliasing.
        var storage = Array(graph.values.indices)            // value -> storage root
        func root(_ v: ValueID) -> Int { var r = v; while storage[r] != r { r = storage[r] }; return r }
        var fusedAdd = [Int: Int]()                          // conv layer -> add layer fused into it
        var fusedAway = Set<Int>()                           // add layers that run inside a conv
        for (i, layer) in graph.layers.enumerated() {
            guard case .shortcutAdd = layer.operation else { continue }
            let branch = layer.inputs[0]
            let singleUse = consumers[branch].count == 1 && branch != graph.output && branch != graph.input
            if options.addMode == .fused, singleUse, let p = producer[branch], fusedAdd[p] == nil,
               case let .convolution(conv) = graph.layers[p].operation, conv.activation == .none,
               layer.inputs[1] != branch {
                fusedAdd[p] = i
                fusedAway.insert(i)
            } else if singleUse {
                storage[layer.output] = storage[branch]       // separate, in place
            }
        }

        // An activation that is not a clamp runs in place on a tensor nothing else reads, inside
        // the step of the convolution that produces that tensor where it can.
        var fusedNonlinearity = [Int: Int]()                 // conv layer -> nonlinearity run in its step
        for (i, layer) in graph.layers.enumerated() {
            guard case .nonlinearity = layer.operation else { continue }
            let x = layer.inputs[0]
            guard consumers[x].count == 1 && x != graph.input && x != graph.output else { continue }
            storage[layer.output] = storage[x]
            if options.fuseNonlinearity, let p = producer[x], fusedAdd[p] == nil, case .convolution = graph.layers[p].operation {
                fusedNonlinearity[p] = i
                fusedAway.insert(i)
            }
        }

        // A channel scale read only by a 1×1 convolution goes into that convolution's weights
        // when they are smaller than the tensor: the convolution reads the unscaled tensor.
        var foldedScale = [Int: Int]()                       // scale layer -> the conv taking it
        for (i, layer) in graph.layers.enumerated() where options.foldChannelScale {
            guard case .channelScale = layer.operation, consumers[layer.output].count == 1,
                  layer.output != graph.output else { continue }
            let c = consumers[layer.output][0]
            guard case let .convolution(conv) = graph.layers[c].operation, conv.isPointwise,
                  conv.inputChannels * conv.outputChannels < graph.values[layer.inputs[0]].elements else { continue }
            foldedScale[i] = c
            storage[layer.output] = storage[layer.inputs[0]]
        }

        // 2. Steps as lists of layers; chains of convolution steps become one step each.
        var memberSteps: [[Int]] = []
        for i in graph.layers.indices where !fusedAway.contains(i) {
            memberSteps.append(fusedAdd[i].map { [i, $0] } ?? fusedNonlinearity[i].map { [i, $0] } ?? [i])
        }
        var chains = options.fusion == .auto ? Self.chains(graph, memberSteps, consumers: consumers, options: options)
                                             : memberSteps.map { [$0] }
        // A chain tuned to run layer by layer on this CPU (KernelTuning.swift) splits into its
        // members; one tuned to split at its smaller links, into the runs between them.
        if !options.tuning.isEmpty {
            let isa = kernels.isa
            chains = chains.flatMap { chain -> [[[Int]]] in
                guard chain.count > 1 else { return [chain] }
                let key = KernelTuning.chainKey(graph, layers: chain.flatMap { $0 }, isa: isa, l2Bytes: options.l2Bytes,
                                                threads: options.threads)
                if options.tuning[key]?.chained == false { return chain.map { [$0] } }
                guard let threshold = options.tuning[key]?.splitBelowBytes else { return [chain] }
                var pieces: [[[Int]]] = [[chain[0]]]
                for member in chain.dropFirst() {
                    if Self.linkBytes(graph, after: pieces[pieces.count - 1].last!.last!) < threshold {
                        pieces.append([member])
                    } else {
                        pieces[pieces.count - 1].append(member)
                    }
                }
                return pieces
            }
        }
        let stepLayers = chains.map { $0.flatMap { $0 } }
        var chainHead = [Int: Int]()                         // layer -> first layer of its chain
        for chain in chains where chain.count > 1 { for member in chain { for l in member { chainHead[l] = chain[0][0] } } }

        // A fused add that is its identity's last reader writes its sum over the identity
        // (in place): each output element is the identity element its epilogue has just read,
        // and the step writes into lines it reads anyway instead of a fresh tensor (on a
        // 112×112 map, 0.8–3 MB of read-for-ownership from L3).
        for (p, i) in fusedAdd.sorted(by: { $0.key < $1.key }) {
            let layer = graph.layers[i]
            let branch = layer.inputs[0], identity = layer.inputs[1]
            let r = root(identity)
            // Every value kept in that storage must be read for the last time by now, and not
            // by the convolution itself (a 1×1 reads a row's inputs again for each panel of
            // outputs, a depthwise its neighbours): nothing in that storage may be its input.
            // In a chain run by several threads, a thread's first band reads the chain's input
            // rows just above its share, which the thread before may already have overwritten.
            let sharing = graph.values.indices.filter { root($0) == r }
            var racing = false
            if options.threads > 1, let head = chainHead[p] { racing = sharing.contains(graph.layers[head].inputs[0]) }
            if options.addInPlace, !racing, !sharing.contains(graph.input), !sharing.contains(graph.output),
               storage[branch] == branch,
               !graph.layers[p].inputs.contains(where: sharing.contains),
               graph.values[identity] == graph.values[branch],
               sharing.allSatisfy({ v in consumers[v].allSatisfy { $0 <= i } }) {
                storage[branch] = r
            }
            storage[layer.output] = storage[branch]
        }

        // Storage lifetimes in step indices; a chain's intermediates live in its band buffers.
        var first = [Int: Int](), last = [Int: Int]()
        func touch(_ v: ValueID, _ step: Int) {
            let r = root(v)
            first[r] = min(first[r] ?? step, step)
            last[r] = max(last[r] ?? step, step)
        }
        touch(graph.input, -1)
        for (s, layers) in stepLayers.enumerated() {
            let inside = Set(layers.dropLast().map { graph.layers[$0].output })
            for li in layers {
                for v in graph.layers[li].inputs where !inside.contains(v) { touch(v, s) }
                if !inside.contains(graph.layers[li].output) { touch(graph.layers[li].output, s) }
            }
        }
        // The input stays intact for the next run, and the output is read after the last step.
        touch(graph.input, stepLayers.count)
        touch(graph.output, stepLayers.count)
        let roots = first.keys.sorted()
        let stride = { (v: ValueID) in roundUp(graph.values[v].channels, 4) }
        let requests = roots.map { r in
            ArenaPlanner.Request(floats: graph.values[r].pixels * stride(r), firstStep: first[r]!, lastStep: last[r]!)
        }
        let (offsets, arenaFloats) = ArenaPlanner.place(requests)
        var rootOffset = [Int: Int]()
        for (r, o) in zip(roots, offsets) { rootOffset[r] = o }
        let arena = AlignedBuffer(count: arenaFloats)
        func location(_ v: ValueID) -> TensorLocation {
            TensorLocation(offset: rootOffset[root(v)]!, stride: stride(v), shape: graph.values[v])
        }

        // 3. Kernels and packed weights per step.
        var maxZeroRow = 0
        for layer in graph.layers {
            if case let .convolution(conv) = layer.operation, conv.isDepthwise {
                maxZeroRow = max(maxZeroRow, graph.values[layer.inputs[0]].width * stride(layer.inputs[0]))
            }
        }
        let zeros = AlignedBuffer(count: max(maxZeroRow, 1))
        var builder = StepBuilder(kernels: kernels, arena: arena.pointer, zeros: zeros.pointer)
        if !options.tuning.isEmpty {
            for (i, layer) in graph.layers.enumerated() {
                guard case let .convolution(conv) = layer.operation,
                      let key = KernelTuning.key(conv, input: graph.values[layer.inputs[0]], isa: kernels.isa),
                      let choice = options.tuning[key] else { continue }
                builder.tuned[i] = choice
            }
        }
        var steps: [PlanStep] = []
        /// The add or activation fused into a step of two layers.
        func fused(_ layers: [Int]) -> (residual: (location: TensorLocation, channels: Int, activation: Activation)?, then: Nonlinearity?) {
            guard layers.count == 2 else { return (nil, nil) }
            switch graph.layers[layers[1]].operation {
            case let .shortcutAdd(add): return ((location(graph.layers[layers[1]].inputs[1]), add.addedChannels, add.activation), nil)
            case let .nonlinearity(n): return (nil, n)
            default: return (nil, nil)
            }
        }
        for chain in chains {
            let layers = chain.flatMap { $0 }
            let names = layers.map { graph.layers[$0].name }.joined(separator: "+")
            let ops = layers.map { graph.layers[$0].operation.opName }.joined(separator: "+")
            if chain.count > 1 {
                var members: [ChainMember] = []
                for member in chain {
                    let layer = graph.layers[member[0]]
                    guard case let .convolution(conv) = layer.operation else { throw PlanError("layer '\(layer.name)': only convolutions chain") }
                    let x = layer.inputs[0], y = graph.layers[member.last!].output
                    let (residual, then) = fused(member)
                    members.append(try builder.convolutionRows(conv, name: layer.name, layer: member[0],
                                                               inputShape: graph.values[x], inputStride: stride(x),
                                                               outputShape: graph.values[y], outputStride: stride(y),
                                                               residual: residual, then: then))
                }
                let head = graph.layers[layers[0]].inputs[0], tail = graph.layers[layers.last!].output
                let (made, layout) = builder.rowBandChain(members, input: location(head), output: location(tail),
                                                          maxParts: options.threads * options.partsPerThread,
                                                          budgetBytes: options.bandBufferBytes)
                let unfused = chain.map { stepCounts(graph, $0).bytes }.reduce(0, +)
                steps.append(PlanStep(name: names, op: ops, kernel: made.kernel, layers: layers,
                                      counts: chainCounts(graph, chain), parallelism: max(1, made.parallelism), run: made.run,
                                      chain: ChainSummary(members: chain.count, bandRows: layout.bandRows,
                                                          bufferBytes: layout.bufferBytes, unfusedBytes: unfused)))
                continue
            }
            let layer = graph.layers[layers[0]]
            var counts = stepCounts(graph, layers)
            let (residual, then) = fused(layers)
            let inputs = layer.inputs.map(location)
            let output = location(layer.output)
            let made: (kernel: String, parallelism: Int, run: (Int, Int) -> Void)
            switch layer.operation {
            case let .convolution(conv):
                made = try builder.convolution(conv, name: layer.name, layer: layers[0], input: inputs[0], output: output,
                                               residual: residual, then: then)
            case let .shortcutAdd(add):
                made = builder.shortcutAdd(add, branch: inputs[0], identity: inputs[1], output: output)
            case .globalAveragePool:
                made = builder.globalAveragePool(input: inputs[0], output: output)
            case let .fullyConnected(fc):
                made = builder.fullyConnected(fc, input: inputs[0], output: output)
            case let .channelSlice(start, _):
                made = builder.channelCopy(inputs: [(inputs[0], start)], output: output)
            case .concat:
                made = builder.channelCopy(inputs: inputs.map { ($0, 0) }, output: output)
            case let .squeezeExcite(se):
                made = builder.squeezeExciteGate(se, pooled: inputs[0], output: output)
            case let .nonlinearity(n):
                made = builder.nonlinearity(n, input: inputs[0], output: output)
            case let .maxPool(pool):
                made = builder.maxPool(pool, input: inputs[0], output: output)
            case .channelScale:
                if let c = foldedScale[layers[0]], case let .convolution(conv) = graph.layers[c].operation {
                    made = builder.channelScaleIntoWeights(of: conv, layer: c, factors: inputs[1])
                    // It reads and writes the weights (and the factors), not the tensor.
                    counts.inputBytes = 4 * (conv.weights.count + conv.inputChannels)
                    counts.outputBytes = 4 * conv.weights.count
                } else {
                    made = builder.channelScale(input: inputs[0], factors: inputs[1], output: output)
                }
            }
            steps.append(PlanStep(name: names, op: ops, kernel: made.kernel, layers: layers, counts: counts,
                                  parallelism: max(1, made.parallelism), run: made.run))
        }
        return Plan(name: graph.name, options: options, kernels: kernels, steps: steps,
                    layerNames: graph.layers.map(\.name), layerOps: graph.layers.map(\.operation.opName),
                    layerCounts: graph.layerCounts, arena: arena, zeros: zeros,
                    input: location(graph.input), output: location(graph.output),
                    packedWeights: builder.packed, packedWeightBytes: builder.packedBytes)
    }

    /// Counts of a chain: those of its steps, less the traffic of the intermediates between
    /// them (written into and read from band buffers in cache, not memory).
    static func chainCounts(_ graph: Graph, _ chain: [[Int]]) -> LayerCounts {
        var c = chain.map { stepCounts(graph, $0) }.reduce(LayerCounts(), +)
        for member in chain.dropLast() {
            let bytes = graph.values[graph.layers[member.last!].output].bytes
            c.outputBytes -= bytes
            c.inputBytes -= bytes
        }
        return c
    }

    /// Chains of member steps (each a convolution with its fused add or activation) for
    /// depth-first execution: consecutive convolution steps where each one's output is read
    /// only by the next, at least `chainLinkBytes` large. Other steps are chains of one.
    static func chains(_ graph: Graph, _ steps: [[Int]], consumers: [[Int]], options: PlanOptions) -> [[[Int]]] {
        func chainable(_ step: [Int]) -> Bool {
            guard case let .convolution(conv) = graph.layers[step[0]].operation else { return false }
            return conv.isPointwise || conv.groups == 1
                || (conv.isDepthwise && conv.kernelHeight == conv.kernelWidth && conv.strideHeight == conv.strideWidth)
        }
        func links(_ a: [Int], _ b: [Int]) -> Bool {
            guard chainable(a), chainable(b) else { return false }
            let v = graph.layers[a.last!].output
            guard v != graph.output, consumers[v] == [b[0]], graph.layers[b[0]].inputs[0] == v else { return false }
            return linkBytes(graph, after: a.last!) >= options.chainLinkBytes
        }
        var result: [[[Int]]] = []
        for step in steps {
            if let chain = result.last, links(chain.last!, step) {
                result[result.count - 1].append(step)
            } else {
                result.append([step])
            }
        }
        return result
    }

    /// The bytes of a layer's output as the arena holds it (channels padded to 4): what a chain
    /// keeps in bands when it links that layer to the next.
    static func linkBytes(_ graph: Graph, after layer: Int) -> Int {
        let shape = graph.values[graph.layers[layer].output]
        return shape.pixels * roundUp(shape.channels, 4) * 4
    }

    /// Counts of a step: those of its layers, less the traffic of the fused second layer (a
    /// shortcut add's branch, kept in registers; an activation's pass, on data still in cache).
    static func stepCounts(_ graph: Graph, _ layers: [Int]) -> LayerCounts {
        var c = layers.map { graph.counts(of: $0) }.reduce(LayerCounts(), +)
        if layers.count == 2 {
            let add = graph.counts(of: layers[1])
            c.inputBytes -= add.inputBytes
            c.outputBytes -= add.outputBytes
        }
        return c
    }
}

/// Balanced split of [0, n) into `parts` chunks aligned to `align`.
@inline(__always)
func chunk(_ n: Int, part: Int, parts: Int, align: Int = 1) -> Range<Int> {
    if parts <= 1 { return 0..<n }
    let units = (n + align - 1) / align
    let start = min(n, units * part / parts * align)
    let end = min(n, units * (part + 1) / parts * align)
    return start..<end
}
