// f32_dwconv3x3_s1_4xc / f32_dwconv3x3_s2_4xc: 3x3 depthwise with the loops of f32_dwconv3x3
// turned around: for each output row, four output pixels at a time across every channel vector,
// the weights read from L1 for each block instead of held in registers.
//
// f32_dwconv3x3 passes over a band once per channel vector and uses 32 bytes (one AVX2 vector) of
// each pixel's line per pass. On wide maps three input rows do not fit in L1 (112×112×32 floats:
// 43 KB), so the passes fetch each line from L2 or L3 again, and the lines arrive in strides
// that the prefetchers follow poorly. Here each line is used whole as soon as it arrives, in
// address order. Measured on Zen 3 (input flushed to L3 before each call, interior columns):
// 112×112×32 s1 0.60-0.68 of f32_dwconv3x3's time, 112×112×96 s2 0.75-0.82, 56×56×144 s1
// 0.77-0.97, 28×28×192 s1 0.63-0.71.

/// Whether the pixels-outer order applies: 3x3 maps at least `depthwisePixelsMinimumWidth` wide
/// (narrower rows fit in L1, where holding the weights in registers wins).
@inlinable @inline(__always)
public func depthwisePixelsApply(_ a: DepthwiseArguments, stride: Int) -> Bool {
    a.kernelSize == 3 && a.stride == stride && a.outputWidth >= depthwisePixelsMinimumWidth
}

/// Output width from which the 3x3 depthwise layers run pixels outer (DepthwiseVariant.k3s1p,
/// .k3s2p).
public let depthwisePixelsMinimumWidth = 28

@inlinable @inline(__always)
func f32_dwconv3x3_4xc<V: FloatVector, S: DepthwiseStrideKind>(_ a: DepthwiseArguments, rows: Range<Int>,
                                                               channels: Range<Int>, _: S.Type, _: V.Type) {
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    out.forEachChannelRun(channels, width: V.scalarCount, F32DwConv3x3PixelsWork<V, S>(a: a, out: out, rows: rows))
}

/// f32_dwconv3x3_4xc's work on a run of channel vectors sharing one epilogue arm, for
/// DepthwiseOutput.forEachChannelRun.
@usableFromInline
struct F32DwConv3x3PixelsWork<V: FloatVector, S: DepthwiseStrideKind>: DepthwiseChannelRunWork {
    @usableFromInline let a: DepthwiseArguments
    @usableFromInline let out: DepthwiseOutput
    @usableFromInline let rows: Range<Int>
    @inlinable @inline(__always)
    init(a: DepthwiseArguments, out: DepthwiseOutput, rows: Range<Int>) { self.a = a; self.out = out; self.rows = rows }
    // Not inlined: see DepthwiseChannelVectorWork.
    @inlinable @inline(never)
    func run<E: DepthwiseEpilogueKind>(channels: Range<Int>, _: E.Type) {
        f32_dwconv3x3_4xc_run(a, out, rows: rows, channels: channels, S.self, E.self, V.self)
    }
}

@inlinable @inline(__always)
func f32_dwconv3x3_4xc_run<V: FloatVector, S: DepthwiseStrideKind, E: DepthwiseEpilogueKind>(
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

/// 3x3 depthwise, stride 1, pixels outer (see above).
@inlinable @inline(__always)
public func f32_dwconv3x3_s1_4xc<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                                 _ v: V.Type) {
    f32_dwconv3x3_4xc(a, rows: rows, channels: channels, DepthwiseStride1.self, v)
}

/// 3x3 depthwise, stride 2, pixels outer (see above).
@inlinable @inline(__always)
public func f32_dwconv3x3_s2_4xc<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                                 _ v: V.Type) {
    f32_dwconv3x3_4xc(a, rows: rows, channels: channels, DepthwiseStride2.self, v)
}
