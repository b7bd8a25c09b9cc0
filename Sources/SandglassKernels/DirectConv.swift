// f32_conv_direct: dense convolution (groups = 1) of any kernel size, stride and padding over
// NHWC, vectorised over output channels: each tap broadcasts one input value against a vector
// of weights (two vectors at a time, so each broadcast feeds two FMAs). Used for the 3x3
// stride-2 stem (3 input channels, where a GEMM would waste its tiles) and for imported dense
// k x k convolutions. Interior pixels go four at a time so a weight vector is loaded once for
// four outputs. The stem's shape (3x3 over 3 channels) has its own kernel, f32_conv3x3_c3.

@inlinable @inline(__always)
func directConvPixelIsInterior(_ a: DirectConvArguments, y: Int, x: Int) -> Bool {
    let iy = y &* a.strideHeight &- a.padTop
    let ix = x &* a.strideWidth &- a.padLeft
    return iy >= 0 && iy &+ a.kernelHeight <= a.inputHeight && ix >= 0 && ix &+ a.kernelWidth <= a.inputWidth
}

@inlinable @inline(__always)
public func f32_conv_direct<V: FloatVector>(_ a: DirectConvArguments, rows: Range<Int>, _ v: V.Type) {
    if a.kernelHeight == 3 && a.kernelWidth == 3 && a.inputChannels == 3 {
        f32_conv3x3_c3(a, rows: rows, v)
    } else {
        directConv(a, rows: rows, kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, inputChannels: a.inputChannels, v)
    }
}

/// The kernel with its loop bounds as parameters (constants after inlining for the stem).
@inlinable @inline(__always)
func directConv<V: FloatVector>(_ a: DirectConvArguments, rows: Range<Int>, kernelHeight kh: Int, kernelWidth kw: Int,
                                inputChannels cin: Int, _: V.Type) {
    let w = V.scalarCount
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let weights = UnsafeRawPointer(a.weights)
    let ws = a.weightStride
    let taps = kh &* kw &* cin
    let biasOffset = taps &* ws
    let rowFloats = a.inputWidth &* a.inputStride
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    let cout = a.outputChannels
    for y in rows {
        let outRow = y &* a.outputWidth
        var x = 0
        while x < a.outputWidth {
            let blockInterior = x &+ 4 <= a.outputWidth
                && directConvPixelIsInterior(a, y: y, x: x) && directConvPixelIsInterior(a, y: y, x: x &+ 3)
            if blockInterior {
                let iy = y &* a.strideHeight &- a.padTop
                let ix = x &* a.strideWidth &- a.padLeft
                let p0 = a.input + (iy &* a.inputWidth &+ ix) &* a.inputStride
                let step = a.strideWidth &* a.inputStride
                let p1 = p0 + step, p2 = p1 + step, p3 = p2 + step
                var c = 0
                // Two output vectors at a time: each broadcast input value feeds two FMAs.
                while c &+ w < cout {
                    let biasA = weights.load(fromByteOffset: (biasOffset &+ c) &* 4, as: V.self)
                    let biasB = weights.load(fromByteOffset: (biasOffset &+ c &+ w) &* 4, as: V.self)
                    var s0 = biasA, s1 = biasA, s2 = biasA, s3 = biasA
                    var t0 = biasB, t1 = biasB, t2 = biasB, t3 = biasB
                    var tap = 0
                    for ky in 0..<kh {
                        let rowOffset = ky &* rowFloats
                        for kx in 0..<kw {
                            let o = rowOffset &+ kx &* a.inputStride
                            for ci in 0..<cin {
                                let wa = weights.load(fromByteOffset: (tap &* ws &+ c) &* 4, as: V.self)
                                let wb = weights.load(fromByteOffset: (tap &* ws &+ c &+ w) &* 4, as: V.self)
                                let x0 = V(repeating: p0[o &+ ci]), x1 = V(repeating: p1[o &+ ci])
                                let x2 = V(repeating: p2[o &+ ci]), x3 = V(repeating: p3[o &+ ci])
                                s0 = s0.addingProduct(x0, wa); t0 = t0.addingProduct(x0, wb)
                                s1 = s1.addingProduct(x1, wa); t1 = t1.addingProduct(x1, wb)
                                s2 = s2.addingProduct(x2, wa); t2 = t2.addingProduct(x2, wb)
                                s3 = s3.addingProduct(x3, wa); t3 = t3.addingProduct(x3, wb)
                                tap &+= 1
                            }
                        }
                    }
                    out.store(s0, pixel: outRow &+ x, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s1, pixel: outRow &+ x &+ 1, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s2, pixel: outRow &+ x &+ 2, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s3, pixel: outRow &+ x &+ 3, channel: c, lanes: cout &- c, lo, hi)
                    let c2 = c &+ w
                    out.store(t0, pixel: outRow &+ x, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t1, pixel: outRow &+ x &+ 1, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t2, pixel: outRow &+ x &+ 2, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t3, pixel: outRow &+ x &+ 3, channel: c2, lanes: cout &- c2, lo, hi)
                    c &+= 2 &* w
                }
                // A last single vector of output channels.
                while c < cout {
                    let bias = weights.load(fromByteOffset: (biasOffset &+ c) &* 4, as: V.self)
                    var s0 = bias, s1 = bias, s2 = bias, s3 = bias
                    var tap = 0
                    for ky in 0..<kh {
                        let rowOffset = ky &* rowFloats
                        for kx in 0..<kw {
                            let o = rowOffset &+ kx &* a.inputStride
                            for ci in 0..<cin {
                                let wt = weights.load(fromByteOffset: (tap &* ws &+ c) &* 4, as: V.self)
                                s0 = s0.addingProduct(V(repeating: p0[o &+ ci]), wt)
                                s1 = s1.addingProduct(V(repeating: p1[o &+ ci]), wt)
                                s2 = s2.addingProduct(V(repeating: p2[o &+ ci]), wt)
                                s3 = s3.addingProduct(V(repeating: p3[o &+ ci]), wt)
                                tap &+= 1
                            }
                        }
                    }
                    out.store(s0, pixel: outRow &+ x, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s1, pixel: outRow &+ x &+ 1, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s2, pixel: outRow &+ x &+ 2, channel: c, lanes: cout &- c, lo, hi)
                    out.store(s3, pixel: outRow &+ x &+ 3, channel: c, lanes: cout &- c, lo, hi)
                    c &+= w
                }
                x &+= 4
            } else {
                directConvPixel(a, out, y: y, x: x, kernelHeight: kh, kernelWidth: kw, inputChannels: cin, lo, hi, V.self)
                x &+= 1
            }
        }
    }
}

