// Squeeze-and-excite after its pool: f32_se_gate (two small fully connected layers, one factor
// per channel) and f32_channel_scale (the tensor times those factors). The gate is a few
// thousand multiply-adds on one vector; the scale reads and writes the whole tensor, so it is
// the part whose cost grows with the layer (memory traffic, like the shortcut add).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inlinable @inline(__always)
func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

@inlinable
public func f32_se_gate<V: FloatVector>(_ a: SqueezeExciteGateArguments, _: V.Type) {
    let w = V.scalarCount
    let c = a.channels
    let full = c &- c % w
    let x = UnsafeRawPointer(a.pooled)
    for j in 0..<a.squeezeChannels {
        let row = a.reduceWeights + j &* a.weightStride
        var acc = V()
        var i = 0
        while i < full {
            acc.addProduct(UnsafeRawPointer(row + i).load(as: V.self), x.load(fromByteOffset: i &* 4, as: V.self))
            i &+= w
        }
        var s = acc.sum()
        while i < c { s += row[i] * a.pooled[i]; i &+= 1 }
        s += a.reduceBias[j]
        a.hidden[j] = a.innerSiLU ? s * sigmoid(s) : max(s, 0)
    }
    // The expand layer as axpy over channels: output = bias + Σ_j hidden[j] · row j.
    var i = 0
    while i < full {
        var acc = UnsafeRawPointer(a.expandBias + i).load(as: V.self)
        for j in 0..<a.squeezeChannels {
            acc.addProduct(UnsafeRawPointer(a.expandWeightsTransposed + j &* a.weightStride + i).load(as: V.self),
                           V(repeating: a.hidden[j]))
        }
        UnsafeMutableRawPointer(a.output + i).storeBytes(of: acc, as: V.self)
        i &+= w
    }
    while i < c {
        var s = a.expandBias[i]
        for j in 0..<a.squeezeChannels { s += a.expandWeightsTransposed[j &* a.weightStride &+ i] * a.hidden[j] }
        a.output[i] = s
        i &+= 1
    }
    switch a.gate {
    case .sigmoid:
        for i in 0..<c { a.output[i] = sigmoid(a.output[i]) }
    case let .hardSigmoid(alpha, beta):
        for i in 0..<c { a.output[i] = min(max(alpha * a.output[i] + beta, 0), 1) }
    }
}

@inlinable @inline(__always)
public func f32_channel_scale<V: FloatVector>(_ a: ChannelScaleArguments, pixels: Range<Int>, _: V.Type) {
    let w = V.scalarCount
    let c = a.channels
    let f = UnsafeRawPointer(a.factors)
    for p in pixels {
        let x = UnsafeRawPointer(a.input + p &* a.inputStride)
        let o = a.output + p &* a.outputStride
        var i = 0
        while i < c {
            // Lanes past the last channel read the next pixel (or the arena's slack) and are not stored.
            let y = x.load(fromByteOffset: i &* 4, as: V.self).multiplied(by: f.load(fromByteOffset: i &* 4, as: V.self))
            storeVector(y, o + i, lanes: c &- i)
            i &+= w
        }
    }
}
