// The 8-bit kernels compiled for avx512: the dot products are four multiply-adds on bytes shifted
// out of each lane (CSandglassVector's portable sg_dot4_u8s8_i32x16).
#if arch(x86_64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x64c4__avx512(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_c4(g, rows: rows, panels: panels, wide: true, QuantizedTag.self)
}

public func qu8_dwconv__avx512(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, QuantizedTag.self) }

public func qu8_add_partial__avx512(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let avx512QuantizedKernelSet = QuantizedKernelSet(
    isaName: "avx512",
    gemmName: "qu8_gemm_4x64c4", gemm: qu8_gemm_4x64c4__avx512, dwconv: qu8_dwconv__avx512, addPartial: qu8_add_partial__avx512)
#endif
