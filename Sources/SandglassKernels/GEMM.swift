// The 1x1-convolution GEMM: C[M x N] = A[M x K] * B[K x N] + bias, with the epilogue.
// B is packed once, at plan time, into column panels whose widths match the ISA's
// micro-kernels; the driver below blocks rows so that a block of A stays in L2 while
// every panel passes over it.
import CSandglassVector

/// One packed panel of B: columns [column, column + validColumns) of the output.
public struct GEMMPanel {
    public let column: Int
    public let validColumns: Int
    public let kernelIndex: Int
    /// Offset in floats of the panel (bias row first) in the packed storage.
    public let offset: Int
}

/// B (the weights of a 1x1 convolution or a fully connected layer) packed for one KernelSet.
public final class PackedGEMMWeights {
    public let k: Int
    public let n: Int
    public let panels: [GEMMPanel]
    public let storage: AlignedBuffer
    /// Rows of A per block (see runGEMM): the built-in rule's, or a tuned one (KernelTuning.swift).
    public let blockRows: Int

    /// Rows per block: the block's rows of A and of C together should take well under a 1 MiB
    /// L2, so that C's rows, written panel by panel, are still cached when the next panel comes.
    public static func defaultBlockRows(k: Int, n: Int) -> Int {
        max(24, (384 * 1024 / ((k + n) * 4)) / 24 * 24)
    }

    /// Chooses panel widths for n columns: the widest kernel while it fits, then the widest
    /// that fits the rest, and the narrowest (partly filled) for a last few columns. A tuned
    /// `maxWidth` leaves out the kernels wider than it.
    public static func panelPlan(n: Int, kernels: [GEMMPanelKernel], maxWidth: Int = .max) -> [(column: Int, width: Int, kernel: Int)] {
        var plan: [(column: Int, width: Int, kernel: Int)] = []
        var column = 0
        while column < n {
            let remaining = n - column
            let index = kernels.firstIndex(where: { $0.width <= remaining && $0.width <= maxWidth }) ?? (kernels.count - 1)
            plan.append((column, kernels[index].width, index))
            column += kernels[index].width
        }
        return plan
    }

    /// - Parameters:
    ///   - weight: weight(o, i) for output column o < n and input row i < k.
    ///   - bias: n values (or empty for zeros).
    ///   - maxPanelWidth, blockRows: a tuned choice (nil: the built-in rules).
    public init(k: Int, n: Int, kernels: [GEMMPanelKernel], bias: [Float], maxPanelWidth: Int? = nil,
                blockRows: Int? = nil, weight: (Int, Int) -> Float) {
        self.k = k
        self.n = n
        self.blockRows = max(1, blockRows ?? PackedGEMMWeights.defaultBlockRows(k: k, n: n))
        let plan = PackedGEMMWeights.panelPlan(n: n, kernels: kernels, maxWidth: maxPanelWidth ?? .max)
        var panels: [GEMMPanel] = []
        var total = 0
        for entry in plan {
            panels.append(GEMMPanel(column: entry.column, validColumns: min(entry.width, n - entry.column),
                                    kernelIndex: entry.kernel, offset: total))
            total += (k + 1) * entry.width
        }
        self.panels = panels
        storage = AlignedBuffer(count: total)
        let p = storage.pointer
        for (panel, entry) in zip(panels, plan) {
            let width = entry.width
            for j in 0..<panel.validColumns {
                let o = panel.column + j
                p[panel.offset + j] = bias.isEmpty ? 0 : bias[o]
                for i in 0..<k {
                    p[panel.offset + width * (i + 1) + j] = weight(o, i)
                }
            }
        }
    }
}

/// Squeeze-and-excite's channel scale taken into the next 1×1 convolution: W · (x ⊙ s) equals
/// (W · diag(s)) · x, so row i (input channel i) of every panel is `pristine`'s row i times
/// factors[i], and the bias row stays. Where the weights are smaller than the tensor (C·N < H·W·C),
/// this reads and writes less than scaling the tensor.
public func f32_gemm_scale_input_rows(_ weights: PackedGEMMWeights, pristine: UnsafePointer<Float>,
                                      factors: UnsafePointer<Float>, panels: Range<Int>) {
    let dst = weights.storage.pointer
    let k = weights.k, count = weights.panels.count, total = weights.storage.count
    // Pointers and whole vectors: indexed element by element through the panel array, this ran
    // at ~40 cycles per 16 floats (0.23 ms of EfficientNet-B0's 8.5 on Zen 5).
    weights.panels.withUnsafeBufferPointer { list in
        for index in panels {
            let offset = list[index].offset
            let width = ((index + 1 < count ? list[index + 1].offset : total) - offset) / (k + 1)
            var from = pristine + offset + width, to = dst + offset + width   // row 0 is the bias
            for i in 0..<k {
                scaleRow(from, to, count: width, by: factors[i])
                from += width; to += width
            }
        }
    }
}

