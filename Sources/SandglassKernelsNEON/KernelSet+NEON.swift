// NEON instantiation of the generic kernels for AArch64 (FMA is part of the base ISA, so no
// extra flags). 32 vector registers of 4 floats: the same tile shapes as AVX-512, narrower.
#if arch(arm64)
import SandglassKernels

typealias V4 = SIMD4<Float>

public func f32_gemm_6x16__neon(_ t: GEMMTileArguments) { f32_gemm_6x4v(t, V4.self) }
public func f32_gemm_1x16__neon(_ t: GEMMTileArguments) { f32_gemm_1x4v(t, V4.self) }
public func f32_gemm_12x8__neon(_ t: GEMMTileArguments) { f32_gemm_12x2v(t, V4.self) }
public func f32_gemm_1x8__neon(_ t: GEMMTileArguments) { f32_gemm_1x2v(t, V4.self) }
public func f32_gemm_24x4__neon(_ t: GEMMTileArguments) { f32_gemm_24x1v(t, V4.self) }
public func f32_gemm_1x4__neon(_ t: GEMMTileArguments) { f32_gemm_1x1v(t, V4.self) }

public func f32_dwconv3x3_s1_w7__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv3x3_s1_w7(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_dwconv3x3_s1__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv3x3_s1(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_dwconv3x3_s2__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv3x3_s2(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_dwconv5x5_s1__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv5x5_s1(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_dwconv5x5_s2__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv5x5_s2(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_dwconv_kxk__neon(_ a: DepthwiseArguments, _ rows: Range<Int>) {
    f32_dwconv_kxk(a, rows: rows, channels: 0..<a.channels, V4.self)
}

public func f32_conv_direct__neon(_ a: DirectConvArguments, _ rows: Range<Int>) {
    f32_conv_direct(a, rows: rows, V4.self)
}

public func f32_add_partial__neon(_ a: PartialAddArguments, _ pixels: Range<Int>) {
    f32_add_partial(a, pixels: pixels, V4.self)
}

public func f32_global_average_pool__neon(_ a: GlobalAveragePoolArguments, _ channels: Range<Int>) {
    f32_global_average_pool(a, channels: channels, V4.self)
}

public func f32_se_gate__neon(_ a: SqueezeExciteGateArguments) { f32_se_gate(a, V4.self) }

public func f32_channel_scale__neon(_ a: ChannelScaleArguments, _ pixels: Range<Int>) {
    f32_channel_scale(a, pixels: pixels, V4.self)
}

public func f32_maxpool__neon(_ a: MaxPoolArguments, _ rows: Range<Int>) {
    f32_maxpool(a, rows: rows, V4.self)
}

public func f32_nonlinearity__neon(_ a: NonlinearityArguments, _ pixels: Range<Int>) {
    f32_nonlinearity(a, pixels: pixels, V4.self)
}

public func f32_fma_throughput__neon(_ iterations: Int) -> Float { f32_fma_throughput(iterations: iterations, V4.self) }

public func f32_read_sum__neon(_ p: UnsafePointer<Float>, _ count: Int) -> Float { f32_read_sum(p, count: count, V4.self) }

public let neonKernelSet = KernelSet(
    isa: .neon, vectorWidth: 4,
    gemmPanels: [
        GEMMPanelKernel(name: "f32_gemm_6x16__neon", width: 16, rowsPerTile: 6,
                        run: f32_gemm_6x16__neon, runSingleRow: f32_gemm_1x16__neon),
        GEMMPanelKernel(name: "f32_gemm_12x8__neon", width: 8, rowsPerTile: 12,
                        run: f32_gemm_12x8__neon, runSingleRow: f32_gemm_1x8__neon),
        GEMMPanelKernel(name: "f32_gemm_24x4__neon", width: 4, rowsPerTile: 24,
                        run: f32_gemm_24x4__neon, runSingleRow: f32_gemm_1x4__neon),
    ],
    depthwise: [.k3s1w7: f32_dwconv3x3_s1_w7__neon, .k3s1: f32_dwconv3x3_s1__neon, .k3s2: f32_dwconv3x3_s2__neon,
                .k5s1: f32_dwconv5x5_s1__neon, .k5s2: f32_dwconv5x5_s2__neon, .kxk: f32_dwconv_kxk__neon],
    convDirect: f32_conv_direct__neon,
    addPartial: f32_add_partial__neon, globalAveragePool: f32_global_average_pool__neon,
    squeezeExciteGate: f32_se_gate__neon, channelScale: f32_channel_scale__neon,
    nonlinearity: f32_nonlinearity__neon,
    maxPool: f32_maxpool__neon,
    fmaThroughput: f32_fma_throughput__neon, readSum: f32_read_sum__neon)
#endif
