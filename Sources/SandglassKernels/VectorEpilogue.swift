// Shared inline helpers for kernel epilogues: clamp, the (possibly partial) shortcut add, and
// stores of a vector whose tail lanes fall outside the logical channels.
import CSandglassVector

@inlinable @inline(__always)
public func clampVector<V: FloatVector>(_ x: V, _ lo: V, _ hi: V) -> V {
    x.clamped(lo, hi)
}

/// Adds `residual[0..<count]` lane-wise when fewer than a full vector of channels take the add.
/// `fullVectorReadable`: a whole vector may be read at `residual` (the tensor has at least W
/// channels from there), so a partial add is one masked add rather than a loop
/// over lanes; the partial shortcut of α < 1 ends inside a vector whenever ⌊α·C⌋ is not a
/// multiple of W.
@inlinable @inline(__always)
public func addResidual<V: FloatVector>(_ x: V, _ residual: UnsafePointer<Float>, lanes count: Int,
                                        fullVectorReadable: Bool = false) -> V
{
    if count >= V.scalarCount {
        return x + UnsafeRawPointer(residual).load(as: V.self)
    }
    if fullVectorReadable {
        return x.adding(UnsafeRawPointer(residual).load(as: V.self), where: laneMask(count, V.self))
    }
    var y = x
    var lane = 0
    while lane < count {
        y[lane] += residual[lane]
        lane &+= 1
    }
    return y
}

/// A vector whose first `count` lanes (0 < count < W ≤ 16) are 1 and the others 0.
@inlinable @inline(__always)
public func laneMask<V: FloatVector>(_ count: Int, _: V.Type) -> V {
    UnsafeRawPointer(sg_lane_mask_table() + (16 &- count)).loadUnaligned(as: V.self)
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
        if lanes > 0 {
            x = addResidual(x, residual + (row &* t.ldr &+ column), lanes: lanes,
                            fullVectorReadable: valid >= V.scalarCount && t.ldr &- column >= V.scalarCount)
        }
    }
    x = clampVector(x, V(repeating: t.minValue), V(repeating: t.maxValue))
    storeVector(x, t.c + (row &* t.ldc &+ column), lanes: valid)
}
