// f32_dwconv3x3_s1 / f32_dwconv3x3_s2: 3x3 depthwise convolution over NHWC, vectorised over
// channels. Nine weight vectors stay in registers for a channel block; interior output
// pixels are computed four at a time so that neighbouring outputs share input loads; edge
// pixels (where a tap falls in the padding) take a checked path. Vertical padding reads the
// zero row. The epilogue applies bias, the optional (partial) shortcut add and the clamp.

@inlinable @inline(__always)
func depthwiseRow(_ a: DepthwiseArguments, _ iy: Int) -> UnsafePointer<Float> {
    (iy >= 0 && iy < a.inputHeight) ? a.input + iy &* a.inputWidth &* a.inputStride : a.zeros
}

/// The stride as a type, for the same reason as the epilogue arms (DepthwiseEpilogueKind): each
/// specialisation has its stride fixed.
public protocol DepthwiseStrideKind { static var stride: Int { get } }
public enum DepthwiseStride1: DepthwiseStrideKind { @inlinable public static var stride: Int { 1 } }
public enum DepthwiseStride2: DepthwiseStrideKind { @inlinable public static var stride: Int { 2 } }

/// One input row's three taps for one output pixel whose columns may fall in the padding.
@inlinable @inline(__always)
func depthwiseCheckedTaps<V: FloatVector>(_ acc: V, _ row: UnsafePointer<Float>, _ a: DepthwiseArguments,
                                   firstColumn ix: Int, channel c: Int, _ w0: V, _ w1: V, _ w2: V) -> V
{
    var s = acc
    let p = UnsafeRawPointer(row)
    if ix >= 0 && ix < a.inputWidth {
        s = s.addingProduct(p.load(fromByteOffset: (ix &* a.inputStride &+ c) &* 4, as: V.self), w0)
    }
    if ix &+ 1 >= 0 && ix &+ 1 < a.inputWidth {
        s = s.addingProduct(p.load(fromByteOffset: ((ix &+ 1) &* a.inputStride &+ c) &* 4, as: V.self), w1)
    }
    if ix &+ 2 >= 0 && ix &+ 2 < a.inputWidth {
        s = s.addingProduct(p.load(fromByteOffset: ((ix &+ 2) &* a.inputStride &+ c) &* 4, as: V.self), w2)
    }
    return s
}

/// Output columns [start, end) whose taps all fall inside the input (no horizontal padding).
@inlinable @inline(__always)
func depthwiseInteriorColumns(_ a: DepthwiseArguments) -> (start: Int, end: Int) {
    let s = a.stride
    let start = Swift.min((a.padLeft &+ s &- 1) / s, a.outputWidth)
    let last = a.inputWidth &- a.kernelSize &+ a.padLeft
    let end = last < 0 ? start : Swift.max(start, Swift.min(a.outputWidth, last / s &+ 1))
    return (start, end)
}

/// Three taps of one input row for four neighbouring outputs, stride 1 (six input columns).
@inlinable @inline(__always)
func depthwiseRow4s1<V: FloatVector>(_ q: UnsafeRawPointer, _ o: Int, _ d: Int, _ wa: V, _ wb: V, _ wc: V,
                                     _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V) {
    let i0 = q.load(fromByteOffset: o, as: V.self)
    let i1 = q.load(fromByteOffset: o &+ d, as: V.self)
    let i2 = q.load(fromByteOffset: o &+ 2 &* d, as: V.self)
    let i3 = q.load(fromByteOffset: o &+ 3 &* d, as: V.self)
    let i4 = q.load(fromByteOffset: o &+ 4 &* d, as: V.self)
    let i5 = q.load(fromByteOffset: o &+ 5 &* d, as: V.self)
    s0 = s0.addingProduct(i0, wa); s0 = s0.addingProduct(i1, wb); s0 = s0.addingProduct(i2, wc)
    s1 = s1.addingProduct(i1, wa); s1 = s1.addingProduct(i2, wb); s1 = s1.addingProduct(i3, wc)
    s2 = s2.addingProduct(i2, wa); s2 = s2.addingProduct(i3, wb); s2 = s2.addingProduct(i4, wc)
    s3 = s3.addingProduct(i3, wa); s3 = s3.addingProduct(i4, wb); s3 = s3.addingProduct(i5, wc)
}

