// The 8-bit kernels as named rows: each row is one compiled variant (its name says data type,
// operation, blocking and instruction set, as XNNPACK names its micro-kernels), so the planner
// picks a row and the per-layer reports name the one that ran. Each ISA module makes one set
// from the generic kernels of this module, compiled with its own target flags.

public struct QuantizedKernelSet {
    /// The instruction set the rows were compiled for, as it appears in their names.
    public let isaName: String
    public var gemm: KernelRow<(QuantizedGEMMArguments, Range<Int>, Range<Int>) -> Void>
    public var dwconv: KernelRow<(QuantizedDepthwiseArguments, Range<Int>) -> Void>
    public var addPartial: KernelRow<(QuantizedAddArguments, Range<Int>) -> Void>
    /// The GEMM reads PackedQuantizedGEMMWeights.pairWeights where present, so the planner packs
    /// them beside the c4 bytes (three bytes per weight instead of one; not for the classifier,
    /// whose single row never reads them). AVX2 without VNNI: on Zen 1 the network ran 5% faster.
    public let gemmSplitsPairs: Bool

    /// - Parameter gemmName: the GEMM row's name without the ISA (its blocking differs by ISA).
    public init(isaName: String, gemmName: String,
                gemm: @escaping (QuantizedGEMMArguments, Range<Int>, Range<Int>) -> Void,
                dwconv: @escaping (QuantizedDepthwiseArguments, Range<Int>) -> Void,
                addPartial: @escaping (QuantizedAddArguments, Range<Int>) -> Void,
                gemmSplitsPairs: Bool = false) {
        self.isaName = isaName
        self.gemmSplitsPairs = gemmSplitsPairs
        self.gemm = KernelRow(name: "\(gemmName)__\(isaName)", run: gemm)
        self.dwconv = KernelRow(name: "qu8_dwconv__\(isaName)", run: dwconv)
        self.addPartial = KernelRow(name: "qu8_add_partial__\(isaName)", run: addPartial)
    }

    /// The scalar references as a set: the oracle of the fast rows, and the slowest fallback.
    public static let reference = QuantizedKernelSet(
        isaName: "reference", gemmName: "qu8_gemm",
        gemm: { g, rows, _ in qu8_gemm_reference(g, rows: rows) },
        dwconv: { qu8_dwconv_reference($0, rows: $1) },
        addPartial: { qu8_add_partial_reference($0, pixels: $1) })
}
