// f32_nonlinearity: the activations that are not clamps (hard-swish, hard-sigmoid, sigmoid,
// SiLU) over an NHWC tensor, as their own pass. Sigmoid and SiLU use the vector sigmoid of
// CSandglassVector (an exp by range reduction, ~2e-7 relative).

@inlinable @inline(__always)
func f32_nonlinearity_pixels<V: FloatVector>(_ a: NonlinearityArguments, pixels: Range<Int>, _ f: (V) -> V) {
    let w = V.scalarCount
    let c = a.channels
    for p in pixels {
        let x = UnsafeRawPointer(a.input + p &* a.inputStride)
        let o = a.output + p &* a.outputStride
        var i = 0
        while i < c {
            // Lanes past the last channel read padding or the next pixel and are not stored.
            storeVector(f(x.load(fromByteOffset: i &* 4, as: V.self)), o + i, lanes: c &- i)
            i &+= w
        }
    }
}

@inlinable @inline(__always)
public func f32_nonlinearity<V: FloatVector>(_ a: NonlinearityArguments, pixels: Range<Int>, _: V.Type) {
    let zero = V(repeating: 0), one = V(repeating: 1)
    switch a.kind {
    case .hardSwish:
        let sixth = V(repeating: 1.0 / 6), half = V(repeating: 0.5)
        f32_nonlinearity_pixels(a, pixels: pixels) { (x: V) in x.multiplied(by: x.multiplied(by: sixth).adding(half).clamped(zero, one)) }
    case let .hardSigmoid(alpha, beta):
        let va = V(repeating: alpha), vb = V(repeating: beta)
        f32_nonlinearity_pixels(a, pixels: pixels) { (x: V) in x.multiplied(by: va).adding(vb).clamped(zero, one) }
    case .sigmoid:
        f32_nonlinearity_pixels(a, pixels: pixels) { (x: V) in x.sigmoid() }
    case .silu:
        f32_nonlinearity_pixels(a, pixels: pixels) { (x: V) in x.multiplied(by: x.sigmoid()) }
    }
}
