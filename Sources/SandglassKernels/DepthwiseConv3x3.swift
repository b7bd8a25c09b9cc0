// f32_dwconv3x3_s1 / f32_dwconv3x3_s2: 3x3 depthwise convolution over NHWC, vectorised over
// channels. For each output row, interior pixels go four at a time, so that neighbouring outputs
// share input loads, across every channel vector, with the weights read from L1 for each block;
// edge pixels (where a tap falls in the padding) take a checked path. Vertical padding reads the
// zero row. The epilogue applies bias, the optional (partial) shortcut add and the clamp.
//
// Pixels outer, channel vectors inner (until 2026-12-04 it was the other way round, one channel
// vector over the whole band with its nine weights in registers): that order used one vector of
// each pixel's line per pass, and on wide maps, where three input rows do not fit in L1
// (112×112×32 floats: 43 KB), each line came from L2 or L3 once per pass, in strides. Here each
// line is used whole when it arrives, in address order. Zen 3, in the network (bench
// --per-layer, tuning off), old -> new order: 112×112×32 s1 0.265 -> 0.124 ms, 112×112×96 s2
// 0.250 -> 0.212, 28×28 dw+add 0.080 -> 0.056, 14×14×384 0.052 -> 0.033, 14×14 -> 7×7 s2
// 0.032 -> 0.022; the 7-wide stride-1 maps keep f32_dwconv3x3_s1_w7.

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
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    out.forEachChannelRun(channels, width: V.scalarCount, F32DwConv3x3Work<V, S>(a: a, out: out, rows: rows))
}

/// f32_dwconv3x3's work on a run of channel vectors sharing one epilogue arm, for
/// DepthwiseOutput.forEachChannelRun.
@usableFromInline
struct F32DwConv3x3Work<V: FloatVector, S: DepthwiseStrideKind>: DepthwiseChannelRunWork {
    @usableFromInline let a: DepthwiseArguments
    @usableFromInline let out: DepthwiseOutput
    @usableFromInline let rows: Range<Int>
    @inlinable @inline(__always)
    init(a: DepthwiseArguments, out: DepthwiseOutput, rows: Range<Int>) { self.a = a; self.out = out; self.rows = rows }
    // Not inlined: see DepthwiseChannelVectorWork.
    @inlinable @inline(never)
    func run<E: DepthwiseEpilogueKind>(channels: Range<Int>, _: E.Type) {
        f32_dwconv3x3_run(a, out, rows: rows, channels: channels, S.self, E.self, V.self)
    }
}

@inlinable @inline(__always)
func f32_dwconv3x3_run<V: FloatVector, S: DepthwiseStrideKind, E: DepthwiseEpilogueKind>(
    _ a: DepthwiseArguments, _ out: DepthwiseOutput, rows: Range<Int>, channels: Range<Int>,
    _: S.Type, _: E.Type, _: V.Type
) {
    let w = V.scalarCount
    let stride = S.stride
    let inS = a.inputStride
    let d = inS &* 4
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let weights = UnsafeRawPointer(a.weights)
    // Bytes from one tap's weight row to the next.
    let ws = a.weightStride &* 4
    let end = channels.upperBound
    let (xStart, xEnd) = depthwiseInteriorColumns(a)
    @inline(__always) func tap(_ k: Int, _ c: Int) -> V { weights.load(fromByteOffset: k &* ws &+ c &* 4, as: V.self) }
    @inline(__always) func put(_ v: V, _ pixel: Int, _ c: Int) {
        out.store(v, pixel: pixel, channel: c, lanes: end &- c, epilogue: E.code, lo, hi)
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
            var c = channels.lowerBound
            while c < end {
                var s = depthwiseCheckedTaps(tap(9, c), r0, a, firstColumn: ix, channel: c, tap(0, c), tap(1, c), tap(2, c))
                s = depthwiseCheckedTaps(s, r1, a, firstColumn: ix, channel: c, tap(3, c), tap(4, c), tap(5, c))
                s = depthwiseCheckedTaps(s, r2, a, firstColumn: ix, channel: c, tap(6, c), tap(7, c), tap(8, c))
                put(s, outRow &+ x, c)
                c &+= w
            }
        }
        var x = 0
        while x < xStart { edge(x); x &+= 1 }
        // Interior, four outputs at a time, every channel vector of the run.
        while x &+ 4 <= xEnd {
            let pixelBytes = (x &* stride &- a.padLeft) &* d
            var c = channels.lowerBound
            while c < end {
                let o = pixelBytes &+ c &* 4
                let bias = tap(9, c)
                var s0 = bias, s1 = bias, s2 = bias, s3 = bias
                if stride == 1 {
                    depthwiseRow4s1(q0, o, d, tap(0, c), tap(1, c), tap(2, c), &s0, &s1, &s2, &s3)
                    depthwiseRow4s1(q1, o, d, tap(3, c), tap(4, c), tap(5, c), &s0, &s1, &s2, &s3)
                    depthwiseRow4s1(q2, o, d, tap(6, c), tap(7, c), tap(8, c), &s0, &s1, &s2, &s3)
                } else {
                    depthwiseRow4s2(q0, o, d, tap(0, c), tap(1, c), tap(2, c), &s0, &s1, &s2, &s3)
                    depthwiseRow4s2(q1, o, d, tap(3, c), tap(4, c), tap(5, c), &s0, &s1, &s2, &s3)
                    depthwiseRow4s2(q2, o, d, tap(6, c), tap(7, c), tap(8, c), &s0, &s1, &s2, &s3)
                }
                put(s0, outRow &+ x, c)
                put(s1, outRow &+ x &+ 1, c)
                put(s2, outRow &+ x &+ 2, c)
                put(s3, outRow &+ x &+ 3, c)
                c &+= w
            }
            x &+= 4
        }
        // Interior remainder, one output at a time.
        while x < xEnd {
            let pixelBytes = (x &* stride &- a.padLeft) &* d
            var c = channels.lowerBound
            while c < end {
                let o = pixelBytes &+ c &* 4
                var s = depthwiseRow1(q0, o, d, tap(0, c), tap(1, c), tap(2, c), tap(9, c))
                s = depthwiseRow1(q1, o, d, tap(3, c), tap(4, c), tap(5, c), s)
                s = depthwiseRow1(q2, o, d, tap(6, c), tap(7, c), tap(8, c), s)
                put(s, outRow &+ x, c)
                c &+= w
            }
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
