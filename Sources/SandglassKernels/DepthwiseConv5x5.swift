// f32_dwconv5x5_s1 / f32_dwconv5x5_s2: 5x5 depthwise convolution over NHWC (MnasNet,
// MobileNetV3, EfficientNet), vectorised over channels. Each output row goes in segments of seven
// outputs held in seven accumulators: per kernel row, every input column under the segment (11 at
// stride 1, 17 at stride 2) is loaded once and multiplied into each output it touches (35 FMAs for
// 11 or 17 loads and 5 weight loads). A column outside the map, at the edges, reads the zero row,
// so edges take the same code as the interior (with a bounds select per column), and vertical
// padding reads the zero row too. Seven divides every map width of these networks at 224 (112,
// 56, 28, 14, 7); a shorter last segment computes its unused outputs on zeros and drops them.
// Rows of one channel vector run inside, as in f32_dwconv3x3 (the planner bands large maps).
// The segment helpers are @_transparent: as @inline(__always) the optimizer outlined them in some
// builds and not others (a call per kernel row, with the stride and the bounds select left as
// run-time branches: 1.6x the layer time), so they are inlined by the mandatory pass instead.

/// The input row of one kernel row, for one channel vector: loads columns, reading the zero row
/// for a column outside the map when `checked`.
public struct DepthwiseColumns {
    @usableFromInline let row: UnsafeRawPointer
    @usableFromInline let zeros: UnsafeRawPointer
    /// Bytes per input pixel, and the channel vector's byte offset in a pixel.
    @usableFromInline let pixelBytes: Int
    @usableFromInline let channelBytes: Int
    @usableFromInline let width: Int

    @inlinable @inline(__always)
    init(_ a: DepthwiseArguments, row: UnsafePointer<Float>, channel c: Int) {
        self.row = UnsafeRawPointer(row)
        zeros = UnsafeRawPointer(a.zeros)
        pixelBytes = a.inputStride &* 4
        channelBytes = c &* 4
        width = a.inputWidth
    }

    @_transparent @usableFromInline
    func load<V: FloatVector>(_ j: Int, checked: Bool) -> V {
        if !checked { return row.load(fromByteOffset: j &* pixelBytes &+ channelBytes, as: V.self) }
        let inside = j >= 0 && j < width
        let p = inside ? row + j &* pixelBytes : zeros
        return p.load(fromByteOffset: channelBytes, as: V.self)
    }
}

/// One kernel row's taps for seven outputs at stride 1: 11 input columns from `j0`, each loaded
/// once and multiplied into every output it touches, in column order so few stay live.
@_transparent @usableFromInline
func depthwiseSegment7k5s1<V: FloatVector>(_ q: DepthwiseColumns, _ j0: Int, checked: Bool,
                                        _ wq: UnsafeRawPointer, _ wd: Int,
                                        _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V,
                                        _ s4: inout V, _ s5: inout V, _ s6: inout V) {
    let w0 = wq.load(as: V.self), w1 = wq.load(fromByteOffset: wd, as: V.self)
    let w2 = wq.load(fromByteOffset: 2 &* wd, as: V.self), w3 = wq.load(fromByteOffset: 3 &* wd, as: V.self)
    let w4 = wq.load(fromByteOffset: 4 &* wd, as: V.self)
    do { let x: V = q.load(j0 &+ 0, checked: checked); s0 = s0.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 1, checked: checked); s0 = s0.addingProduct(x, w1); s1 = s1.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 2, checked: checked); s0 = s0.addingProduct(x, w2); s1 = s1.addingProduct(x, w1); s2 = s2.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 3, checked: checked); s0 = s0.addingProduct(x, w3); s1 = s1.addingProduct(x, w2); s2 = s2.addingProduct(x, w1); s3 = s3.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 4, checked: checked); s0 = s0.addingProduct(x, w4); s1 = s1.addingProduct(x, w3); s2 = s2.addingProduct(x, w2); s3 = s3.addingProduct(x, w1); s4 = s4.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 5, checked: checked); s1 = s1.addingProduct(x, w4); s2 = s2.addingProduct(x, w3); s3 = s3.addingProduct(x, w2); s4 = s4.addingProduct(x, w1); s5 = s5.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 6, checked: checked); s2 = s2.addingProduct(x, w4); s3 = s3.addingProduct(x, w3); s4 = s4.addingProduct(x, w2); s5 = s5.addingProduct(x, w1); s6 = s6.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 7, checked: checked); s3 = s3.addingProduct(x, w4); s4 = s4.addingProduct(x, w3); s5 = s5.addingProduct(x, w2); s6 = s6.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 8, checked: checked); s4 = s4.addingProduct(x, w4); s5 = s5.addingProduct(x, w3); s6 = s6.addingProduct(x, w2) }
    do { let x: V = q.load(j0 &+ 9, checked: checked); s5 = s5.addingProduct(x, w4); s6 = s6.addingProduct(x, w3) }
    do { let x: V = q.load(j0 &+ 10, checked: checked); s6 = s6.addingProduct(x, w4) }
}

