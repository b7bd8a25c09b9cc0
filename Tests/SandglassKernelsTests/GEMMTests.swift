import SandglassKernels
import XCTest

/// The 1x1-convolution GEMM (every panel kernel of every ISA) against the scalar reference:
/// M, N and K that are not multiples of the tile sizes, a single row (the classifier), the
/// residual on the first k columns, and the clamp.
final class GEMMTests: XCTestCase {
    func check(kernels: KernelSet, m: Int, n: Int, k: Int, residual: Int = 0,
               clamp: (Float, Float) = (-.infinity, .infinity), split: Bool = false, poisonUnadded: Bool = false,
               file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRandom(seed: UInt64(m * 10007 + n * 101 + k * 7 + residual))
        let weights = rng.array(n * k)
        let bias = rng.array(n)
        let aDense = rng.array(m * k)
        var rDense = rng.array(m * n)
        // NaN in the residual's columns past the first `residual`: a partial add must not touch them.
        if poisonUnadded { for row in 0..<m { for col in residual..<n { rDense[row * n + col] = .nan } } }
        let ref = ReferenceConvolution(inputHeight: 1, inputWidth: m, inputChannels: k, outputChannels: n,
                                       kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1,
                                       padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1,
                                       weights: weights, bias: bias, minValue: clamp.0, maxValue: clamp.1)
        let expected = ref.run(aDense, residual: residual > 0 ? rDense : nil, residualChannels: residual)
        let a = StridedTensor(pixels: m, channels: k, dense: aDense)
        let c = StridedTensor(pixels: m, channels: n)
        let r = StridedTensor(pixels: m, channels: n, dense: rDense)
        let packed = PackedGEMMWeights(k: k, n: n, kernels: kernels.gemmPanels, bias: bias) { o, i in weights[o * k + i] }
        let epilogue = ConvEpilogue(minValue: clamp.0, maxValue: clamp.1,
                                    residual: residual > 0 ? UnsafePointer(r.pointer) : nil,
                                    residualStride: r.stride, residualChannels: residual)
        if split {
            // Rows split as two threads would, then panels split.
            let half = m / 2
            runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                    epilogue: epilogue, rows: 0..<half, panels: 0..<packed.panels.count)
            let p = packed.panels.count / 2
            runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                    epilogue: epilogue, rows: half..<m, panels: 0..<p)
            runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                    epilogue: epilogue, rows: half..<m, panels: p..<packed.panels.count)
        } else {
            runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                    epilogue: epilogue, rows: 0..<m, panels: 0..<packed.panels.count)
        }
        XCTAssertLessThan(relativeError(c.dense, expected), 1e-5, "\(kernels.isa) m=\(m) n=\(n) k=\(k) r=\(residual)",
                          file: file, line: line)
        XCTAssertTrue(c.paddingUntouched, "\(kernels.isa) wrote past n=\(n)", file: file, line: line)
    }

    /// The channel scale taken into the weights (f32_gemm_scale_input_rows) against the reference
    /// convolution of the scaled input, twice with other factors (each pass starts from the
    /// pristine weights, so nothing accumulates), panels split as threads split them.
    func testScaledInputRowsEqualTheScaledInput() throws {
        for kernels in try availableKernelSets() {
            for (m, n, k) in [(1, 1, 1), (7, 5, 3), (25, 13, 37), (49, 100, 16), (30, 72, 20)] {
                var rng = TestRandom(seed: UInt64(m * 31 + n * 7 + k))
                let weights = rng.array(n * k), bias = rng.array(n), aDense = rng.array(m * k)
                let packed = PackedGEMMWeights(k: k, n: n, kernels: kernels.gemmPanels, bias: bias) { o, i in weights[o * k + i] }
                let pristine = AlignedBuffer(count: packed.storage.count)
                pristine.pointer.update(from: packed.storage.pointer, count: packed.storage.count)
                let a = StridedTensor(pixels: m, channels: k, dense: aDense)
                for pass in 0..<2 {
                    let factors = rng.array(k, 0, 1)
                    let f = StridedTensor(pixels: 1, channels: k, dense: factors)
                    let half = packed.panels.count / 2
                    f32_gemm_scale_input_rows(packed, pristine: pristine.pointer, factors: f.pointer, panels: 0..<half)
                    f32_gemm_scale_input_rows(packed, pristine: pristine.pointer, factors: f.pointer,
                                              panels: half..<packed.panels.count)
                    let c = StridedTensor(pixels: m, channels: n)
                    runGEMM(kernels: kernels, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                            epilogue: ConvEpilogue(minValue: -.infinity, maxValue: .infinity), rows: 0..<m,
                            panels: 0..<packed.panels.count)
                    let scaled = referenceChannelScale(aDense, factors: factors, pixels: m, channels: k)
                    let ref = ReferenceConvolution(inputHeight: 1, inputWidth: m, inputChannels: k, outputChannels: n,
                                                   kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1,
                                                   padTop: 0, padLeft: 0, padBottom: 0, padRight: 0, groups: 1,
                                                   weights: weights, bias: bias)
                    XCTAssertLessThan(relativeError(c.dense, ref.run(scaled)), 1e-5, "\(kernels.isa) m=\(m) n=\(n) k=\(k) pass \(pass)")
                }
            }
        }
    }

    func testAwkwardShapes() throws {
        for kernels in try availableKernelSets() {
            for m in [1, 2, 7, 25, 49] {
                for n in [1, 5, 8, 13, 16, 24, 40, 72, 100] {
                    for k in [1, 3, 16, 37] {
                        check(kernels: kernels, m: m, n: n, k: k)
                    }
                }
            }
        }
    }

    func testEveryPanelKernelIsUsed() throws {
        for kernels in try availableKernelSets() {
            // One column count that needs each panel width once.
            let n = kernels.gemmPanels.map(\.width).reduce(0, +) - 1
            let plan = PackedGEMMWeights.panelPlan(n: n, kernels: kernels.gemmPanels)
            XCTAssertEqual(Set(plan.map(\.kernel)), Set(kernels.gemmPanels.indices), "\(kernels.isa) plan \(plan)")
            check(kernels: kernels, m: 31, n: n, k: 19)
        }
    }

    func testLargeAndSplit() throws {
        for kernels in try availableKernelSets() {
            check(kernels: kernels, m: 130, n: 96, k: 160, split: true)
            check(kernels: kernels, m: 1, n: 1000, k: 1280)
            check(kernels: kernels, m: 3000, n: 16, k: 70, split: true)
        }
    }

    func testPartialResidualIgnoresTheOtherColumns() throws {
        for kernels in try availableKernelSets() {
            for (n, r) in [(40, 5), (40, 13), (64, 24), (96, 37), (24, 9)] {
                check(kernels: kernels, m: 13, n: n, k: 11, residual: r, poisonUnadded: true)
            }
        }
    }

    func testResidualAndClamp() throws {
        for kernels in try availableKernelSets() {
            for n in [24, 40, 101] {
                for r in [1, 7, n / 2, n] {
                    check(kernels: kernels, m: 13, n: n, k: 9, residual: r)
                }
            }
            check(kernels: kernels, m: 17, n: 33, k: 12, clamp: (0, 6))
            check(kernels: kernels, m: 17, n: 33, k: 12, residual: 20, clamp: (-0.5, 0.5))
        }
    }

    /// Each tile call is told how far the next panel of the packed weights lies, which its first
    /// tile prefetches (0 for the last panel: nothing past the weights is touched), whether the
    /// panels are run together or split as threads split them.
    func testTileCallsAreToldWhereTheNextPanelStarts() throws {
        final class Calls { var seen: [(panel: UnsafePointer<Float>, next: Int)] = [] }
        for base in try availableKernelSets() {
            let calls = Calls()
            let recording = base.gemmPanels.map { kernel in
                GEMMPanelKernel(name: kernel.name, width: kernel.width, rowsPerTile: kernel.rowsPerTile,
                                run: { calls.seen.append(($0.panel, $0.nextPanelBytes)); kernel.run($0) },
                                runSingleRow: { calls.seen.append(($0.panel, $0.nextPanelBytes)); kernel.runSingleRow($0) })
            }
            let set = KernelSet(isa: base.isa, vectorWidth: base.vectorWidth, gemmPanels: recording,
                                depthwise: [.kxk: base[depthwise: .kxk]], convDirect: base.convDirect.run,
                                addPartial: base.addPartial.run, globalAveragePool: base.globalAveragePool.run,
                                squeezeExciteGate: base.squeezeExciteGate.run, channelScale: base.channelScale.run,
                                nonlinearity: base.nonlinearity.run, maxPool: base.maxPool.run,
                                fmaThroughput: base.fmaThroughput, readSum: base.readSum)
            let (m, k) = (13, 7)
            // Every panel width of the set, the widest several times.
            let n = 3 * recording[0].width + recording.dropFirst().reduce(0) { $0 + $1.width } - 1
            let packed = PackedGEMMWeights(k: k, n: n, kernels: recording, bias: []) { o, i in Float(o - i) }
            let starts = packed.panels.map { UnsafePointer(packed.storage.pointer + $0.offset) }
            XCTAssertGreaterThan(starts.count, 3, "\(base.isa)")
            let a = StridedTensor(pixels: m, channels: k, dense: [Float](repeating: 1, count: m * k))
            let c = StridedTensor(pixels: m, channels: n)
            let all = 0..<packed.panels.count
            for panels in [all, 0..<2, 2..<packed.panels.count] {
                calls.seen = []
                runGEMM(kernels: set, weights: packed, a: a.pointer, lda: a.stride, c: c.pointer, ldc: c.stride,
                        epilogue: ConvEpilogue(minValue: -.infinity, maxValue: .infinity), rows: 0..<m, panels: panels)
                XCTAssertFalse(calls.seen.isEmpty, "\(base.isa)")
                for (panel, next) in calls.seen {
                    guard let i = starts.firstIndex(of: panel) else { XCTFail("\(base.isa): a call's panel is no panel's start"); continue }
                    if i + 1 < starts.count {
                        XCTAssertEqual(next, (starts[i + 1] - starts[i]) * 4, "\(base.isa) panel \(i) of \(starts.count)")
                    } else {
                        XCTAssertEqual(next, 0, "\(base.isa): the last panel has no next one")
                    }
                }
            }
        }
    }
}
