// Kernels that measure what the hardware can do, for rooflines and for expressing every
// layer as a fraction of it: FMA throughput from independent register-resident chains, and
// read bandwidth from a streaming sum over a buffer sized to one cache level.

/// Runs `iterations` × 12 independent vector FMA chains (enough to cover FMA latency × pipes on
/// current cores) and returns a value that depends on all of them, so nothing is optimised away.
/// FLOPs = iterations × 12 × 2 × V.scalarCount.
@inlinable @inline(__always)
public func f32_fma_throughput<V: FloatVector>(iterations: Int, _: V.Type) -> Float {
    let a = V(repeating: 0.999_999), b = V(repeating: 1e-7)
    var c0 = V(repeating: 0.1), c1 = V(repeating: 0.2), c2 = V(repeating: 0.3), c3 = V(repeating: 0.4)
    var c4 = V(repeating: 0.5), c5 = V(repeating: 0.6), c6 = V(repeating: 0.7), c7 = V(repeating: 0.8)
    var c8 = V(repeating: 0.9), c9 = V(repeating: 1.0), c10 = V(repeating: 1.1), c11 = V(repeating: 1.2)
    var i = 0
    while i < iterations {
        c0 = c0.addingProduct(a, b); c1 = c1.addingProduct(a, b); c2 = c2.addingProduct(a, b)
        c3 = c3.addingProduct(a, b); c4 = c4.addingProduct(a, b); c5 = c5.addingProduct(a, b)
        c6 = c6.addingProduct(a, b); c7 = c7.addingProduct(a, b); c8 = c8.addingProduct(a, b)
        c9 = c9.addingProduct(a, b); c10 = c10.addingProduct(a, b); c11 = c11.addingProduct(a, b)
        i &+= 1
    }
    let s = c0.adding(c1).adding(c2.adding(c3)).adding(c4.adding(c5).adding(c6.adding(c7)))
        .adding(c8.adding(c9).adding(c10.adding(c11)))
    return s.sum()
}

/// Sums `count` floats (a multiple of 4 vectors) with four accumulators: a streaming read.
@inlinable @inline(__always)
public func f32_read_sum<V: FloatVector>(_ p: UnsafePointer<Float>, count: Int, _: V.Type) -> Float {
    let w = V.scalarCount
    let r = UnsafeRawPointer(p)
    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
    var i = 0
    while i &+ 4 &* w <= count {
        s0 = s0.adding(r.load(fromByteOffset: i &* 4, as: V.self))
        s1 = s1.adding(r.load(fromByteOffset: (i &+ w) &* 4, as: V.self))
        s2 = s2.adding(r.load(fromByteOffset: (i &+ 2 &* w) &* 4, as: V.self))
        s3 = s3.adding(r.load(fromByteOffset: (i &+ 3 &* w) &* 4, as: V.self))
        i &+= 4 &* w
    }
    return s0.adding(s1).adding(s2.adding(s3)).sum()
}