/// One kernel row's taps for seven outputs at stride 2: 17 input columns from `j0`, each loaded
/// once and multiplied into every output it touches, in column order so few stay live.
@_transparent @usableFromInline
func depthwiseSegment7k5s2<V: FloatVector>(_ q: DepthwiseColumns, _ j0: Int, checked: Bool,
                                        _ wq: UnsafeRawPointer, _ wd: Int,
                                        _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V,
                                        _ s4: inout V, _ s5: inout V, _ s6: inout V) {
    let w0 = wq.load(as: V.self), w1 = wq.load(fromByteOffset: wd, as: V.self)
    let w2 = wq.load(fromByteOffset: 2 &* wd, as: V.self), w3 = wq.load(fromByteOffset: 3 &* wd, as: V.self)
    let w4 = wq.load(fromByteOffset: 4 &* wd, as: V.self)
    do { let x: V = q.load(j0 &+ 0, checked: checked); s0 = s0.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 1, checked: checked); s0 = s0.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 2, checked: checked); s0 = s0.addingProduct(x, w2); s1 = s1.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 3, checked: checked); s0 = s0.addingProduct(x, w3); s1 = s1.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 4, checked: checked); s0 = s0.addingProduct(x, w4); s1 = s1.addingProduct(x, w2); s2 = s2.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 5, checked: checked); s1 = s1.addingProduct(x, w3); s2 = s2.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 6, checked: checked); s1 = s1.addingProduct(x, w4); s2 = s2.addingProduct(x, w2); s3 = s3.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 7, checked: checked); s2 = s2.addingProduct(x, w3); s3 = s3.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 8, checked: checked); s2 = s2.addingProduct(x, w4); s3 = s3.addingProduct(x, w2); s4 = s4.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 9, checked: checked); s3 = s3.addingProduct(x, w3); s4 = s4.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 10, checked: checked); s3 = s3.addingProduct(x, w4); s4 = s4.addingProduct(x, w2); s5 = s5.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 11, checked: checked); s4 = s4.addingProduct(x, w3); s5 = s5.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 12, checked: checked); s4 = s4.addingProduct(x, w4); s5 = s5.addingProduct(x, w2); s6 = s6.addingProduct(x, w0) }
    do { let x: V = q.load(j0 &+ 13, checked: checked); s5 = s5.addingProduct(x, w3); s6 = s6.addingProduct(x, w1) }
    do { let x: V = q.load(j0 &+ 14, checked: checked); s5 = s5.addingProduct(x, w4); s6 = s6.addingProduct(x, w2) }
    do { let x: V = q.load(j0 &+ 15, checked: checked); s6 = s6.addingProduct(x, w3) }
    do { let x: V = q.load(j0 &+ 16, checked: checked); s6 = s6.addingProduct(x, w4) }
}

