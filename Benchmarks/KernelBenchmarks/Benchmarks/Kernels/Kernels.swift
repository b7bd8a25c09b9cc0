// One benchmark per kernel and shape, for every ISA this CPU runs, on the shapes of
// MobileNeXt-1.0 at 224×224 (so a regression in one kernel shows on its own). Operands stay
// cache-resident between iterations (hot caches, as within one layer of an inference);
// GFLOP/s is reported as a custom metric beside wall time.
import Benchmark
#if canImport(Glibc)
import Glibc
#endif
import SandglassEngine
import SandglassKernels

struct GEMMShape { let name: String; let m: Int; let k: Int; let n: Int }
struct DepthwiseShape { let name: String; let h: Int; let w: Int; let c: Int; let stride: Int }

let gemmShapes = [
    GEMMShape(name: "s1.pw1", m: 12544, k: 32, n: 16), GEMMShape(name: "s1.pw2", m: 12544, k: 16, n: 96),
    GEMMShape(name: "s3.pw1", m: 784, k: 192, n: 32), GEMMShape(name: "s3.pw2", m: 784, k: 32, n: 192),
    GEMMShape(name: "s5.pw1", m: 196, k: 384, n: 64), GEMMShape(name: "s5.pw2", m: 196, k: 64, n: 384),
    GEMMShape(name: "s7.pw1", m: 49, k: 960, n: 160), GEMMShape(name: "s7.pw2", m: 49, k: 160, n: 960),
    GEMMShape(name: "fc", m: 1, k: 1280, n: 1000),
]
let depthwiseShapes = [
    DepthwiseShape(name: "s1.dw1", h: 112, w: 112, c: 32, stride: 1), DepthwiseShape(name: "s1.dw2", h: 112, w: 112, c: 96, stride: 2),
    DepthwiseShape(name: "s2.dw", h: 56, w: 56, c: 144, stride: 1), DepthwiseShape(name: "s3.dw", h: 28, w: 28, c: 192, stride: 1),
    DepthwiseShape(name: "s5.dw", h: 14, w: 14, c: 384, stride: 1), DepthwiseShape(name: "s7.dw", h: 7, w: 7, c: 960, stride: 1),
    DepthwiseShape(name: "s2.dw2", h: 56, w: 56, c: 192, stride: 2), DepthwiseShape(name: "s4.dw2", h: 28, w: 28, c: 288, stride: 2),
    DepthwiseShape(name: "s6.dw2", h: 14, w: 14, c: 576, stride: 2),
]

let gflops = BenchmarkMetric.custom("GFLOP/s", polarity: .prefersLarger, useScalingFactor: false)

func filled(_ n: Int) -> AlignedBuffer {
    let b = AlignedBuffer(count: n)
    for i in 0..<n { b.pointer[i] = Float(i % 13) * 0.01 - 0.06 }
    return b
}

