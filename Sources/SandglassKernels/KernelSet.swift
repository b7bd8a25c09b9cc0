// The table of micro-kernels for one instruction set. The ISA modules (SandglassKernelsAVX512,
// SandglassKernelsAVX2, SandglassKernelsNEON) fill one in from the generic kernels of this
// module, compiled with their own target flags; the engine picks one at run time.
@_exported import SandglassParameters  // ISA, the --isa vocabulary, lives with the other parameters

/// One GEMM micro-kernel shape: a panel of `width` output columns, `rowsPerTile` rows per tile.
public struct GEMMPanelKernel {
    public let name: String
    public let width: Int
    public let rowsPerTile: Int
    public let run: (GEMMTileArguments) -> Void
    /// The one-row variant, for matrix-vector products (the classifier).
    public let runSingleRow: (GEMMTileArguments) -> Void

    public init(name: String, width: Int, rowsPerTile: Int,
                run: @escaping (GEMMTileArguments) -> Void,
                runSingleRow: @escaping (GEMMTileArguments) -> Void) {
        self.name = name; self.width = width; self.rowsPerTile = rowsPerTile
        self.run = run; self.runSingleRow = runSingleRow
    }
}

public struct KernelSet {
    public let isa: ISA
    /// Floats per vector of the main kernels.
    public let vectorWidth: Int
    /// GEMM panel kernels, widest first; the narrowest handles column tails.
    public let gemmPanels: [GEMMPanelKernel]
    // The kernels are `var` so that a test (or the self-test's breakage hook) can swap one in a
    // copy of the set without restating the others.
    /// Depthwise variants as rows, most specific first (see `DepthwiseVariant`).
    public private(set) var depthwise: [DepthwiseKernel]
    /// The operations with one variant per ISA, each a named row (`f32_conv_direct__avx2`).
    public var convDirect: KernelRow<(DirectConvArguments, Range<Int>) -> Void>
    public var addPartial: KernelRow<(PartialAddArguments, Range<Int>) -> Void>
    public var globalAveragePool: KernelRow<(GlobalAveragePoolArguments, Range<Int>) -> Void>
    public var squeezeExciteGate: KernelRow<(SqueezeExciteGateArguments) -> Void>
    public var channelScale: KernelRow<(ChannelScaleArguments, Range<Int>) -> Void>
    public var nonlinearity: KernelRow<(NonlinearityArguments, Range<Int>) -> Void>
    /// Output rows of a max pool.
    public var maxPool: KernelRow<(MaxPoolArguments, Range<Int>) -> Void>
    /// Calibration: FMA throughput (see f32_fma_throughput) and streaming read (f32_read_sum).
    public let fmaThroughput: (Int) -> Float
    public let readSum: (UnsafePointer<Float>, Int) -> Float
    /// FLOPs of one iteration of fmaThroughput.
    public var fmaFlopsPerIteration: Int { 12 * 2 * vectorWidth }

    public init(isa: ISA, vectorWidth: Int, gemmPanels: [GEMMPanelKernel],
                depthwise: KeyValuePairs<DepthwiseVariant, (DepthwiseArguments, Range<Int>) -> Void>,
                convDirect: @escaping (DirectConvArguments, Range<Int>) -> Void,
                addPartial: @escaping (PartialAddArguments, Range<Int>) -> Void,
                globalAveragePool: @escaping (GlobalAveragePoolArguments, Range<Int>) -> Void,
                squeezeExciteGate: @escaping (SqueezeExciteGateArguments) -> Void,
                channelScale: @escaping (ChannelScaleArguments, Range<Int>) -> Void,
                nonlinearity: @escaping (NonlinearityArguments, Range<Int>) -> Void,
                maxPool: @escaping (MaxPoolArguments, Range<Int>) -> Void,
                fmaThroughput: @escaping (Int) -> Float, readSum: @escaping (UnsafePointer<Float>, Int) -> Float) {
        self.isa = isa; self.vectorWidth = vectorWidth; self.gemmPanels = gemmPanels
        // Rows in the variants' order whatever order the ISA file lists them in; names made here.
        self.depthwise = DepthwiseVariant.allCases.compactMap { variant in
            depthwise.first { $0.key == variant }.map { DepthwiseKernel(variant: variant, isa: isa, run: $0.value) }
        }
        precondition(self.depthwise.last?.variant == .kxk, "a kernel set needs the general depthwise row (kxk)")
        self.convDirect = KernelRow(name: "f32_conv_direct__\(isa)", run: convDirect)
        self.addPartial = KernelRow(name: "f32_add_partial__\(isa)", run: addPartial)
        self.globalAveragePool = KernelRow(name: "f32_global_average_pool__\(isa)", run: globalAveragePool)
        self.squeezeExciteGate = KernelRow(name: "f32_se_gate__\(isa)", run: squeezeExciteGate)
        self.channelScale = KernelRow(name: "f32_channel_scale__\(isa)", run: channelScale)
        self.nonlinearity = KernelRow(name: "f32_nonlinearity__\(isa)", run: nonlinearity)
        self.maxPool = KernelRow(name: "f32_maxpool__\(isa)", run: maxPool)
        self.fmaThroughput = fmaThroughput; self.readSum = readSum
    }

    /// The depthwise row the planner runs for these arguments: the first whose shapes they have.
    public func depthwise(for a: DepthwiseArguments) -> DepthwiseKernel {
        depthwise.first { $0.variant.applies(a) } ?? depthwise[depthwise.count - 1]
    }

    /// One depthwise row's entry point, by variant (the general row where this set lacks it);
    /// settable so that a test or the self-test's breakage hook can swap one in a copy.
    public subscript(depthwise variant: DepthwiseVariant) -> (DepthwiseArguments, Range<Int>) -> Void {
        get { (depthwise.first { $0.variant == variant } ?? depthwise[depthwise.count - 1]).run }
        set {
            if let i = depthwise.firstIndex(where: { $0.variant == variant }) { depthwise[i].run = newValue }
        }
    }

    /// Channel stride (floats) of weight rows for depthwise and direct kernels: a multiple of
    /// the widest vector any kernel loads, so full-vector loads of the last block stay inside.
    public static let weightRowAlignment = 16
}

/// Splits a channel range into the part a kernel runs with its full vector and a tail that the
/// half-width vector covers with less waste (`C % W <= W/2`).
@inlinable @inline(__always)
public func splitChannelTail(_ channels: Int, vectorWidth w: Int) -> (full: Int, tailUsesHalf: Bool) {
    let full = channels - channels % w
    let tail = channels - full
    return (full, tail > 0 && tail <= w / 2)
}
