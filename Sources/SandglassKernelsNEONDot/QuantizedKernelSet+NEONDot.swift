// The 8-bit kernels with Arm's dot product (Armv8.2 sdot: Cortex-A55/A76 and later, the
// Raspberry Pi 5, Neoverse, Apple M1): this module alone is compiled with +dotprod, chosen at run
// time where the CPU reports it (HWCAP_ASIMDDP), so one arm64 binary still runs on a Cortex-A72.
// sdot takes signed bytes on both sides: the GEMM flips each activation byte's top bit and starts
// from the matching bias (QuantizedGEMM.swift, signedBias).
#if arch(arm64)
import SandglassKernels

/// Specialises the generic 8-bit kernels here, with this module's target flags.
enum QuantizedTag {}

public func qu8_gemm_4x16c4__neondot(_ g: QuantizedGEMMArguments, _ rows: Range<Int>, _ panels: Range<Int>) {
    qu8_gemm_c4(g, rows: rows, panels: panels, wide: false, signedDot: true, QuantizedTag.self)
}

public func qu8_dwconv__neondot(_ d: QuantizedDepthwiseArguments, _ rows: Range<Int>) { qu8_dwconv(d, rows: rows, QuantizedTag.self) }

public func qu8_add_partial__neondot(_ a: QuantizedAddArguments, _ pixels: Range<Int>) { qu8_add_partial(a, pixels: pixels, QuantizedTag.self) }

public let neonDotQuantizedKernelSet = QuantizedKernelSet(
    isaName: "neondot",
    gemmName: "qu8_gemm_4x16c4", gemm: qu8_gemm_4x16c4__neondot, dwconv: qu8_dwconv__neondot,
    addPartial: qu8_add_partial__neondot)
#endif
