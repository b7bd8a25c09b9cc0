import SandglassEngine
import SandglassKernels
import XCTest

/// The planned, fused, multi-threaded engine against the reference executor (unfolded
/// BatchNorm, scalar kernels), and the engine's own invariants: fused and separate adds agree,
/// α = 1 is the full residual, outputs are deterministic for a seed.
final class WholeNetworkTests: XCTestCase {
    func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        var e: Float = 0, m: Float = 0
        for (x, y) in zip(a, b) { e = max(e, abs(x - y)); m = max(m, abs(y)) }
        return a.count == b.count ? e / max(m, 1e-30) : .infinity
    }

    func output(_ graph: Graph, isa: ISA? = nil, add: AddMode = .fused, threads: Int = 1, partsPerThread: Int = 1,
                foldChannelScale: Bool = true, fuseNonlinearity: Bool = true, input: [Float]) throws -> [Float] {
        let plan = try Planner.plan(graph, options: PlanOptions(isa: isa, addMode: add, threads: threads, partsPerThread: partsPerThread,
                                                                foldChannelScale: foldChannelScale, fuseNonlinearity: fuseNonlinearity))
        try plan.setInput(input, nchw: false)
        let executor = Executor(plan: plan)
        executor.run()
        let first = plan.readOutput(nchw: false)
        executor.run()   // a second run must give the same answer (no state leaks between runs)
        XCTAssertEqual(plan.readOutput(nchw: false), first)
        return first
    }

    func input(for graph: Graph, seed: UInt64 = 1) -> [Float] {
        var r = SeededRandom(seed: seed)
        return r.uniform(-1, 1, count: graph.inputShape.elements)
    }

    /// A fused add writes over its identity only where it is the identity's last reader: here A is
    /// the identity of two adds, so the first must leave it intact and the second may overwrite
    /// it; the third add's convolution reads its own identity (z), so its sum may not go there
    /// (a 1×1 reads a row's inputs again for every panel of outputs). Against the reference
    /// executor with the in-place rule on and off, and the rule saves one tensor of arena.
    func testFusedAddOverwritesItsIdentityOnlyAfterItsLastReader() throws {
        var r = SeededRandom(seed: 11)
        func pointwise(_ c: Int, _ activation: Activation = .none) -> Convolution {
            Convolution(inputChannels: c, outputChannels: c, kernel: 1, stride: 1, padding: 0,
                        weights: r.uniform(-0.3, 0.3, count: c * c), bias: r.uniform(-0.1, 0.1, count: c),
                        activation: activation)
        }
        var g = GraphBuilder(name: "two-adds")
        let x = try g.addInput(TensorShape(height: 9, width: 11, channels: 24))
        let a = try g.convolution("a", x, pointwise(24, .relu6))
        let b = try g.convolution("b", a, pointwise(24))
        let y = try g.shortcutAdd("add1", branch: b, identity: a, addedChannels: 24)
        let c = try g.convolution("c", y, pointwise(24))
        let z = try g.shortcutAdd("add2", branch: c, identity: a, addedChannels: 10)
        let e = try g.convolution("e", z, Convolution(inputChannels: 24, outputChannels: 24, kernel: 1, stride: 1, padding: 0,
                                                      weights: r.uniform(-0.3, 0.3, count: 24 * 24), bias: nil))
        let f = try g.shortcutAdd("add3", branch: e, identity: z, addedChannels: 24)
        let d = try g.convolution("d", f, pointwise(24, .relu))
        let graph = try g.build(output: d)
        let input = self.input(for: graph)
        let expected = ReferenceExecutor.run(graph, input: input)
        var arena: [Bool: Int] = [:]
        for inPlace in [true, false] {
            for threads in [1, 2] {
                let plan = try Planner.plan(graph, options: PlanOptions(threads: threads, addInPlace: inPlace))
                XCTAssertEqual(plan.steps.filter { $0.op.hasSuffix("+add") }.count, 3, "every add fused")
                arena[inPlace] = plan.arenaBytes
                try plan.setInput(input, nchw: false)
                let executor = Executor(plan: plan)
                executor.run()
                XCTAssertLessThan(relativeError(plan.readOutput(nchw: false), expected), 1e-5, "in place \(inPlace), \(threads) threads")
                executor.run()
                XCTAssertLessThan(relativeError(plan.readOutput(nchw: false), expected), 1e-5, "second run, in place \(inPlace)")
            }
        }
        XCTAssertLessThan(arena[true] ?? 0, arena[false] ?? 0, "the second add's sum takes the identity's storage")
    }

    func testEngineMatchesReferenceExecutor() throws {
        let cases: [(Architecture, Double, String, Int)] = [
            (.mobilenext, 1.0, "1/2", 64), (.mobilenext, 0.35, "1/3", 48), (.mobilenext, 1.4, "1/3", 40),
            (.mobilenetv2, 1.0, "1", 64), (.mobilenetv2, 0.5, "1/2", 56),
        ]
        for (arch, width, alpha, resolution) in cases {
            let graph = try ModelSpec(architecture: arch, width: width, alpha: IdentityMultiplier(parsing: alpha),
                                      resolution: resolution, seed: 7).build()
            let x = input(for: graph)
            let expected = ReferenceExecutor.run(graph, input: x)
            for isa in ISASelection.available {
                for add in AddMode.allCases {
                    for threads in [1, 2] {
                        let y = try output(graph, isa: isa, add: add, threads: threads, input: x)
                        XCTAssertLessThan(relativeError(y, expected), 1e-4,
                                          "\(graph.name) isa=\(isa) add=\(add) threads=\(threads)")
                    }
                }
            }
        }
    }

    /// MobileNeXt with squeeze-and-excite: its channel scale taken into the next 1×1 convolution's
    /// weights (where they are smaller than the tensor) or applied to the tensor, against the
    /// reference executor; at 64×64 width 0.5 both kinds of step occur in one plan.
    func testSqueezeExciteScaleFoldedOrNotMatchesReference() throws {
        let graph = try ModelSpec(architecture: .mobilenextSE, width: 0.5, alpha: IdentityMultiplier(parsing: "1/2"),
                                  resolution: 64, seed: 5).build()
        let x = input(for: graph)
        let expected = ReferenceExecutor.run(graph, input: x)
        for fold in [true, false] {
            let kernels = try Planner.plan(graph, options: PlanOptions(foldChannelScale: fold)).steps
                .filter { $0.op == "scale" }.map(\.kernel)
            XCTAssertEqual(kernels.count, 15)
            let folded = kernels.filter { $0 == "f32_gemm_scale_input_rows" }.count
            if fold {
                XCTAssertGreaterThan(folded, 0, "the early, large tensors are scaled through the weights")
                XCTAssertLessThan(folded, 15, "the late 2x2 tensors are smaller than their weights: scaled as tensors")
            } else {
                XCTAssertEqual(folded, 0)
            }
            for isa in ISASelection.available {
                for threads in [1, 2] {
                    let y = try output(graph, isa: isa, threads: threads, foldChannelScale: fold, input: x)
                    XCTAssertLessThan(relativeError(y, expected), 1e-4, "fold=\(fold) isa=\(isa) threads=\(threads)")
                }
            }
        }
    }

    /// Activations that are not clamps after every kind of convolution step — a direct 3×3 conv
    /// (rows), 1×1 convs split by rows and by column panels, depthwise convs split by rows and by
    /// channel groups, the classifier — run inside the convolution's step or as their own, 1 to 3
    /// threads, against the reference executor.
    func testNonlinearitiesInsideAndAfterTheirConvolutions() throws {
        var w = SeededRandom(seed: 9)
        func conv(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, groups: Int = 1) -> Convolution {
            Convolution(inputChannels: cin, outputChannels: cout, kernel: k, stride: stride, padding: k / 2, groups: groups,
                        weights: w.uniform(-0.4, 0.4, count: cout * (cin / groups) * k * k), bias: w.uniform(-0.2, 0.2, count: cout))
        }
        var g = GraphBuilder(name: "activations")
        var x = try g.addInput(TensorShape(height: 30, width: 22, channels: 3))
        x = try g.nonlinearity("a1", try g.convolution("stem", x, conv(3, 20, k: 3, stride: 2)), .silu)          // 15x11: rows
        x = try g.nonlinearity("a2", try g.convolution("dw1", x, conv(20, 20, k: 5, groups: 20)), .hardSwish)   // dw by rows
        x = try g.nonlinearity("a3", try g.convolution("pw1", x, conv(20, 37, k: 1)), .sigmoid)                 // 165 px: rows
        x = try g.convolution("dw2", x, conv(37, 37, k: 3, stride: 2, groups: 37))                               // 8x6
        x = try g.nonlinearity("a4", x, .hardSigmoid(alpha: 0.25, beta: 0.4))                                    // dw by channels
        x = try g.nonlinearity("a5", try g.convolution("pw2", x, conv(37, 70, k: 1)), .silu)                    // 48 px: panels
        x = try g.globalAveragePool("pool", x)
        x = try g.fullyConnected("fc", x, FullyConnected(inputs: 70, outputs: 10, weights: w.uniform(-0.3, 0.3, count: 700),
                                                         bias: w.uniform(-0.1, 0.1, count: 10)))
        x = try g.nonlinearity("a6", x, .hardSwish)
        let graph = try g.build(output: x)
        let input = self.input(for: graph)
        let expected = ReferenceExecutor.run(graph, input: input)
        let fusedSteps = try Planner.plan(graph).steps.filter { $0.op.contains("+") }.map(\.op)
        XCTAssertEqual(fusedSteps, ["conv3x3s2+silu", "dwconv5x5s1+hardswish", "conv1x1+sigmoid", "dwconv3x3s2+hardsigmoid",
                                    "conv1x1+silu"])
        for fuse in [true, false] {
            for isa in ISASelection.available {
                for threads in [1, 2, 3] {
                    let y = try output(graph, isa: isa, threads: threads, fuseNonlinearity: fuse, input: input)
                    XCTAssertLessThan(relativeError(y, expected), 1e-5, "fuse=\(fuse) isa=\(isa) threads=\(threads)")
                }
            }
        }
    }

    func testFusedAndSeparateAddsAgreeAt224() throws {
        for arch in Architecture.allCases {
            for alpha in ["1", "1/2", "1/6"] {
                let graph = try ModelSpec(architecture: arch, alpha: IdentityMultiplier(parsing: alpha), seed: 3).build()
                let x = input(for: graph)
                let fused = try output(graph, add: .fused, input: x)
                let separate = try output(graph, add: .separate, input: x)
                XCTAssertLessThan(relativeError(fused, separate), 1e-5, "\(graph.name)")
                XCTAssertGreaterThan(fused.map(abs).max()!, 0, "output is all zeros")
            }
        }
    }

    func testAlphaOneIsTheFullResidual() throws {
        let graph = try ModelSpec(architecture: .mobilenext, alpha: .one, resolution: 64, seed: 5).build()
        var adds = 0
        for layer in graph.layers {
            if case let .shortcutAdd(add) = layer.operation {
                XCTAssertEqual(add.addedChannels, graph.values[layer.output].channels)
                adds += 1
            }
        }
        XCTAssertEqual(adds, 12)
        let x = input(for: graph)
        let engine = try output(graph, input: x)
        let reference = ReferenceExecutor.run(graph, input: x)
        XCTAssertLessThan(relativeError(engine, reference), 1e-4)
        // α = 1/2 must differ from α = 1 (the add really is partial).
        let half = try ModelSpec(architecture: .mobilenext, alpha: IdentityMultiplier(parsing: "1/2"), resolution: 64, seed: 5).build()
        XCTAssertGreaterThan(relativeError(try output(half, input: x), engine), 1e-3)
    }

    /// Steps name the kernel variant that runs: the 7-wide stride-1 depthwise layers of a
    /// 224 network run f32_dwconv3x3_s1_w7, the wider ones the general kernel.
    func testStepsNameTheDepthwiseVariantThatRuns() throws {
        let graph = try ModelSpec(architecture: .mobilenext, width: 0.5, resolution: 224).build()
        let plan = try Planner.plan(graph)
        let dw = plan.steps.filter { $0.op.hasPrefix("dwconv3x3s1") }
        let isa = plan.isa.rawValue
        for step in dw {
            let width = graph.values[graph.layers[step.layers[0]].output].width
            XCTAssertEqual(step.kernel, width == 7 ? "f32_dwconv3x3_s1_w7__\(isa)" : "f32_dwconv3x3_s1__\(isa)", step.name)
        }
        XCTAssertTrue(dw.contains { $0.kernel.contains("_w7__") } && dw.contains { !$0.kernel.contains("_w7__") })
    }

    func testDeterministicForSeed() throws {
        let a = try ModelSpec(architecture: .mobilenext, width: 0.5, resolution: 96, seed: 11).build()
        let b = try ModelSpec(architecture: .mobilenext, width: 0.5, resolution: 96, seed: 11).build()
        let c = try ModelSpec(architecture: .mobilenext, width: 0.5, resolution: 96, seed: 12).build()
        let x = input(for: a)
        let ya = try output(a, input: x), yb = try output(b, input: x), yc = try output(c, input: x)
        XCTAssertEqual(ya, yb)
        XCTAssertNotEqual(ya, yc)
        // Threads split rows and panels without changing any sum's order: bit-identical, also
        // when parts outnumber threads and are taken dynamically.
        XCTAssertEqual(try output(a, threads: 2, input: x), ya)
        XCTAssertEqual(try output(a, threads: 2, partsPerThread: 4, input: x), ya)
        XCTAssertEqual(try output(a, add: .separate, threads: 3, partsPerThread: 3, input: x), try output(a, add: .separate, input: x))
    }
}