@inline(__always)
private func scaleRow(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, count: Int, by s: Float) {
    let src = UnsafeRawPointer(from), dst = UnsafeMutableRawPointer(to)
    let v = SIMD16<Float>(repeating: s)
    var j = 0
    while j + 16 <= count {
        dst.storeBytes(of: src.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self) * v, toByteOffset: j * 4,
                       as: SIMD16<Float>.self)
        j += 16
    }
    while j < count { to[j] = from[j] * s; j += 1 }
}

/// Runs the GEMM over rows [rows) and panels [panels) of C. Threads split either range.
public func runGEMM(kernels: KernelSet, weights: PackedGEMMWeights,
                    a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                    epilogue: ConvEpilogue, rows: Range<Int>, panels: Range<Int>) {
    if rows.isEmpty || panels.isEmpty { return }
    let blockRows = weights.blockRows
    let singleRow = rows.count == 1
    var start = rows.lowerBound
    while start < rows.upperBound {
        let end = min(start + blockRows, rows.upperBound)
        for index in panels {
            let panel = weights.panels[index]
            let kernel = kernels.gemmPanels[panel.kernelIndex]
            let args = GEMMTileArguments(
                a: a, lda: lda, k: weights.k, panel: weights.storage.pointer + panel.offset,
                c: c + panel.column, ldc: ldc, validColumns: panel.validColumns,
                residual: epilogue.residual.map { $0 + panel.column }, ldr: epilogue.residualStride,
                residualColumns: epilogue.residualChannels - panel.column,
                minValue: epilogue.minValue, maxValue: epilogue.maxValue, rowStart: start, rowEnd: end,
                nextPanelBytes: index + 1 < weights.panels.count ? (weights.panels[index + 1].offset - panel.offset) * 4 : 0)
            if singleRow { kernel.runSingleRow(args) } else { runTiles(kernel, args) }
        }
        start = end
    }
}

/// Prefetches `bytes` from p, a cache line at a time: a tile kernel's first tile calls it once
/// per step of k with the next panel's line of that step, so the next panel is on its way while
/// this one's first tile computes. The weights of a late layer are used once per inference and
/// come from L3 or DRAM: MobileNeXt's 7×7 1×1 layers lost about the time their weights take to
/// arrive from DRAM (208→1280: 0.09 ms over its FMA time, 1.06 MB at 12.8 GB/s) on Zen 1.
@inlinable @inline(__always)
func gemmPrefetch(_ p: UnsafeRawPointer, bytes: Int) {
    var o = 0
    while o < bytes {
        sg_prefetch(p + o)
        o &+= 64
    }
}

/// Rows past the last whole tile: the tile kernel computes a whole tile there anyway (its extra
/// rows alias the last valid one), so a tail of r rows costs as much as rowsPerTile rows. The
/// one-row kernel is load-bound (it reuses each weight vector once), at worst about half the
/// tile's speed per row, so for r ≤ rowsPerTile / 2 it is the cheaper: e.g. a 7×7 layer's 49 rows
/// on 6-row tiles were 9 tiles for 8⅙ of work.
@inline(__always)
func runTiles(_ kernel: GEMMPanelKernel, _ args: GEMMTileArguments) {
    let tail = (args.rowEnd - args.rowStart) % kernel.rowsPerTile
    if tail == 0 || tail * 2 > kernel.rowsPerTile {
        kernel.run(args)
        return
    }
    var tiles = args, rows = args
    tiles.rowEnd = args.rowEnd - tail
    rows.rowStart = tiles.rowEnd
    if tiles.rowEnd > tiles.rowStart { kernel.run(tiles) }
    kernel.runSingleRow(rows)
}