/// One output pixel, every tap bounds-checked (edges, where taps fall in the padding).
@inlinable @inline(__always)
func directConvPixel<V: FloatVector>(_ a: DirectConvArguments, _ out: DepthwiseOutput, y: Int, x: Int,
                                     kernelHeight kh: Int, kernelWidth kw: Int, inputChannels cin: Int,
                                     _ lo: V, _ hi: V, _: V.Type) {
    let w = V.scalarCount
    let weights = UnsafeRawPointer(a.weights)
    let ws = a.weightStride
    let biasOffset = kh &* kw &* cin &* ws
    let cout = a.outputChannels
    let outRow = y &* a.outputWidth
    var c = 0
    while c < a.outputChannels {
        var s = weights.load(fromByteOffset: (biasOffset &+ c) &* 4, as: V.self)
        for ky in 0..<kh {
            let iy = y &* a.strideHeight &- a.padTop &+ ky
            if iy < 0 || iy >= a.inputHeight { continue }
            for kx in 0..<kw {
                let ix = x &* a.strideWidth &- a.padLeft &+ kx
                if ix < 0 || ix >= a.inputWidth { continue }
                let p = a.input + (iy &* a.inputWidth &+ ix) &* a.inputStride
                let tap0 = (ky &* kw &+ kx) &* cin
                for ci in 0..<cin {
                    let wt = weights.load(fromByteOffset: ((tap0 &+ ci) &* ws &+ c) &* 4, as: V.self)
                    s = s.addingProduct(V(repeating: p[ci]), wt)
                }
            }
        }
        out.store(s, pixel: outRow &+ x, channel: c, lanes: cout &- c, lo, hi)
        c &+= w
    }
}

