// f32_add_partial: the shortcut add run as its own operation ("separate" mode), so that its
// cost can be measured alone. Adds the identity to the first k channels; when the output is a
// different buffer from the branch, copies the other channels through.

@inlinable @inline(__always)
public func f32_add_partial<V: FloatVector>(_ a: PartialAddArguments, pixels: Range<Int>, _: V.Type) {
    let w = V.scalarCount
    let lo = V(repeating: a.minValue)
    let hi = V(repeating: a.maxValue)
    let inPlace = UnsafePointer(a.output) == a.branch && a.outputStride == a.branchStride
    let k = a.addedChannels
    // In place with no clamp, only the first k channels change; otherwise every channel is written.
    let unclamped = a.minValue == -.infinity && a.maxValue == .infinity
    let addEnd = inPlace && unclamped ? k : a.channels
    for p in pixels {
        let b = a.branch + p &* a.branchStride
        let i = a.identity + p &* a.identityStride
        let o = a.output + p &* a.outputStride
        var c = 0
        while c < addEnd {
            var x = UnsafeRawPointer(b + c).load(as: V.self)
            let lanes = k &- c
            if lanes > 0 { x = addResidual(x, i + c, lanes: lanes) }
            storeVector(clampVector(x, lo, hi), o + c, lanes: addEnd &- c)
            c &+= w
        }
    }
}
