// The 8-bit kernels with AVX-VNNI (Alder Lake, Zen 5: vpdpbusd on 256-bit vectors): this module
// alone is compiled with -mavxvnni, so that --isa avx2 on such a CPU has the dot product too.
#if arch(x86_64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x16c4__avx2vnni(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_c4(g, rows: rows, panels: panels, wide: false, QuantizedTag.self)
}

public func qu8_dwconv__avx2vnni(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, blocked: true, QuantizedTag.self) }

public func qu8_add_partial__avx2vnni(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let avx2VNNIQuantizedKernelSet = QuantizedKernelSet(
    isaName: "avx2vnni",
    gemmName: "qu8_gemm_4x16c4", gemm: qu8_gemm_4x16c4__avx2vnni, dwconv: qu8_dwconv__avx2vnni,
    addPartial: qu8_add_partial__avx2vnni)
#endif
