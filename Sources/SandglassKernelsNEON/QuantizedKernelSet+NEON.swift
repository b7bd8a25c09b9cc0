// The 8-bit kernels compiled for neon: the dot products are four multiply-adds on bytes shifted
// out of each lane (CSandglassVector's portable sg_dot4_u8s8_i32x16).
#if arch(arm64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x16c4__neon(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_c4(g, rows: rows, panels: panels, wide: false, QuantizedTag.self)
}

public func qu8_dwconv__neon(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, QuantizedTag.self) }

public func qu8_add_partial__neon(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let neonQuantizedKernelSet = QuantizedKernelSet(
    isaName: "neon",
    gemmName: "qu8_gemm_4x16c4", gemm: qu8_gemm_4x16c4__neon, dwconv: qu8_dwconv__neon, addPartial: qu8_add_partial__neon)
#endif