/// Three taps of one input row for four neighbouring outputs, stride 2 (nine input columns).
@inlinable @inline(__always)
func depthwiseRow4s2<V: FloatVector>(_ q: UnsafeRawPointer, _ o: Int, _ d: Int, _ wa: V, _ wb: V, _ wc: V,
                                     _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V) {
    let i0 = q.load(fromByteOffset: o, as: V.self)
    let i1 = q.load(fromByteOffset: o &+ d, as: V.self)
    let i2 = q.load(fromByteOffset: o &+ 2 &* d, as: V.self)
    let i3 = q.load(fromByteOffset: o &+ 3 &* d, as: V.self)
    let i4 = q.load(fromByteOffset: o &+ 4 &* d, as: V.self)
    let i5 = q.load(fromByteOffset: o &+ 5 &* d, as: V.self)
    let i6 = q.load(fromByteOffset: o &+ 6 &* d, as: V.self)
    let i7 = q.load(fromByteOffset: o &+ 7 &* d, as: V.self)
    let i8 = q.load(fromByteOffset: o &+ 8 &* d, as: V.self)
    s0 = s0.addingProduct(i0, wa); s0 = s0.addingProduct(i1, wb); s0 = s0.addingProduct(i2, wc)
    s1 = s1.addingProduct(i2, wa); s1 = s1.addingProduct(i3, wb); s1 = s1.addingProduct(i4, wc)
    s2 = s2.addingProduct(i4, wa); s2 = s2.addingProduct(i5, wb); s2 = s2.addingProduct(i6, wc)
    s3 = s3.addingProduct(i6, wa); s3 = s3.addingProduct(i7, wb); s3 = s3.addingProduct(i8, wc)
}

/// Three taps of one input row for one output whose columns are all inside the input.
@inlinable @inline(__always)
func depthwiseRow1<V: FloatVector>(_ q: UnsafeRawPointer, _ o: Int, _ d: Int, _ wa: V, _ wb: V, _ wc: V, _ s: V) -> V {
    var r = s.addingProduct(q.load(fromByteOffset: o, as: V.self), wa)
    r = r.addingProduct(q.load(fromByteOffset: o &+ d, as: V.self), wb)
    return r.addingProduct(q.load(fromByteOffset: o &+ 2 &* d, as: V.self), wc)
}

@inlinable @inline(__always)
func f32_dwconv3x3<V: FloatVector, S: DepthwiseStrideKind>(_ a: DepthwiseArguments, rows: Range<Int>,
                                                           channels: Range<Int>, _: S.Type, _: V.Type) {
    let w = V.scalarCount
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    // One channel vector outside, rows inside: its nine weights and bias stay in registers for
    // the whole map, and the three input rows it reads stay in L1 from one output row to the
    // next, so each input line is read from L2 once rather than once per output row using it.
    out.forEachChannelVector(channels, width: w, F32DwConv3x3Work<V, S>(a: a, out: out, rows: rows))
}

/// f32_dwconv3x3's work on one channel vector, for DepthwiseOutput.forEachChannelVector.
@usableFromInline
struct F32DwConv3x3Work<V: FloatVector, S: DepthwiseStrideKind>: DepthwiseChannelVectorWork {
    @usableFromInline let a: DepthwiseArguments
    @usableFromInline let out: DepthwiseOutput
    @usableFromInline let rows: Range<Int>
    @inlinable @inline(__always)
    init(a: DepthwiseArguments, out: DepthwiseOutput, rows: Range<Int>) { self.a = a; self.out = out; self.rows = rows }
    // Not inlined: see DepthwiseChannelVectorWork.
    @inlinable @inline(never)
    func run<E: DepthwiseEpilogueKind>(channel: Int, lanes: Int, _: E.Type) {
        f32_dwconv3x3_vector(a, out, rows: rows, channel: channel, lanes: lanes, S.self, E.self, V.self)
    }
}

