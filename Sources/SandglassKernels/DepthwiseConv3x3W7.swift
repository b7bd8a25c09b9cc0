// f32_dwconv3x3_s1_w7: 3x3 depthwise, stride 1, padding 1, on maps 7 pixels wide (the last
// stages of MobileNeXt and MobileNetV2 at 224×224). The general kernel spends most of a 7-wide
// row on its ends (two edge pixels and a remainder around one 4-wide block); here a whole output
// row lives in seven accumulators and each input pixel is loaded once per input row and
// multiplied into the up to three outputs it touches, so no tap falls in the padding and every
// row has seven independent accumulation chains.

/// Whether `f32_dwconv3x3_s1_w7` applies: 3x3, stride 1, 7 pixels wide in and out, left padding 1.
@inlinable @inline(__always)
public func depthwiseIsWidth7(_ a: DepthwiseArguments, stride: Int) -> Bool {
    stride == 1 && a.kernelSize == 3 && a.inputWidth == 7 && a.outputWidth == 7 && a.padLeft == 1
}

/// A row of its own (DepthwiseVariant.k3s1w7), chosen by the planner where `depthwiseIsWidth7`.
@inlinable @inline(__always)
public func f32_dwconv3x3_s1_w7<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>, _: V.Type) {
    let w = V.scalarCount
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    out.forEachChannelVector(channels, width: w, F32DwConv3x3W7Work<V>(a: a, out: out, rows: rows))
}

/// f32_dwconv3x3_s1_w7's work on one channel vector, for DepthwiseOutput.forEachChannelVector.
@usableFromInline
struct F32DwConv3x3W7Work<V: FloatVector>: DepthwiseChannelVectorWork {
    @usableFromInline let a: DepthwiseArguments
    @usableFromInline let out: DepthwiseOutput
    @usableFromInline let rows: Range<Int>
    @inlinable @inline(__always)
    init(a: DepthwiseArguments, out: DepthwiseOutput, rows: Range<Int>) { self.a = a; self.out = out; self.rows = rows }
    // Not inlined: see DepthwiseChannelVectorWork.
    @inlinable @inline(never)
    func run<E: DepthwiseEpilogueKind>(channel: Int, lanes: Int, _: E.Type) {
        f32_dwconv3x3_s1_w7_vector(a, out, rows: rows, channel: channel, lanes: lanes, E.self, V.self)
    }
}

@inlinable @inline(__always)
func f32_dwconv3x3_s1_w7_vector<V: FloatVector, E: DepthwiseEpilogueKind>(
    _ a: DepthwiseArguments, _ out: DepthwiseOutput, rows: Range<Int>, channel c: Int, lanes: Int, _: E.Type, _: V.Type
) {
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let weights = UnsafeRawPointer(a.weights)
    let ws = a.weightStride
    let d = a.inputStride &* 4
    @inline(__always) func put(_ v: V, _ pixel: Int) {
        out.store(v, pixel: pixel, channel: c, lanes: lanes, epilogue: E.code, lo, hi)
    }
    let bias = weights.load(fromByteOffset: (9 &* ws &+ c) &* 4, as: V.self)
    for y in rows {
        var s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias
        var ky = 0
        while ky < 3 {
            let iy = y &+ ky &- a.padTop
            if iy >= 0 && iy < a.inputHeight {
                let inputOffset: Int = iy &* 7 &* a.inputStride &+ c  // typed: quick for Swift 6.0's checker
                let q = UnsafeRawPointer(a.input + inputOffset)
                // Taps of this kernel row: wa on the pixel left of an output, wb on it, wc right of it.
                let wa = weights.load(fromByteOffset: ((ky &* 3) &* ws &+ c) &* 4, as: V.self)
                let wb = weights.load(fromByteOffset: ((ky &* 3 &+ 1) &* ws &+ c) &* 4, as: V.self)
                let wc = weights.load(fromByteOffset: ((ky &* 3 &+ 2) &* ws &+ c) &* 4, as: V.self)
                let i0 = q.load(as: V.self)
                s0 = s0.addingProduct(i0, wb); s1 = s1.addingProduct(i0, wa)
                let i1 = q.load(fromByteOffset: d, as: V.self)
                s0 = s0.addingProduct(i1, wc); s1 = s1.addingProduct(i1, wb); s2 = s2.addingProduct(i1, wa)
                let i2 = q.load(fromByteOffset: 2 &* d, as: V.self)
                s1 = s1.addingProduct(i2, wc); s2 = s2.addingProduct(i2, wb); s3 = s3.addingProduct(i2, wa)
                let i3 = q.load(fromByteOffset: 3 &* d, as: V.self)
                s2 = s2.addingProduct(i3, wc); s3 = s3.addingProduct(i3, wb); s4 = s4.addingProduct(i3, wa)
                let i4 = q.load(fromByteOffset: 4 &* d, as: V.self)
                s3 = s3.addingProduct(i4, wc); s4 = s4.addingProduct(i4, wb); s5 = s5.addingProduct(i4, wa)
                let i5 = q.load(fromByteOffset: 5 &* d, as: V.self)
                s4 = s4.addingProduct(i5, wc); s5 = s5.addingProduct(i5, wb); s6 = s6.addingProduct(i5, wa)
                let i6 = q.load(fromByteOffset: 6 &* d, as: V.self)
                s5 = s5.addingProduct(i6, wc); s6 = s6.addingProduct(i6, wb)
            }
            ky &+= 1
        }
        let p = y &* 7
        put(s0, p); put(s1, p &+ 1); put(s2, p &+ 2); put(s3, p &+ 3)
        put(s4, p &+ 4); put(s5, p &+ 5); put(s6, p &+ 6)
    }
}