/// f32_conv3x3_c3: the stem (3x3 over 3 input channels, any stride and padding). The general
/// kernel's three nested tap loops (3 × 3 × 3) stay rolled, and their overhead cost the stem about
/// four times its FMA time; here a kernel row's nine taps (3 columns × 3 channels, contiguous in
/// the weights) are one flat loop of constant trip count, which unrolls: an interior block of four
/// pixels × two output vectors is 72 FMAs per kernel row. Edge pixels take the checked path.
@inlinable @inline(__always)
public func f32_conv3x3_c3<V: FloatVector>(_ a: DirectConvArguments, rows: Range<Int>, _: V.Type) {
    let w = V.scalarCount
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let ws = a.weightStride
    let wd = ws &* 4
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    let cout = a.outputChannels
    let inS = a.inputStride
    let sw = a.strideWidth
    for y in rows {
        let outRow = y &* a.outputWidth
        let iy = y &* a.strideHeight &- a.padTop
        let rowsInside = iy >= 0 && iy &+ 3 <= a.inputHeight
        var x = 0
        while x < a.outputWidth {
            let ix = x &* sw &- a.padLeft
            guard rowsInside && ix >= 0 && x &+ 4 <= a.outputWidth && (x &+ 3) &* sw &- a.padLeft &+ 3 <= a.inputWidth else {
                directConvPixel(a, out, y: y, x: x, kernelHeight: 3, kernelWidth: 3, inputChannels: 3, lo, hi, V.self)
                x &+= 1
                continue
            }
            let base = a.input + (iy &* a.inputWidth &+ ix) &* inS
            let p0 = base, p1 = base + sw &* inS, p2 = base + 2 &* sw &* inS, p3 = base + 3 &* sw &* inS
            let rowFloats = a.inputWidth &* inS
            var c = 0
            while c < cout {
                let two = c &+ w < cout
                let wq = UnsafeRawPointer(a.weights) + c &* 4
                let biasA = wq.load(fromByteOffset: 27 &* wd, as: V.self)
                let biasB = two ? wq.load(fromByteOffset: 27 &* wd &+ w &* 4, as: V.self) : biasA
                var s0 = biasA, s1 = biasA, s2 = biasA, s3 = biasA
                var t0 = biasB, t1 = biasB, t2 = biasB, t3 = biasB
                var ky = 0
                while ky < 3 {
                    let o = ky &* rowFloats
                    let wk = wq + ky &* 9 &* wd
                    if two {
                        stemRowTaps2(p0, p1, p2, p3, o, inS, wk, wd, w, &s0, &s1, &s2, &s3, &t0, &t1, &t2, &t3)
                    } else {
                        stemRowTaps1(p0, p1, p2, p3, o, inS, wk, wd, &s0, &s1, &s2, &s3)
                    }
                    ky &+= 1
                }
                out.store(s0, pixel: outRow &+ x, channel: c, lanes: cout &- c, lo, hi)
                out.store(s1, pixel: outRow &+ x &+ 1, channel: c, lanes: cout &- c, lo, hi)
                out.store(s2, pixel: outRow &+ x &+ 2, channel: c, lanes: cout &- c, lo, hi)
                out.store(s3, pixel: outRow &+ x &+ 3, channel: c, lanes: cout &- c, lo, hi)
                if two {
                    let c2 = c &+ w
                    out.store(t0, pixel: outRow &+ x, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t1, pixel: outRow &+ x &+ 1, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t2, pixel: outRow &+ x &+ 2, channel: c2, lanes: cout &- c2, lo, hi)
                    out.store(t3, pixel: outRow &+ x &+ 3, channel: c2, lanes: cout &- c2, lo, hi)
                    c &+= 2 &* w
                } else {
                    c &+= w
                }
            }
            x &+= 4
        }
    }
}

/// One tap of the stem for four pixels and one output vector.
@inlinable @inline(__always)
func stemTap<V: FloatVector>(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                             _ p3: UnsafePointer<Float>, _ o: Int, _ wa: V,
                             _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V) {
    s0 = s0.addingProduct(V(repeating: p0[o]), wa); s1 = s1.addingProduct(V(repeating: p1[o]), wa)
    s2 = s2.addingProduct(V(repeating: p2[o]), wa); s3 = s3.addingProduct(V(repeating: p3[o]), wa)
}

/// A kernel row's nine taps (3 columns × 3 channels) for four pixels and one output vector.
@inlinable @inline(__always)
func stemRowTaps1<V: FloatVector>(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                                  _ p3: UnsafePointer<Float>, _ o: Int, _ inS: Int, _ wk: UnsafeRawPointer, _ wd: Int,
                                  _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V) {
    var t = 0
    while t < 9 {
        let col = t / 3, ci = t &- col &* 3
        let wa = wk.load(fromByteOffset: t &* wd, as: V.self)
        stemTap(p0, p1, p2, p3, o &+ col &* inS &+ ci, wa, &s0, &s1, &s2, &s3)
        t &+= 1
    }
}

/// The same for two output vectors: each broadcast input value feeds two FMAs.
@inlinable @inline(__always)
func stemRowTaps2<V: FloatVector>(_ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>,
                                  _ p3: UnsafePointer<Float>, _ o: Int, _ inS: Int, _ wk: UnsafeRawPointer, _ wd: Int,
                                  _ w: Int, _ s0: inout V, _ s1: inout V, _ s2: inout V, _ s3: inout V,
                                  _ t0: inout V, _ t1: inout V, _ t2: inout V, _ t3: inout V) {
    var t = 0
    while t < 9 {
        let col = t / 3, ci = t &- col &* 3
        let oo = o &+ col &* inS &+ ci
        let wa = wk.load(fromByteOffset: t &* wd, as: V.self)
        let wb = wk.load(fromByteOffset: t &* wd &+ w &* 4, as: V.self)
        let x0 = V(repeating: p0[oo]), x1 = V(repeating: p1[oo]), x2 = V(repeating: p2[oo]), x3 = V(repeating: p3[oo])
        s0 = s0.addingProduct(x0, wa); s1 = s1.addingProduct(x1, wa); s2 = s2.addingProduct(x2, wa); s3 = s3.addingProduct(x3, wa)
        t0 = t0.addingProduct(x0, wb); t1 = t1.addingProduct(x1, wb); t2 = t2.addingProduct(x2, wb); t3 = t3.addingProduct(x3, wb)
        t &+= 1
    }
}
