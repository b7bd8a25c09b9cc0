// The 8-bit kernels with AVX-512 VNNI: this module alone is compiled with -mavx512vnni, so the
// dot products of CSandglassVector's sg_dot4_u8s8_i32x16 are vpdpbusd here.
#if arch(x86_64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x64c4__avx512vnni(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_c4(g, rows: rows, panels: panels, wide: true, QuantizedTag.self)
}

public func qu8_dwconv__avx512vnni(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, QuantizedTag.self) }

public func qu8_add_partial__avx512vnni(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let avx512VNNIQuantizedKernelSet = QuantizedKernelSet(
    isaName: "avx512vnni",
    gemmName: "qu8_gemm_4x64c4", gemm: qu8_gemm_4x64c4__avx512vnni, dwconv: qu8_dwconv__avx512vnni,
    addPartial: qu8_add_partial__avx512vnni)
#endif
