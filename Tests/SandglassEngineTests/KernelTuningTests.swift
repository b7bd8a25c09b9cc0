import SandglassEngine
import SandglassKernels
import XCTest

/// The engine's half of per-machine tuning (KernelTuning.swift): which shapes are tunable, what
/// their candidates are, and that a plan applying any candidate computes what the built-in plan
/// computes, on awkward shapes (column counts no panel width divides, maps of odd sizes).
final class KernelTuningTests: XCTestCase {
    func graph() throws -> Graph {
        var w = RandomConvolutions(seed: 9)
        func conv(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, groups: Int = 1, _ activation: Activation = .none) -> Convolution {
            w.conv(cin, cout, k: k, stride: stride, groups: groups, activation)
        }
        var g = GraphBuilder(name: "tunable")
        var x = try g.addInput(TensorShape(height: 67, width: 45, channels: 20))
        x = try g.convolution("expand", x, conv(20, 100, k: 1, .relu6))                  // m 3015, n 100: 64+32+4
        x = try g.convolution("dw", x, conv(100, 100, k: 3, stride: 2, groups: 100, .relu6))   // 34×23×100
        x = try g.convolution("dw5", x, conv(100, 100, k: 5, groups: 100))
        x = try g.convolution("project", x, conv(100, 72, k: 1))                          // n 72
        x = try g.convolution("again", x, conv(72, 72, k: 1, .relu))                       // same n, other k
        return try g.build(output: x)
    }

    func testTunableShapesHaveTheBuiltInChoiceFirstAndOneKeyEach() throws {
        let g = try graph()
        for isa in ISASelection.available {
            let layers = try KernelTuning.tunableLayers(g, isa: isa)
            XCTAssertEqual(Set(layers.map(\.key)).count, layers.count, "one entry per key")
            XCTAssertTrue(layers.contains { $0.layerName == "expand" && $0.key.contains("f32_gemm m=3015 k=20 n=100") },
                          "\(layers.map(\.key))")
            for layer in layers {
                XCTAssertTrue(layer.key.hasPrefix(isa.rawValue + " "), layer.key)
                XCTAssertTrue(layer.candidates[0].isDefault, "\(layer.key): the built-in choice comes first")
                XCTAssertGreaterThan(layer.candidates.count, 1)
                XCTAssertEqual(Set(layer.candidates).count, layer.candidates.count, "no candidate twice")
            }
        }
    }

    func testEveryCandidateComputesWhatTheBuiltInPlanComputes() throws {
        let g = try graph()
        var random = SeededRandom(seed: 4)
        let input = random.uniform(-1, 1, count: g.inputShape.elements)
        let reference = ReferenceExecutor.run(g, input: input)
        for isa in ISASelection.available {
            func run(_ table: TuningTable, threads: Int = 1) throws -> (Plan, [Float]) {
                let plan = try Planner.plan(g, options: PlanOptions(isa: isa, threads: threads, fusion: .none, tuning: table))
                try plan.setInput(input, nchw: false)
                Executor(plan: plan).run()
                return (plan, plan.readOutput(nchw: false))
            }
            let (builtInPlan, builtIn) = try run(TuningTable())
            var e: Float = 0
            for (a, b) in zip(builtIn, reference) { e = max(e, abs(a - b)) }
            XCTAssertLessThan(e, 1e-3, "\(isa): the built-in plan against the reference")
            for layer in try KernelTuning.tunableLayers(g, isa: isa) {
                for choice in layer.candidates.dropFirst() {
                    for threads in [1, 2] {
                        let (plan, y) = try run(TuningTable([layer.key: choice]), threads: threads)
                        // Same sums in the same order: bit for bit what the built-in plan gives.
                        XCTAssertEqual(y, builtIn, "\(isa) \(layer.key) \(choice) threads=\(threads)")
                        if choice.gemmMaxPanelWidth != nil {
                            let step = plan.steps.first { $0.name == layer.layerName }!
                            let before = builtInPlan.steps.first { $0.name == layer.layerName }!
                            XCTAssertNotEqual(step.kernel, before.kernel, "a narrower panel kernel shows in the step's name")
                        }
                    }
                }
            }
        }
    }

    /// With fusion, the chains the planner forms are tunable too: run chained (built-in) or
    /// layer by layer. A small L2 makes this small graph chain.
    func testAChainTunedLayerByLayerSplitsAndComputesTheSame() throws {
        let g = try graph()
        var random = SeededRandom(seed: 5)
        let input = random.uniform(-1, 1, count: g.inputShape.elements)
        let options = PlanOptions(fusion: .auto, l2Bytes: 16 * 1024)
        let chains = try KernelTuning.tunableLayers(g, options: options).filter { $0.key.contains(" chain ") }
        XCTAssertFalse(chains.isEmpty, "the small L2 chains these maps")
        XCTAssertTrue(try KernelTuning.tunableLayers(g, options: PlanOptions(fusion: .none, l2Bytes: 16 * 1024))
            .allSatisfy { !$0.key.contains(" chain ") }, "no chains without fusion")
        func run(_ o: PlanOptions) throws -> (Plan, [Float]) {
            let plan = try Planner.plan(g, options: o)
            try plan.setInput(input, nchw: false)
            Executor(plan: plan).run()
            return (plan, plan.readOutput(nchw: false))
        }
        let (builtInPlan, builtIn) = try run(options)
        for chain in chains {
            XCTAssertEqual(chain.candidates, [TunedChoice(), TunedChoice(chained: false)])
            // Decided in the network: the chain is a step of the built-in plan, named as the tunable.
            guard case .inNetwork = chain.trial else { return XCTFail("\(chain.key) is timed alone") }
            let step = try XCTUnwrap(builtInPlan.steps.first { $0.name == chain.layerName }, chain.layerName)
            let members = try XCTUnwrap(step.chain?.members)
            var split = options
            split.tuning = TuningTable([chain.key: TunedChoice(chained: false)])
            let (plan, y) = try run(split)
            XCTAssertEqual(plan.steps.count, builtInPlan.steps.count + members - 1)
            XCTAssertFalse(plan.steps.contains { $0.name == chain.layerName }, "the chain \(chain.layerName) is split")
            var e: Float = 0, m: Float = 0
            for (a, b) in zip(y, builtIn) { e = max(e, abs(a - b)); m = max(m, abs(b)) }
            XCTAssertLessThanOrEqual(e / max(m, 1e-30), 1e-6, chain.key)
        }
    }

