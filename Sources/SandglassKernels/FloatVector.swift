// The vector types the kernels are generic over. Generic SIMD code specialises well for
// arithmetic and FMA, but lane comparisons (and so pointwiseMin/Max and clamps) compile to
// per-lane loops or mask round trips; each concrete type clamps through clang's vector
// ternary instead (CSandglassVector), which lowers to one max and one min instruction.
import CSandglassVector

public protocol FloatVector: SIMD where Scalar == Float {
    /// Lane-wise min(max(self, lo), hi).
    func clamped(_ lo: Self, _ hi: Self) -> Self
}

extension SIMD4: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x4(self, lo, hi) }
}

extension SIMD8: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x8(self, lo, hi) }
}

extension SIMD16: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x16(self, lo, hi) }
}
