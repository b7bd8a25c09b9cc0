// The vector types the kernels are generic over. Generic SIMD code specialises well for FMA
// (addingProduct), but lane comparisons (and so pointwiseMin/Max and clamps) compile to per-lane
// loops or mask round trips, and lane-wise + and * can come out scalarised in large kernels;
// each concrete type does those through clang vector operators instead (CSandglassVector). Kernels
// use clamped/adding/multiplied, never the generic operators.
import CSandglassVector

public protocol FloatVector: SIMD where Scalar == Float {
    /// Lane-wise min(max(self, lo), hi).
    func clamped(_ lo: Self, _ hi: Self) -> Self
    /// Lane-wise self + other (one vector add, whatever the surrounding code).
    func adding(_ other: Self) -> Self
    /// Lane-wise self × other.
    func multiplied(by other: Self) -> Self
    /// self + other in the lanes where `mask` is non-zero, self elsewhere (a select, so that an
    /// Inf or NaN in a masked-off lane of `other` cannot leak in as it would through other × 0).
    func adding(_ other: Self, where mask: Self) -> Self
    /// Lane-wise 1 / (1 + exp(-self)), within about 2e-7 relative (sg_sigmoid_*).
    func sigmoid() -> Self
}

extension SIMD4: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x4(self, lo, hi) }
    @inlinable @inline(__always)
    public func adding(_ other: Self) -> Self { sg_add_f32x4(self, other) }
    @inlinable @inline(__always)
    public func multiplied(by other: Self) -> Self { sg_mul_f32x4(self, other) }
    @inlinable @inline(__always)
    public func adding(_ other: Self, where mask: Self) -> Self { sg_masked_add_f32x4(self, other, mask) }
    @inlinable @inline(__always)
    public func sigmoid() -> Self { sg_sigmoid_f32x4(self) }
}

extension SIMD8: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x8(self, lo, hi) }
    @inlinable @inline(__always)
    public func adding(_ other: Self) -> Self { sg_add_f32x8(self, other) }
    @inlinable @inline(__always)
    public func multiplied(by other: Self) -> Self { sg_mul_f32x8(self, other) }
    @inlinable @inline(__always)
    public func adding(_ other: Self, where mask: Self) -> Self { sg_masked_add_f32x8(self, other, mask) }
    @inlinable @inline(__always)
    public func sigmoid() -> Self { sg_sigmoid_f32x8(self) }
}

extension SIMD16: FloatVector where Scalar == Float {
    @inlinable @inline(__always)
    public func clamped(_ lo: Self, _ hi: Self) -> Self { sg_clamp_f32x16(self, lo, hi) }
    @inlinable @inline(__always)
    public func adding(_ other: Self) -> Self { sg_add_f32x16(self, other) }
    @inlinable @inline(__always)
    public func multiplied(by other: Self) -> Self { sg_mul_f32x16(self, other) }
    @inlinable @inline(__always)
    public func adding(_ other: Self, where mask: Self) -> Self { sg_masked_add_f32x16(self, other, mask) }
    @inlinable @inline(__always)
    public func sigmoid() -> Self { sg_sigmoid_f32x16(self) }
}