/// The five kernel rows of one segment of seven outputs starting at output column `x0`.
@_transparent @usableFromInline
func depthwiseSegment7k5<V: FloatVector>(_ r: (DepthwiseColumns, DepthwiseColumns, DepthwiseColumns, DepthwiseColumns, DepthwiseColumns),
                                         _ j0: Int, stride: Int, checked: Bool, _ wq: UnsafeRawPointer, _ wd: Int,
                                         _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V,
                                         _ s4: inout V, _ s5: inout V, _ s6: inout V) {
    if stride == 1 {
        depthwiseSegment7k5s1(r.0, j0, checked: checked, wq, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s1(r.1, j0, checked: checked, wq + 5 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s1(r.2, j0, checked: checked, wq + 10 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s1(r.3, j0, checked: checked, wq + 15 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s1(r.4, j0, checked: checked, wq + 20 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
    } else {
        depthwiseSegment7k5s2(r.0, j0, checked: checked, wq, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s2(r.1, j0, checked: checked, wq + 5 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s2(r.2, j0, checked: checked, wq + 10 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s2(r.3, j0, checked: checked, wq + 15 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
        depthwiseSegment7k5s2(r.4, j0, checked: checked, wq + 20 &* wd, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
    }
}

@inlinable @inline(__always)
func f32_dwconv5x5<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                   stride: Int, _: V.Type) {
    // One channel vector's pixels lie `inputStride` floats apart; when that is a multiple of 128
    // (512 B: 1152 channels in EfficientNet's last stages) they, the vector's output pixels and
    // its taps all fall in 8 of L1's 64 sets and evict each other when one vector goes over all
    // rows. Small maps of such strides go a row at a time across the channel vectors instead:
    // EfficientNet-B0's 7×7×1152 layers ran 0.115 → 0.080 ms in-network on Zen 5.
    // One call site: with two, the optimizer outlined f32_dwconv5x5_channels (a call per channel
    // vector, with the stride and the epilogue left as run-time values) in every 5x5 layer.
    let rowsAtATime = a.outputWidth <= 14 && a.inputStride % 128 == 0 ? 1 : rows.count
    var y = rows.lowerBound
    while y < rows.upperBound {
        let end = Swift.min(y &+ rowsAtATime, rows.upperBound)
        f32_dwconv5x5_channels(a, rows: y ..< end, channels: channels, stride: stride, V.self)
        y = end
    }
}

@inlinable @inline(__always)
func f32_dwconv5x5_channels<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                            stride: Int, _: V.Type) {
    let w = V.scalarCount
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    // No arm of its own for SiLU (epilogue 3): it takes the general store. With a fourth
    // arm, when arms were Int constants, this kernel ran 1.35x slower on Zen 5 for every
    // network (MobileNetV3's 5x5 layers 0.19 -> 0.26 ms), and EfficientNet-B0 gained nothing
    // measurable from it; not measured again since arms are types (DepthwiseEpilogueKind).
    out.forEachChannelVector(channels, width: w, siluArm: false,
                             F32DwConv5x5Work<V>(a: a, out: out, rows: rows, stride: stride))
}

/// f32_dwconv5x5's work on one channel vector, for DepthwiseOutput.forEachChannelVector.
@usableFromInline
struct F32DwConv5x5Work<V: FloatVector>: DepthwiseChannelVectorWork {
    @usableFromInline let a: DepthwiseArguments
    @usableFromInline let out: DepthwiseOutput
    @usableFromInline let rows: Range<Int>
    @usableFromInline let stride: Int
    @inlinable @inline(__always)
    init(a: DepthwiseArguments, out: DepthwiseOutput, rows: Range<Int>, stride: Int) {
        self.a = a; self.out = out; self.rows = rows; self.stride = stride
    }
    // Not inlined: see DepthwiseChannelVectorWork.
    @inlinable @inline(never)
    func run<E: DepthwiseEpilogueKind>(channel: Int, lanes: Int, _: E.Type) {
        f32_dwconv5x5_vector(a, out, rows: rows, channel: channel, lanes: lanes, stride: stride, E.self, V.self)
    }
}

/// All rows of one channel vector, with the epilogue E fixed (see DepthwiseEpilogueKind).
@inlinable @inline(__always)
func f32_dwconv5x5_vector<V: FloatVector, E: DepthwiseEpilogueKind>(
    _ a: DepthwiseArguments, _ out: DepthwiseOutput, rows: Range<Int>, channel c: Int, lanes: Int, stride: Int,
    _: E.Type, _: V.Type
) {
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let wd = a.weightStride &* 4
    // Weights of kernel row ky start at wq + ky * 5 * wd; the bias follows the 25 taps.
    let wq = UnsafeRawPointer(a.weights) + c &* 4
    let bias = wq.load(fromByteOffset: 25 &* wd, as: V.self)
    let columns = 6 &* stride &+ 5
    @inline(__always) func put(_ v: V, _ pixel: Int) {
        out.store(v, pixel: pixel, channel: c, lanes: lanes, epilogue: E.code, lo, hi)
    }
    for y in rows {
        let iy = y &* stride &- a.padTop
        let r = (DepthwiseColumns(a, row: depthwiseRow(a, iy), channel: c),
                 DepthwiseColumns(a, row: depthwiseRow(a, iy &+ 1), channel: c),
                 DepthwiseColumns(a, row: depthwiseRow(a, iy &+ 2), channel: c),
                 DepthwiseColumns(a, row: depthwiseRow(a, iy &+ 3), channel: c),
                 DepthwiseColumns(a, row: depthwiseRow(a, iy &+ 4), channel: c))
        let outRow = y &* a.outputWidth
        var x0 = 0
        while x0 < a.outputWidth {
            let j0 = x0 &* stride &- a.padLeft
            var s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias
            if j0 >= 0 && j0 &+ columns <= a.inputWidth {
                depthwiseSegment7k5(r, j0, stride: stride, checked: false, wq, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
            } else {
                depthwiseSegment7k5(r, j0, stride: stride, checked: true, wq, wd, &s0, &s1, &s2, &s3, &s4, &s5, &s6)
            }
            let n = a.outputWidth &- x0
            let p = outRow &+ x0
            if n >= 7 {
                put(s0, p); put(s1, p &+ 1); put(s2, p &+ 2); put(s3, p &+ 3)
                put(s4, p &+ 4); put(s5, p &+ 5); put(s6, p &+ 6)
            } else {
                put(s0, p)
                if n > 1 { put(s1, p &+ 1) }
                if n > 2 { put(s2, p &+ 2) }
                if n > 3 { put(s3, p &+ 3) }
                if n > 4 { put(s4, p &+ 4) }
                if n > 5 { put(s5, p &+ 5) }
            }
            x0 &+= 7
        }
    }
}

/// 5x5 depthwise, stride 1, any padding.
@inlinable @inline(__always)
public func f32_dwconv5x5_s1<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                             _ v: V.Type) {
    f32_dwconv5x5(a, rows: rows, channels: channels, stride: 1, v)
}

/// 5x5 depthwise, stride 2, any padding.
@inlinable @inline(__always)
public func f32_dwconv5x5_s2<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                             _ v: V.Type) {
    f32_dwconv5x5(a, rows: rows, channels: channels, stride: 2, v)
}