func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func record(_ benchmark: Benchmark, flops: Int, iterations: Int, start: UInt64, end: UInt64) {
    let seconds = Double(end - start) / 1e9
    if seconds > 0 { benchmark.measurement(gflops, Int(Double(flops * iterations) / seconds / 1e9)) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .instructions, gflops],
                                           timeUnits: .microseconds, warmupIterations: 5,
                                           maxDuration: .milliseconds(400), maxIterations: 2000)
    // Whole inferences: wall time, and allocations per inference (the target is none).
    for arch in Architecture.allCases {
        let graph = try! ModelSpec(architecture: arch).build()
        for threads in [1, 2] {
            let plan = try! Planner.plan(graph, options: PlanOptions(threads: threads))
            plan.setRandomInput(seed: 1)
            let executor = Executor(plan: plan)
            Benchmark("inference \(arch.rawValue)-1.0 \(threads)t [\(plan.isa)]",
                      configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
                                           timeUnits: .microseconds, maxDuration: .seconds(1))) { benchmark in
                for _ in benchmark.scaledIterations { executor.run() }
            }
        }
    }
    for isa in ISASelection.available {
        let k = try! ISASelection.kernels(for: isa)
        for s in gemmShapes {
            let a = filled(s.m * s.k), c = AlignedBuffer(count: s.m * s.n)
            let w = PackedGEMMWeights(k: s.k, n: s.n, kernels: k.gemmPanels, bias: []) { o, i in Float((o + i) % 7) * 0.01 }
            Benchmark("f32_gemm \(s.name) \(s.m)x\(s.k)x\(s.n) [\(isa)]") { benchmark in
                let start = nowNanoseconds()
                for _ in benchmark.scaledIterations {
                    runGEMM(kernels: k, weights: w, a: a.pointer, lda: s.k, c: c.pointer, ldc: s.n,
                            epilogue: ConvEpilogue(minValue: 0, maxValue: 6), rows: 0..<s.m, panels: 0..<w.panels.count)
                }
                let end = nowNanoseconds()
                record(benchmark, flops: 2 * s.m * s.k * s.n, iterations: benchmark.scaledIterations.count,
                       start: start, end: end)
                blackHole(c.pointer[0])
            }
        }
        for s in depthwiseShapes {
            let oh = (s.h + 2 - 3) / s.stride + 1, ow = (s.w + 2 - 3) / s.stride + 1
            let input = filled(s.h * s.w * s.c), output = AlignedBuffer(count: oh * ow * s.c)
            let weights = PackedDepthwiseWeights(channels: s.c, kernelSize: 3, weights: (0..<(9 * s.c)).map { Float($0 % 5) * 0.1 },
                                                 bias: [])
            let zeros = AlignedBuffer(count: s.w * s.c)
            let args = DepthwiseArguments(input: input.pointer, inputHeight: s.h, inputWidth: s.w, inputStride: s.c,
                                          output: output.pointer, outputHeight: oh, outputWidth: ow, outputStride: s.c,
                                          channels: s.c, kernelSize: 3, stride: s.stride, padTop: 1, padLeft: 1,
                                          weights: weights.buffer.pointer, weightStride: weights.stride, zeros: zeros.pointer,
                                          epilogue: ConvEpilogue(minValue: 0, maxValue: 6))
            let run = s.stride == 1 ? k.dwconv3x3s1 : k.dwconv3x3s2
            Benchmark("f32_dwconv3x3_s\(s.stride) \(s.name) \(s.h)x\(s.w)x\(s.c) [\(isa)]") { benchmark in
                let start = nowNanoseconds()
                for _ in benchmark.scaledIterations { run(args, 0..<oh) }
                let end = nowNanoseconds()
                record(benchmark, flops: 2 * 9 * oh * ow * s.c, iterations: benchmark.scaledIterations.count,
                       start: start, end: end)
                blackHole(output.pointer[0])
            }
        }
        do {
            let input = filled(224 * 224 * 4), output = AlignedBuffer(count: 112 * 112 * 32)
            let weights = PackedDirectConvWeights(inputChannels: 3, outputChannels: 32, kernelHeight: 3, kernelWidth: 3,
                                                  weights: (0..<(32 * 27)).map { Float($0 % 9) * 0.05 }, bias: [])
            let args = DirectConvArguments(input: input.pointer, inputHeight: 224, inputWidth: 224, inputStride: 4,
                                           inputChannels: 3, output: output.pointer, outputHeight: 112, outputWidth: 112,
                                           outputStride: 32, outputChannels: 32, kernelHeight: 3, kernelWidth: 3,
                                           strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1,
                                           weights: weights.buffer.pointer, weightStride: weights.stride,
                                           epilogue: ConvEpilogue(minValue: 0, maxValue: 6))
            Benchmark("f32_conv_direct stem 224x224x3→32 [\(isa)]") { benchmark in
                let start = nowNanoseconds()
                for _ in benchmark.scaledIterations { k.convDirect(args, 0..<112) }
                let end = nowNanoseconds()
                record(benchmark, flops: 2 * 112 * 112 * 32 * 27, iterations: benchmark.scaledIterations.count,
                       start: start, end: end)
                blackHole(output.pointer[0])
            }
        }
        do {
            let pixels = 28 * 28, c = 192
            let branch = filled(pixels * c), identity = filled(pixels * c)
            for added in [192, 96, 64, 32] {
                let args = PartialAddArguments(branch: branch.pointer, branchStride: c, identity: identity.pointer,
                                               identityStride: c, output: branch.pointer, outputStride: c, pixels: pixels,
                                               channels: c, addedChannels: added)
                Benchmark("f32_add_partial 28x28x192 k=\(added) [\(isa)]") { benchmark in
                    for _ in benchmark.scaledIterations { k.addPartial(args, 0..<pixels) }
                    blackHole(branch.pointer[0])
                }
            }
        }
    }
}
