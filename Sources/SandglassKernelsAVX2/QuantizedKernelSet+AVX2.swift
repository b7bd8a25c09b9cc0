// The 8-bit kernels compiled for avx2: the dot products are vpmaddwd on bytes widened to 16 bits
// (the GEMM widens each tile's activations once: qu8_gemm_4x16c4_widened), exact where
// pmaddubsw would saturate.
#if arch(x86_64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x16c4w__avx2(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_4x16c4_widened(g, rows: rows, panels: panels, QuantizedTag.self)
}

public func qu8_dwconv__avx2(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, blocked: true, QuantizedTag.self) }

public func qu8_add_partial__avx2(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let avx2QuantizedKernelSet = QuantizedKernelSet(
    isaName: "avx2",
    gemmName: "qu8_gemm_4x16c4w", gemm: qu8_gemm_4x16c4w__avx2, dwconv: qu8_dwconv__avx2, addPartial: qu8_add_partial__avx2,
    gemmSplitsPairs: true)
#endif
