// f32_global_average_pool: mean over all pixels of an NHWC tensor, per channel. Pixels are
// summed four at a time into separate accumulators to shorten the dependency chain.

@inlinable @inline(__always)
public func f32_global_average_pool<V: FloatVector>(_ a: GlobalAveragePoolArguments, channels: Range<Int>, _: V.Type)
{
    let w = V.scalarCount
    let scale = V(repeating: 1 / Float(a.pixels))
    let input = UnsafeRawPointer(a.input)
    let stride = a.inputStride &* 4
    var c = channels.lowerBound
    while c < channels.upperBound {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()
        var o = c &* 4
        var p = 0
        while p &+ 4 <= a.pixels {
            s0 = s0.adding(input.load(fromByteOffset: o, as: V.self))
            s1 = s1.adding(input.load(fromByteOffset: o &+ stride, as: V.self))
            s2 = s2.adding(input.load(fromByteOffset: o &+ 2 &* stride, as: V.self))
            s3 = s3.adding(input.load(fromByteOffset: o &+ 3 &* stride, as: V.self))
            o &+= 4 &* stride
            p &+= 4
        }
        while p < a.pixels {
            s0 = s0.adding(input.load(fromByteOffset: o, as: V.self))
            o &+= stride
            p &+= 1
        }
        storeVector(s0.adding(s1).adding(s2.adding(s3)).multiplied(by: scale), a.output + c, lanes: channels.upperBound &- c)
        c &+= w
    }
}
