// Shared inline helpers for kernel epilogues: clamp, the (possibly partial) shortcut add, and
// stores of a vector whose tail lanes fall outside the logical channels.

@inlinable @inline(__always)
public func clampVector<V: FloatVector>(_ x: V, _ lo: V, _ hi: V) -> V {
    x.clamped(lo, hi)
}

/// Adds `residual[0..<count]` lane-wise when fewer than a full vector of channels take the add.
@inlinable @inline(__always)
public func addResidual<V: FloatVector>(_ x: V, _ residual: UnsafePointer<Float>, lanes count: Int) -> V
{
    if count >= V.scalarCount {
        return x + UnsafeRawPointer(residual).load(as: V.self)
    }
    var y = x
    var lane = 0
    while lane < count {
        y[lane] += residual[lane]
        lane &+= 1
    }
    return y
}

/// Stores the first `count` lanes of `x` (all of them when count >= W).
@inlinable @inline(__always)
public func storeVector<V: FloatVector>(_ x: V, _ destination: UnsafeMutablePointer<Float>, lanes count: Int)
{
    if count >= V.scalarCount {
        UnsafeMutableRawPointer(destination).storeBytes(of: x, as: V.self)
        return
    }
    var lane = 0
    while lane < count {
        destination[lane] = x[lane]
        lane &+= 1
    }
}

/// Epilogue of one accumulator vector of a GEMM tile: residual on the first columns, clamp, store.
@inlinable @inline(__always)
public func gemmStoreVector<V: FloatVector>(_ v: V, _ t: GEMMTileArguments, row: Int, column: Int)
{
    let valid = t.validColumns &- column
    if valid <= 0 { return }
    var x = v
    if let residual = t.residual {
        let lanes = t.residualColumns &- column
        if lanes > 0 { x = addResidual(x, residual + (row &* t.ldr &+ column), lanes: lanes) }
    }
    x = clampVector(x, V(repeating: t.minValue), V(repeating: t.maxValue))
    storeVector(x, t.c + (row &* t.ldc &+ column), lanes: valid)
}