    /// A chain may be split at its smaller links instead: the pieces meet exactly where an
    /// intermediate is under the threshold, a piece is still a chain, and the result is the same.
    /// L2 of 240 KiB links every layer here (at 120 KiB); the thresholds 240 and 480 KiB cut the
    /// 225 KiB link, then the 312 KiB ones too, keeping the 1.2 MB one.
    func testAChainTunedToSplitCutsItsSmallLinksOnlyAndComputesTheSame() throws {
        let g = try graph()
        var random = SeededRandom(seed: 6)
        let input = random.uniform(-1, 1, count: g.inputShape.elements)
        let options = PlanOptions(fusion: .auto, l2Bytes: 240 * 1024)
        func run(_ o: PlanOptions) throws -> (Plan, [Float]) {
            let plan = try Planner.plan(g, options: o)
            try plan.setInput(input, nchw: false)
            Executor(plan: plan).run()
            return (plan, plan.readOutput(nchw: false))
        }
        func bytes(_ layer: Int) -> Int {
            let shape = g.values[g.layers[layer].output]
            return shape.pixels * ((shape.channels + 3) / 4 * 4) * 4
        }
        let (builtInPlan, builtIn) = try run(options)
        let chain = try XCTUnwrap(try KernelTuning.tunableLayers(g, options: options).first { $0.key.contains(" chain ") })
        let chainLayers = Set(try XCTUnwrap(builtInPlan.steps.first { $0.name == chain.layerName }).layers)
        XCTAssertEqual(chainLayers.count, g.layers.count, "one chain of every layer")
        XCTAssertEqual(chain.candidates.compactMap(\.splitBelowBytes), [240 * 1024, 480 * 1024])
        for threshold in chain.candidates.compactMap(\.splitBelowBytes) {
            var split = options
            split.tuning = TuningTable([chain.key: TunedChoice(splitBelowBytes: threshold)])
            let (plan, y) = try run(split)
            let pieces = plan.steps.filter { !chainLayers.isDisjoint(with: $0.layers) }
            XCTAssertGreaterThan(pieces.count, 1, "split below \(threshold)")
            XCTAssertTrue(pieces.contains { $0.chain != nil }, "a piece is still a chain")
            for (a, _) in zip(pieces, pieces.dropFirst()) {
                XCTAssertLessThan(bytes(a.layers.last!), threshold, "cut at \(a.name)")
            }
            for piece in pieces {
                for l in piece.layers.dropLast() { XCTAssertGreaterThanOrEqual(bytes(l), threshold, "kept inside \(piece.name)") }
            }
            var e: Float = 0, m: Float = 0
            for (a, b) in zip(y, builtIn) { e = max(e, abs(a - b)); m = max(m, abs(b)) }
            XCTAssertLessThanOrEqual(e / max(m, 1e-30), 1e-6, "split below \(threshold)")
        }
    }

    func testPanelPlanRespectsTheTunedWidth() throws {
        let kernels = try ISASelection.kernels()
        let widths = kernels.gemmPanels.map(\.width)
        for n in [1, 7, 24, 72, 100, 255] {
            for maxWidth in widths {
                let plan = PackedGEMMWeights.panelPlan(n: n, kernels: kernels.gemmPanels, maxWidth: maxWidth)
                XCTAssertEqual(plan.first?.column, 0)
                XCTAssertGreaterThanOrEqual(plan.map(\.width).reduce(0, +), n, "every column is covered")
                for (a, b) in zip(plan, plan.dropFirst()) { XCTAssertEqual(a.column + a.width, b.column) }
                XCTAssertTrue(plan.allSatisfy { $0.width <= max(maxWidth, widths.last!) }, "n=\(n) ≤\(maxWidth): \(plan)")
            }
        }
    }

    func testATableAppliesOnlyToItsOwnShape() throws {
        let g = try graph()
        let layers = try KernelTuning.tunableLayers(g)
        let expand = try XCTUnwrap(layers.first { $0.layerName == "expand" })
        let narrow = try XCTUnwrap(expand.candidates.first { $0.gemmMaxPanelWidth != nil })
        let tuned = try Planner.plan(g, options: PlanOptions(fusion: .none, tuning: TuningTable([expand.key: narrow])))
        let builtIn = try Planner.plan(g, options: PlanOptions(fusion: .none))
        for (a, b) in zip(tuned.steps, builtIn.steps) where a.name != "expand" {
            XCTAssertEqual(a.kernel, b.kernel, "\(a.name) has no entry and keeps its kernels")
        }
        XCTAssertNotEqual(tuned.steps[0].kernel, builtIn.steps[0].kernel)
    }
}
