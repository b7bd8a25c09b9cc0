// AVX-512 instantiation of the generic kernels. This module alone is compiled with
// -march=x86-64-v4 (see Package.swift), so the rest of the binary still runs on AVX2-only
// CPUs and under valgrind, which cannot decode AVX-512.
#if arch(x86_64)
import SandglassKernels

typealias V16 = SIMD16<Float>
typealias V8 = SIMD8<Float>

public func f32_gemm_6x64__avx512(_ t: GEMMTileArguments) { f32_gemm_6x4v(t, V16.self) }
public func f32_gemm_1x64__avx512(_ t: GEMMTileArguments) { f32_gemm_1x4v(t, V16.self) }
public func f32_gemm_12x32__avx512(_ t: GEMMTileArguments) { f32_gemm_12x2v(t, V16.self) }
public func f32_gemm_1x32__avx512(_ t: GEMMTileArguments) { f32_gemm_1x2v(t, V16.self) }
public func f32_gemm_12x16__avx512(_ t: GEMMTileArguments) { f32_gemm_12x1v(t, V16.self) }
public func f32_gemm_1x16__avx512(_ t: GEMMTileArguments) { f32_gemm_1x1v(t, V16.self) }
public func f32_gemm_12x8__avx512(_ t: GEMMTileArguments) { f32_gemm_12x1v(t, V8.self) }
public func f32_gemm_1x8__avx512(_ t: GEMMTileArguments) { f32_gemm_1x1v(t, V8.self) }

public func f32_dwconv3x3_s1_w7__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 16)
    if full > 0 { f32_dwconv3x3_s1_w7(a, rows: rows, channels: 0..<full, V16.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s1_w7(a, rows: rows, channels: full..<a.channels, V8.self) }
        else { f32_dwconv3x3_s1_w7(a, rows: rows, channels: full..<a.channels, V16.self) }
    }
}

public func f32_dwconv3x3_s1__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 16)
    if full > 0 { f32_dwconv3x3_s1(a, rows: rows, channels: 0..<full, V16.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s1(a, rows: rows, channels: full..<a.channels, V8.self) }
        else { f32_dwconv3x3_s1(a, rows: rows, channels: full..<a.channels, V16.self) }
    }
}

public func f32_dwconv3x3_s2__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 16)
    if full > 0 { f32_dwconv3x3_s2(a, rows: rows, channels: 0..<full, V16.self) }
    if full < a.channels {
        if half { f32_dwconv3x3_s2(a, rows: rows, channels: full..<a.channels, V8.self) }
        else { f32_dwconv3x3_s2(a, rows: rows, channels: full..<a.channels, V16.self) }
    }
}

public func f32_dwconv5x5_s1__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 16)
    if full > 0 { f32_dwconv5x5_s1(a, rows: rows, channels: 0..<full, V16.self) }
    if full < a.channels {
        if half { f32_dwconv5x5_s1(a, rows: rows, channels: full..<a.channels, V8.self) }
        else { f32_dwconv5x5_s1(a, rows: rows, channels: full..<a.channels, V16.self) }
    }
}

public func f32_dwconv5x5_s2__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    let (full, half) = splitChannelTail(a.channels, vectorWidth: 16)
    if full > 0 { f32_dwconv5x5_s2(a, rows: rows, channels: 0..<full, V16.self) }
    if full < a.channels {
        if half { f32_dwconv5x5_s2(a, rows: rows, channels: full..<a.channels, V8.self) }
        else { f32_dwconv5x5_s2(a, rows: rows, channels: full..<a.channels, V16.self) }
    }
}

public func f32_dwconv_kxk__avx512(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv_kxk(a, rows: rows, channels: 0..<a.channels, V16.self)
}

public func f32_conv_direct__avx512(_ a: DirectConvArguments, _ rows: Range<Int>) {
    f32_conv_direct(a, rows: rows, V16.self)
}

public func f32_add_partial__avx512(_ a: PartialAddArguments, _ pixels: Range<Int>) {
    f32_add_partial(a, pixels: pixels, V16.self)
}

public func f32_global_average_pool__avx512(_ a: GlobalAveragePoolArguments, _ channels: Range<Int>) {
    f32_global_average_pool(a, channels: channels, V16.self)
}

public func f32_se_gate__avx512(_ a: SqueezeExciteGateArguments) { f32_se_gate(a, V16.self) }

public func f32_channel_scale__avx512(_ a: ChannelScaleArguments, _ pixels: Range<Int>) {
    f32_channel_scale(a, pixels: pixels, V16.self)
}

public func f32_maxpool__avx512(_ a: MaxPoolArguments, _ rows: Range<Int>) {
    f32_maxpool(a, rows: rows, V16.self)
}

public func f32_nonlinearity__avx512(_ a: NonlinearityArguments, _ pixels: Range<Int>) {
    f32_nonlinearity(a, pixels: pixels, V16.self)
}

public func f32_fma_throughput__avx512(_ iterations: Int) -> Float { f32_fma_throughput(iterations: iterations, V16.self) }

public func f32_read_sum__avx512(_ p: UnsafePointer<Float>, _ count: Int) -> Float { f32_read_sum(p, count: count, V16.self) }

public let avx512KernelSet = KernelSet(
    isa: .avx512, vectorWidth: 16,
    gemmPanels: [
        GEMMPanelKernel(name: "f32_gemm_6x64__avx512", width: 64, rowsPerTile: 6,
                        run: f32_gemm_6x64__avx512, runSingleRow: f32_gemm_1x64__avx512),
        GEMMPanelKernel(name: "f32_gemm_12x32__avx512", width: 32, rowsPerTile: 12,
                        run: f32_gemm_12x32__avx512, runSingleRow: f32_gemm_1x32__avx512),
        GEMMPanelKernel(name: "f32_gemm_12x16__avx512", width: 16, rowsPerTile: 12,
                        run: f32_gemm_12x16__avx512, runSingleRow: f32_gemm_1x16__avx512),
        GEMMPanelKernel(name: "f32_gemm_12x8__avx512", width: 8, rowsPerTile: 12,
                        run: f32_gemm_12x8__avx512, runSingleRow: f32_gemm_1x8__avx512),
    ],
    depthwise: [.k3s1w7: f32_dwconv3x3_s1_w7__avx512, .k3s1: f32_dwconv3x3_s1__avx512, .k3s2: f32_dwconv3x3_s2__avx512,
                .k5s1: f32_dwconv5x5_s1__avx512, .k5s2: f32_dwconv5x5_s2__avx512, .kxk: f32_dwconv_kxk__avx512],
    convDirect: f32_conv_direct__avx512,
    addPartial: f32_add_partial__avx512, globalAveragePool: f32_global_average_pool__avx512,
    squeezeExciteGate: f32_se_gate__avx512, channelScale: f32_channel_scale__avx512,
    nonlinearity: f32_nonlinearity__avx512,
    maxPool: f32_maxpool__avx512,
    fmaThroughput: f32_fma_throughput__avx512, readSum: f32_read_sum__avx512)
#endif
