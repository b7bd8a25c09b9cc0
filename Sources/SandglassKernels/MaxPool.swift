// f32_maxpool: max over k×k windows of an NHWC map (ONNX MaxPool), over output rows. A channel
// vector at a time: each output pixel's vector starts from the window's first in-map pixel and
// takes the max of the rest, so padding never enters (no -inf fill needed).

/// A max-pool window: size, stride and the leading pads (trailing pads only bound the output).
public struct MaxPoolWindow: Equatable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int

    public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int) {
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.padTop = padTop; self.padLeft = padLeft
    }
}

public struct MaxPoolArguments {
    public var input: UnsafePointer<Float>
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputStride: Int
    public var output: UnsafeMutablePointer<Float>
    public var outputWidth: Int
    public var outputStride: Int
    public var channels: Int
    public var window: MaxPoolWindow

    public init(input: UnsafePointer<Float>, inputHeight: Int, inputWidth: Int, inputStride: Int,
                output: UnsafeMutablePointer<Float>, outputWidth: Int, outputStride: Int, channels: Int, window: MaxPoolWindow) {
        self.input = input; self.inputHeight = inputHeight; self.inputWidth = inputWidth; self.inputStride = inputStride
        self.output = output; self.outputWidth = outputWidth; self.outputStride = outputStride
        self.channels = channels; self.window = window
    }
}

@inlinable @inline(__always)
public func f32_maxpool<V: FloatVector>(_ a: MaxPoolArguments, rows: Range<Int>, _: V.Type) {
    let w = V.scalarCount
    let k = a.window
    let unbounded = V(repeating: .infinity)
    let input = UnsafeRawPointer(a.input)
    for y in rows {
        let y0 = max(0, y &* k.strideHeight &- k.padTop), y1 = min(a.inputHeight, y &* k.strideHeight &- k.padTop &+ k.kernelHeight)
        for x in 0..<a.outputWidth {
            let x0 = max(0, x &* k.strideWidth &- k.padLeft), x1 = min(a.inputWidth, x &* k.strideWidth &- k.padLeft &+ k.kernelWidth)
            let out = a.output + (y &* a.outputWidth &+ x) &* a.outputStride
            var c = 0
            while c < a.channels {
                var m = input.load(fromByteOffset: ((y0 &* a.inputWidth &+ x0) &* a.inputStride &+ c) &* 4, as: V.self)
                for iy in y0..<y1 {
                    for ix in x0..<x1 {
                        // max(m, v) as a clamp from below: min(max(m, v), +inf).
                        m = m.clamped(input.load(fromByteOffset: ((iy &* a.inputWidth &+ ix) &* a.inputStride &+ c) &* 4, as: V.self),
                                      unbounded)
                    }
                }
                storeVector(m, out + c, lanes: a.channels &- c)
                c &+= w
            }
        }
    }
}