/// All rows of one channel vector, with the epilogue E fixed (see DepthwiseEpilogueKind).
@inlinable @inline(__always)
func f32_dwconv3x3_vector<V: FloatVector, S: DepthwiseStrideKind, E: DepthwiseEpilogueKind>(
    _ a: DepthwiseArguments, _ out: DepthwiseOutput, rows: Range<Int>, channel c: Int, lanes: Int,
    _: S.Type, _: E.Type, _: V.Type
) {
    let stride = S.stride
    let inS = a.inputStride
    let d = inS &* 4
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let weights = UnsafeRawPointer(a.weights)
    let ws = a.weightStride
    let (xStart, xEnd) = depthwiseInteriorColumns(a)
    let w00 = weights.load(fromByteOffset: (0 &* ws &+ c) &* 4, as: V.self)
    let w01 = weights.load(fromByteOffset: (1 &* ws &+ c) &* 4, as: V.self)
    let w02 = weights.load(fromByteOffset: (2 &* ws &+ c) &* 4, as: V.self)
    let w10 = weights.load(fromByteOffset: (3 &* ws &+ c) &* 4, as: V.self)
    let w11 = weights.load(fromByteOffset: (4 &* ws &+ c) &* 4, as: V.self)
    let w12 = weights.load(fromByteOffset: (5 &* ws &+ c) &* 4, as: V.self)
    let w20 = weights.load(fromByteOffset: (6 &* ws &+ c) &* 4, as: V.self)
    let w21 = weights.load(fromByteOffset: (7 &* ws &+ c) &* 4, as: V.self)
    let w22 = weights.load(fromByteOffset: (8 &* ws &+ c) &* 4, as: V.self)
    let bias = weights.load(fromByteOffset: (9 &* ws &+ c) &* 4, as: V.self)
    @inline(__always) func put(_ v: V, _ pixel: Int) {
        out.store(v, pixel: pixel, channel: c, lanes: lanes, epilogue: E.code, lo, hi)
    }
    for y in rows {
        let iy = y &* stride &- a.padTop
        let r0 = depthwiseRow(a, iy)
        let r1 = depthwiseRow(a, iy &+ 1)
        let r2 = depthwiseRow(a, iy &+ 2)
        let q0 = UnsafeRawPointer(r0), q1 = UnsafeRawPointer(r1), q2 = UnsafeRawPointer(r2)
        let outRow = y &* a.outputWidth
        // Edge columns: taps in the padding are skipped.
        @inline(__always) func edge(_ x: Int) {
            let ix = x &* stride &- a.padLeft
            var s = depthwiseCheckedTaps(bias, r0, a, firstColumn: ix, channel: c, w00, w01, w02)
            s = depthwiseCheckedTaps(s, r1, a, firstColumn: ix, channel: c, w10, w11, w12)
            s = depthwiseCheckedTaps(s, r2, a, firstColumn: ix, channel: c, w20, w21, w22)
            put(s, outRow &+ x)
        }
        var x = 0
        while x < xStart { edge(x); x &+= 1 }
        // Interior, four outputs at a time sharing their input loads.
        while x &+ 4 <= xEnd {
            let o = ((x &* stride &- a.padLeft) &* inS &+ c) &* 4
            var s0 = bias, s1 = bias, s2 = bias, s3 = bias
            if stride == 1 {
                depthwiseRow4s1(q0, o, d, w00, w01, w02, &s0, &s1, &s2, &s3)
                depthwiseRow4s1(q1, o, d, w10, w11, w12, &s0, &s1, &s2, &s3)
                depthwiseRow4s1(q2, o, d, w20, w21, w22, &s0, &s1, &s2, &s3)
            } else {
                depthwiseRow4s2(q0, o, d, w00, w01, w02, &s0, &s1, &s2, &s3)
                depthwiseRow4s2(q1, o, d, w10, w11, w12, &s0, &s1, &s2, &s3)
                depthwiseRow4s2(q2, o, d, w20, w21, w22, &s0, &s1, &s2, &s3)
            }
            put(s0, outRow &+ x)
            put(s1, outRow &+ x &+ 1)
            put(s2, outRow &+ x &+ 2)
            put(s3, outRow &+ x &+ 3)
            x &+= 4
        }
        // Interior remainder, one at a time.
        while x < xEnd {
            let o = ((x &* stride &- a.padLeft) &* inS &+ c) &* 4
            var s = depthwiseRow1(q0, o, d, w00, w01, w02, bias)
            s = depthwiseRow1(q1, o, d, w10, w11, w12, s)
            s = depthwiseRow1(q2, o, d, w20, w21, w22, s)
            put(s, outRow &+ x)
            x &+= 1
        }
        while x < a.outputWidth { edge(x); x &+= 1 }
    }
}

/// 3x3 depthwise, stride 1, any padding.
@inlinable @inline(__always)
public func f32_dwconv3x3_s1<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                      _ v: V.Type) {
    f32_dwconv3x3(a, rows: rows, channels: channels, DepthwiseStride1.self, v)
}

/// 3x3 depthwise, stride 2, any padding.
@inlinable @inline(__always)
public func f32_dwconv3x3_s2<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                      _ v: V.Type) {
    f32_dwconv3x3(a, rows: rows, channels: channels, DepthwiseStride2.self, v)
}
