// AVX2+FMA instantiation of the generic kernels. This module alone is compiled with
// -march=x86-64-v3 (see Package.swift), so the rest of the binary runs on any x86-64 CPU;
// valgrind 3.19 decodes AVX2, so this is the set that the simulated-counter backend runs.
// 16 vector registers: GEMM tiles keep at most 12 accumulators.
#if arch(x86_64)
import SandglassKernels

typealias V8 = SIMD8<Float>
typealias V4 = SIMD4<Float>

public func f32_gemm_6x16__avx2(_ t: GEMMTileArguments) { f32_gemm_6x2v(t, V8.self) }
public func f32_gemm_1x16__avx2(_ t: GEMMTileArguments) { f32_gemm_1x2v(t, V8.self) }
public func f32_gemm_12x8__avx2(_ t: GEMMTileArguments) { f32_gemm_12x1v(t, V8.self) }
public func f32_gemm_1x8__avx2(_ t: GEMMTileArguments) { f32_gemm_1x1v(t, V8.self) }
public func f32_gemm_12x4__avx2(_ t: GEMMTileArguments) { f32_gemm_12x1v(t, V4.self) }
public func f32_gemm_1x4__avx2(_ t: GEMMTileArguments) { f32_gemm_1x1v(t, V4.self) }

public func f32_dwconv3x3_s1_w7__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 8)
    if full > 0 { f32_dwconv3x3_s1_w7(a, rows: rows, channels: 0..<full, V8.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s1_w7(a, rows: rows, channels: full..<a.channels, V4.self) }
        else { f32_dwconv3x3_s1_w7(a, rows: rows, channels: full..<a.channels, V8.self) }
    }
}

public func f32_dwconv3x3_s1__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 8)
    if full > 0 { f32_dwconv3x3_s1(a, rows: rows, channels: 0..<full, V8.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s1(a, rows: rows, channels: full..<a.channels, V4.self) }
        else { f32_dwconv3x3_s1(a, rows: rows, channels: full..<a.channels, V8.self) }
    }
}

public func f32_dwconv3x3_s2__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 8)
    if full > 0 { f32_dwconv3x3_s2(a, rows: rows, channels: 0..<full, V8.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s2(a, rows: rows, channels: full..<a.channels, V4.self) }
        else { f32_dwconv3x3_s2(a, rows: rows, channels: full..<a.channels, V8.self) }
    }
}

public func f32_dwconv5x5_s1__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 8)
    if full > 0 { f32_dwconv5x5_s1(a, rows: rows, channels: 0..<full, V8.self) }
    if full < a.channels {
        if half { f32_dwconv5x5_s1(a, rows: rows, channels: full..<a.channels, V4.self) }
        else { f32_dwconv5x5_s1(a, rows: rows, channels: full..<a.channels, V8.self) }
    }
}

public func f32_dwconv5x5_s2__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 8)
    if full > 0 { f32_dwconv5x5_s2(a, rows: rows, channels: 0..<full, V8.self) }
    if full < a.channels {
        if half { f32_dwconv5x5_s2(a, rows: rows, channels: full..<a.channels, V4.self) }
        else { f32_dwconv5x5_s2(a, rows: rows, channels: full..<a.channels, V8.self) }
    }
}

public func f32_dwconv_kxk__avx2(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv_kxk(a, rows: rows, channels: 0..<a.channels, V8.self)
}

public func f32_conv_direct__avx2(_ a: DirectConvArguments, _ rows: Range<Int>) {
    f32_conv_direct(a, rows: rows, V8.self)
}

public func f32_add_partial__avx2(_ a: PartialAddArguments, _ pixels: Range<Int>) {
    f32_add_partial(a, pixels: pixels, V8.self)
}

public func f32_global_average_pool__avx2(_ a: GlobalAveragePoolArguments, _ channels: Range<Int>) {
    f32_global_average_pool(a, channels: channels, V8.self)
}

public func f32_se_gate__avx2(_ a: SqueezeExciteGateArguments) { f32_se_gate(a, V8.self) }

public func f32_channel_scale__avx2(_ a: ChannelScaleArguments, _ pixels: Range<Int>) {
    f32_channel_scale(a, pixels: pixels, V8.self)
}

public func f32_maxpool__avx2(_ a: MaxPoolArguments, _ rows: Range<Int>) {
    f32_maxpool(a, rows: rows, V8.self)
}

public func f32_nonlinearity__avx2(_ a: NonlinearityArguments, _ pixels: Range<Int>) {
    f32_nonlinearity(a, pixels: pixels, V8.self)
}

public func f32_fma_throughput__avx2(_ iterations: Int) -> Float { f32_fma_throughput(iterations: iterations, V8.self) }

public func f32_read_sum__avx2(_ p: UnsafePointer<Float>, _ count: Int) -> Float { f32_read_sum(p, count: count, V8.self) }

public let avx2KernelSet = KernelSet(
    isa: .avx2, vectorWidth: 8,
    gemmPanels: [
        GEMMPanelKernel(name: "f32_gemm_6x16__avx2", width: 16, rowsPerTile: 6,
                        run: f32_gemm_6x16__avx2, runSingleRow: f32_gemm_1x16__avx2),
        GEMMPanelKernel(name: "f32_gemm_12x8__avx2", width: 8, rowsPerTile: 12,
                        run: f32_gemm_12x8__avx2, runSingleRow: f32_gemm_1x8__avx2),
        GEMMPanelKernel(name: "f32_gemm_12x4__avx2", width: 4, rowsPerTile: 12,
                        run: f32_gemm_12x4__avx2, runSingleRow: f32_gemm_1x4__avx2),
    ],
    depthwise: [.k3s1w7: f32_dwconv3x3_s1_w7__avx2, .k3s1: f32_dwconv3x3_s1__avx2, .k3s2: f32_dwconv3x3_s2__avx2,
                .k5s1: f32_dwconv5x5_s1__avx2, .k5s2: f32_dwconv5x5_s2__avx2, .kxk: f32_dwconv_kxk__avx2],
    convDirect: f32_conv_direct__avx2,
    addPartial: f32_add_partial__avx2, globalAveragePool: f32_global_average_pool__avx2,
    squeezeExciteGate: f32_se_gate__avx2, channelScale: f32_channel_scale__avx2,
    nonlinearity: f32_nonlinearity__avx2,
    maxPool: f32_maxpool__avx2,
    fmaThroughput: f32_fma_throughput__avx2, readSum: f32_read_sum__avx2)
#endif
