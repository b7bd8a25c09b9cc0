// f32_dwconv_kxk: depthwise convolution of any square kernel size and stride, one output pixel
// at a time with every tap bounds-checked. The fallback for imported graphs (5x5, stride 3, …);
// the models of the zoo only use the 3x3 kernels.

@inlinable @inline(__always)
public func f32_dwconv_kxk<V: FloatVector>(_ a: DepthwiseArguments, rows: Range<Int>, channels: Range<Int>,
                                    _: V.Type) {
    let w = V.scalarCount
    let k = a.kernelSize
    let lo = V(repeating: a.epilogue.minValue)
    let hi = V(repeating: a.epilogue.maxValue)
    let weights = UnsafeRawPointer(a.weights)
    let input = UnsafeRawPointer(a.input)
    let ws = a.weightStride
    let out = DepthwiseOutput(a.output, stride: a.outputStride, a.epilogue)
    for y in rows {
        for x in 0..<a.outputWidth {
            var c = channels.lowerBound
            while c < channels.upperBound {
                var s = weights.load(fromByteOffset: (k &* k &* ws &+ c) &* 4, as: V.self)
                for ky in 0..<k {
                    let iy = y &* a.stride &- a.padTop &+ ky
                    if iy < 0 || iy >= a.inputHeight { continue }
                    for kx in 0..<k {
                        let ix = x &* a.stride &- a.padLeft &+ kx
                        if ix < 0 || ix >= a.inputWidth { continue }
                        let i = input.load(fromByteOffset: ((iy &* a.inputWidth &+ ix) &* a.inputStride &+ c) &* 4, as: V.self)
                        let wt = weights.load(fromByteOffset: ((ky &* k &+ kx) &* ws &+ c) &* 4, as: V.self)
                        s = s.addingProduct(i, wt)
                    }
                }
                out.store(s, pixel: y &* a.outputWidth &+ x, channel: c, lanes: channels.upperBound &- c, lo, hi)
                c &+= w
            }
        }
    }
}
