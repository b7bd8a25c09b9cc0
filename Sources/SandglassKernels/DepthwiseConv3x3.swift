// f32_dwconv3x3_s1 / f32_dwconv3x3_s2: 3x3 depthwise convolution over NHWC, vectorised over
// channels. Nine weight vectors stay in registers for a channel block; interior output
// pixels are computed four at a time so that neighbouring outputs share input loads; edge
// pixels (where a tap falls in the padding) take a checked path. Vertical padding reads the
// zero row. The epilogue applies bias, the optional (partial) shortcut add and the clamp.

@inlinable @inline(__always)
func depthwiseRow(_ a: DepthwiseArguments, _ iy: Int) -> UnsafePointer<Float> {
    (iy >= 0 && iy < a.inputHeight) ? a.input + iy &* a.inputWidth &* a.inputStride : a.zeros
}

/// Where the epilogue of a depthwise or direct kernel writes, hoisted out of the loops: Swift
/// 6.0 re-reads an Optional field of the argument struct at every store through an outlined
/// copy (a call, with vzeroupper), so the kernels read it once into this.
public struct DepthwiseOutput {
    @usableFromInline let output: UnsafeMutablePointer<Float>
    @usableFromInline let outputStride: Int
    /// The residual, or any valid pointer when `residualChannels` is 0.
    @usableFromInline let residual: UnsafePointer<Float>
    @usableFromInline let residualStride: Int
    @usableFromInline let residualChannels: Int
    @usableFromInline let silu: Bool
    /// No clamp: the bounds are -inf and +inf (a layer without activation).
    @usableFromInline let linear: Bool

    @inlinable @inline(__always)
    init(_ output: UnsafeMutablePointer<Float>, stride: Int, _ e: ConvEpilogue) {
        self.output = output
        outputStride = stride
        residual = e.residual ?? UnsafePointer(output)
        residualStride = e.residualStride
        residualChannels = e.residual == nil ? 0 : e.residualChannels
        silu = e.silu
        linear = e.minValue == -.infinity && e.maxValue == .infinity
    }

    /// The epilogue of a channel vector starting at `channel` with `lanes` channels left: 0 =
    /// clamp and store a full vector; 1 = add a full vector of residual first; 2 = the general
    /// case (tail lanes, or a partial shortcut ending inside this vector); 3 = clamp, SiLU and
    /// store a full vector (ConvEpilogue.silu, no residual in this vector); 4 and 5 = 0 and 1
    /// without the clamp, for a layer with no activation (MobileNeXt's second depthwise, whose
    /// shortcut add would otherwise need two more vector registers than the kernel has). It is
    /// fixed for a whole channel vector, so kernels choose it once and pass it on as a type
    /// (DepthwiseEpilogueKind), which keeps the lane and residual checks out of their inner loops.
    @inlinable @inline(__always)
    func epilogue(channel: Int, lanes: Int, width w: Int) -> Int {
        let residualLanes = residualChannels &- channel
        if silu { return lanes >= w && residualLanes <= 0 ? 3 : 2 }
        if lanes >= w && residualLanes <= 0 { return linear ? 4 : 0 }
        if lanes >= w && residualLanes >= w { return linear ? 5 : 1 }
        return 2
    }

    /// Stores one output vector with the epilogue chosen by `epilogue(channel:lanes:width:)`,
    /// given as a constant.
    @inlinable @inline(__always)
    func store<V: FloatVector>(_ v: V, pixel: Int, channel c: Int, lanes: Int, epilogue: Int, _ lo: V, _ hi: V) {
        let at = (pixel &* outputStride &+ c) &* 4
        switch epilogue {
        case 0:
            UnsafeMutableRawPointer(output).storeBytes(of: v.clamped(lo, hi), toByteOffset: at, as: V.self)
        case 1:
            let r = UnsafeRawPointer(residual).load(fromByteOffset: (pixel &* residualStride &+ c) &* 4, as: V.self)
            UnsafeMutableRawPointer(output).storeBytes(of: v.adding(r).clamped(lo, hi), toByteOffset: at, as: V.self)
        case 3:
            let x = v.clamped(lo, hi)
            UnsafeMutableRawPointer(output).storeBytes(of: x.multiplied(by: x.sigmoid()), toByteOffset: at, as: V.self)
        case 4:
            UnsafeMutableRawPointer(output).storeBytes(of: v, toByteOffset: at, as: V.self)
        case 5:
            let r = UnsafeRawPointer(residual).load(fromByteOffset: (pixel &* residualStride &+ c) &* 4, as: V.self)
            UnsafeMutableRawPointer(output).storeBytes(of: v.adding(r), toByteOffset: at, as: V.self)
        default:
            store(v, pixel: pixel, channel: c, lanes: lanes, lo, hi)
        }
    }

    @inlinable @inline(__always)
    func store<V: FloatVector>(_ acc: V, pixel: Int, channel: Int, lanes: Int, _ lo: V, _ hi: V) {
        var x = acc
        let n = residualChannels &- channel
        if n > 0 { x = addResidual(x, residual + (pixel &* residualStride &+ channel), lanes: n) }
        x = x.clamped(lo, hi)
        if silu { x = x.multiplied(by: x.sigmoid()) }
        storeVector(x, output + (pixel &* outputStride &+ channel), lanes: lanes)
    }
}

/// The epilogue of a whole channel vector (see `DepthwiseOutput.epilogue`) as a type, so that a
/// kernel is specialised once per epilogue, with the arm fixed at compile time. Passed as an Int
/// constant it depended on the inliner: Swift 6.3 inlined one arm and outlined the others as one
/// copy with the arm a run-time switch at every store, and a depthwise layer with MobileNeXt's
/// shortcut add ran 1.4-2.1x the time of the same layer without it.
public protocol DepthwiseEpilogueKind { static var code: Int { get } }
/// Clamp and store a full vector.
public enum ClampEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 0 } }
/// Add a full vector of residual, clamp and store.
public enum ResidualEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 1 } }
/// Tail lanes, or a partial shortcut ending inside this vector.
public enum GeneralEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 2 } }
/// Clamp, SiLU and store a full vector.
public enum SiLUEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 3 } }
/// Store a full vector as it is (no activation).
public enum LinearEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 4 } }
/// Add a full vector of residual and store (no activation).
public enum LinearResidualEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 5 } }

/// The stride as a type, for the same reason: each specialisation has its stride fixed.
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
    var c = channels.lowerBound
    while c < channels.upperBound {
        let lanes = channels.upperBound &- c
        switch out.epilogue(channel: c, lanes: lanes, width: w) {
        case 0: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, ClampEpilogue.self, V.self)
        case 1: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, ResidualEpilogue.self, V.self)
        case 3: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, SiLUEpilogue.self, V.self)
        case 4: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, LinearEpilogue.self, V.self)
        case 5: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, LinearResidualEpilogue.self, V.self)
        default: f32_dwconv3x3_vector(a, out, rows: rows, channel: c, lanes: lanes, S.self, GeneralEpilogue.self, V.self)
        }
        c &+= w
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
