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
        // Four accumulators: one would wait on each add's latency (1152 channels: 72 in a row).
        var acc0 = V(), acc1 = V(), acc2 = V(), acc3 = V()
        var i = 0
        let r = UnsafeRawPointer(row)
        while i &+ 4 &* w <= full {
            let o = i &* 4
            acc0.addProduct(r.load(fromByteOffset: o, as: V.self), x.load(fromByteOffset: o, as: V.self))
            acc1.addProduct(r.load(fromByteOffset: o &+ 4 &* w, as: V.self), x.load(fromByteOffset: o &+ 4 &* w, as: V.self))
            acc2.addProduct(r.load(fromByteOffset: o &+ 8 &* w, as: V.self), x.load(fromByteOffset: o &+ 8 &* w, as: V.self))
            acc3.addProduct(r.load(fromByteOffset: o &+ 12 &* w, as: V.self), x.load(fromByteOffset: o &+ 12 &* w, as: V.self))
            i &+= 4 &* w
        }
        while i < full {
            acc0.addProduct(r.load(fromByteOffset: i &* 4, as: V.self), x.load(fromByteOffset: i &* 4, as: V.self))
            i &+= w
        }
        var s = acc0.adding(acc1).adding(acc2.adding(acc3)).sum()
        while i < c { s += row[i] * a.pooled[i]; i &+= 1 }
        s += a.reduceBias[j]
        a.hidden[j] = a.innerSiLU ? s * sigmoid(s) : max(s, 0)
    }
    // The expand layer as axpy over channels, row by row: output = bias + Σ_j hidden[j] · row j.
    // Rows in order stream the weights once; the output (C floats) stays in L1 meanwhile.
    var i = 0
    while i < full {
        UnsafeMutableRawPointer(a.output + i).storeBytes(of: UnsafeRawPointer(a.expandBias + i).load(as: V.self), as: V.self)
        i &+= w
    }
    while i < c { a.output[i] = a.expandBias[i]; i &+= 1 }
    for j in 0..<a.squeezeChannels {
        let row = a.expandWeightsTransposed + j &* a.weightStride
        let h = a.hidden[j]
        if h == 0 { continue }   // ReLU zeroes about half the units: their rows need not be read
        let hv = V(repeating: h)
        i = 0
        while i < full {
            let o = UnsafeMutableRawPointer(a.output + i)
            var acc = o.load(as: V.self)
            acc.addProduct(UnsafeRawPointer(row + i).load(as: V.self), hv)
            o.storeBytes(of: acc, as: V.self)
            i &+= w
        }
        while i < c { a.output[i] += row[i] * h; i &+= 1 }
    }
    switch a.gate {
    case .sigmoid:
        // The vector sigmoid of the SiLU epilogues (expf per channel cost as much as the layers).
        i = 0
        while i < full {
            let o = UnsafeMutableRawPointer(a.output + i)
            o.storeBytes(of: o.load(as: V.self).sigmoid(), as: V.self)
            i &+= w
        }
        while i < c { a.output[i] = sigmoid(a.output[i]); i &+= 1 }
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
