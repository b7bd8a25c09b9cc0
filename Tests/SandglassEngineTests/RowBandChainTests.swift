import SandglassEngine
import SandglassKernels
import XCTest

/// Depth-first chains (RowBandChain.swift) against the reference executor and against the same
/// plan layer by layer. A small L2 makes the planner chain the small maps of a test graph the
/// way it chains 112×112 maps with a real L2.
final class RowBandChainTests: XCTestCase {
    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        var e: Float = 0, m: Float = 0
        for (x, y) in zip(a, b) { e = max(e, abs(x - y)); m = max(m, abs(y)) }
        return a.count == b.count ? e / max(m, 1e-30) : .infinity
    }

    /// Odd map sizes, every kind of chain member — the direct stem, 1×1 by GEMM, depthwise 3×3 and
    /// 5×5 at stride 1 and 2, activations inside steps, a fused add whose identity is the chain's
    /// input — so bands end mid-map, halos are clipped at both edges, and windows carry rows.
    func chainGraph() throws -> Graph {
        var w = RandomConvolutions(seed: 21)
        func conv(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, groups: Int = 1, _ activation: Activation = .none) -> Convolution {
            w.conv(cin, cout, k: k, stride: stride, groups: groups, activation)
        }
        var g = GraphBuilder(name: "chains")
        var x = try g.addInput(TensorShape(height: 61, width: 35, channels: 3))
        x = try g.nonlinearity("a0", try g.convolution("stem", x, conv(3, 16, k: 3, stride: 2)), .hardSwish)     // 31×18
        x = try g.convolution("dw0", x, conv(16, 16, k: 3, groups: 16, .relu))
        let block = x
        x = try g.convolution("expand", x, conv(16, 52, k: 1, .relu6))
        x = try g.convolution("dw1", x, conv(52, 52, k: 3, groups: 52, .relu6))
        x = try g.convolution("project", x, conv(52, 16, k: 1))
        x = try g.shortcutAdd("add", branch: x, identity: block, addedChannels: 10)
        // A second block reads that sum twice, so the chain above ends in the add, written in
        // place over its identity, which the chain's first layer reads (the race of threads).
        let block2 = x
        x = try g.convolution("expand1", x, conv(16, 32, k: 1, .relu6))
        x = try g.convolution("dw4", x, conv(32, 32, k: 3, groups: 32, .relu6))
        x = try g.shortcutAdd("add2", branch: try g.convolution("project1", x, conv(32, 16, k: 1)), identity: block2, addedChannels: 16)
        x = try g.nonlinearity("a1", try g.convolution("expand2", x, conv(16, 40, k: 1)), .silu)
        x = try g.convolution("dw2", x, conv(40, 40, k: 5, stride: 2, groups: 40, .relu))                        // 16×9
        x = try g.convolution("pw2", x, conv(40, 24, k: 1))
        x = try g.nonlinearity("a2", try g.convolution("dw3", x, conv(24, 24, k: 3, stride: 2, groups: 24)), .hardSwish)  // 8×5
        x = try g.globalAveragePool("pool", x)
        return try g.build(output: x)
    }

    func run(_ graph: Graph, _ options: PlanOptions, input: [Float]) throws -> (Plan, [Float]) {
        let plan = try Planner.plan(graph, options: options)
        try plan.setInput(input, nchw: false)
        let executor = Executor(plan: plan)
        executor.run()
        let first = plan.readOutput(nchw: false)
        executor.run()   // windows and watermarks start afresh on every run
        XCTAssertEqual(plan.readOutput(nchw: false), first)
        return (plan, first)
    }

    func testChainsMatchTheReferenceAndTheLayerByLayerPlan() throws {
        let graph = try chainGraph()
        var random = SeededRandom(seed: 3)
        let input = random.uniform(-1, 1, count: graph.inputShape.elements)
        let expected = ReferenceExecutor.run(graph, input: input)
        for isa in ISASelection.available {
            for (threads, partsPerThread) in [(1, 1), (2, 1), (3, 1), (2, 4)] {
                for l2 in [16 * 1024, 64 * 1024] {
                    let options = PlanOptions(isa: isa, threads: threads, partsPerThread: partsPerThread, fusion: .auto, l2Bytes: l2)
                    let (plan, y) = try run(graph, options, input: input)
                    let chained = plan.steps.filter { $0.kernel.hasPrefix("rows×") }
                    XCTAssertFalse(chained.isEmpty, "the small L2 chains these maps")
                    XCTAssertLessThan(relativeError(y, expected), 1e-5, "isa=\(isa) threads=\(threads)×\(partsPerThread) l2=\(l2)")
                    var layerByLayer = options
                    layerByLayer.fusion = .none
                    let (unfused, z) = try run(graph, layerByLayer, input: input)
                    XCTAssertFalse(unfused.steps.contains { $0.kernel.hasPrefix("rows×") })
                    XCTAssertLessThan(relativeError(z, expected), 1e-5)
                    // A chain's analytic traffic leaves out its intermediates: less than its steps' own.
                    let chainBytes = chained.reduce(0) { $0 + $1.counts.bytes }
                    let sameLayers = Set(chained.flatMap(\.layers))
                    let unfusedBytes = unfused.steps.filter { sameLayers.isSuperset(of: $0.layers) }.reduce(0) { $0 + $1.counts.bytes }
                    XCTAssertLessThan(chainBytes, unfusedBytes)
                    XCTAssertEqual(plan.totals.madds, unfused.totals.madds)
                }
            }
        }
    }

    /// The chain from the stem through the block's add: its members in order, with the add's
    /// identity (the block's input) read from the arena while the band buffers hold the rest.
    func testChainsFollowSingleConsumerConvolutionsOnly() throws {
        let graph = try chainGraph()
        let plan = try Planner.plan(graph, options: PlanOptions(fusion: .auto, l2Bytes: 64 * 1024))
        let ops = plan.steps.map(\.op)
        XCTAssertTrue(ops.contains { $0.hasPrefix("conv3x3s2+hardswish+dwconv3x3s1") }, "\(ops)")
        // dw0's output is read twice (expand and the add): a chain ends there.
        XCTAssertFalse(ops.contains { $0.contains("dwconv3x3s1+conv1x1") && $0.hasPrefix("conv3x3s2") }, "\(ops)")
        XCTAssertTrue(ops.contains("conv1x1+dwconv3x3s1+conv1x1+add"), "\(ops)")
        // The global pool reads all rows: never in a chain.
        XCTAssertEqual(ops.last, "gavgpool")
        // With a large L2 nothing here is worth chaining.
        let big = try Planner.plan(graph, options: PlanOptions(fusion: .auto, l2Bytes: 64 << 20))
        XCTAssertFalse(big.steps.contains { $0.kernel.hasPrefix("rows×") })
    }
}
