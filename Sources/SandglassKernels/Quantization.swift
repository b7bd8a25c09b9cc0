// The 8-bit quantization scheme, as TFLite's int8 specification and ONNX Runtime's QDQ models
// write it: real = scale · (q − zeroPoint).
//
// - Weights: int8, symmetric (zero point 0), one scale per output channel.
// - Activations: 8-bit asymmetric, one scale and zero point per tensor. The kernels hold every
//   activation as a byte in [0, 255] (uint8). An int8 activation v with zero point z is the same
//   real number as the byte v + 128 with zero point z + 128, so int8-activation models run the
//   same kernels with their zero points shifted by 128 (and the bytes' top bit flipped on input
//   and output): one set of kernels, identical rounding for both types.
// - Bias: int32 with scale inputScale · weightScale[c], zero point 0.
// - Requantization: float(acc) · (inputScale · weightScale[c] / outputScale), clamped to the output
//   range, rounded half to even, plus the output zero point. This is ONNX Runtime's (MLAS's
//   MlasRequantizeOutput, with the multiplier formed in the same order), so where the integer
//   accumulators agree the bytes agree exactly. It is a float multiply rather than TFLite's
//   fixed-point multiplier and shift: x86 and Arm both convert and multiply 16 lanes at once,
//   and exact agreement with ONNX Runtime is the parity this project checks.
// - ReLU and ReLU6 are clamps in the quantized domain: the output range is cut to
//   [quantize(0), quantize(6)] within [0, 255].
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor's scale and zero point (the zero point in the byte domain, 0...255).
public struct QuantizationParameters: Hashable, Sendable, Codable, CustomStringConvertible {
    public var scale: Float
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale; self.zeroPoint = zeroPoint
    }

    /// The parameters that cover [minimum, maximum] (widened to include 0, so that zero is
    /// exact, as ONNX Runtime's and TFLite's calibrators do) on 256 levels.
    public init(minimum: Float, maximum: Float) {
        let lo = min(minimum, 0), hi = max(maximum, 0)
        let scale = hi > lo ? (hi - lo) / 255 : 1
        let zero = (-lo / scale).rounded(.toNearestOrEven)
        self.init(scale: scale, zeroPoint: Int32(min(max(zero, 0), 255)))
    }

    /// The byte for a real value: round half to even, saturated to [0, 255].
    @inlinable public func quantize(_ x: Float) -> UInt8 {
        let q = (x / scale).rounded(.toNearestOrEven) + Float(zeroPoint)
        return UInt8(min(max(q, 0), 255))
    }

    @inlinable public func dequantize(_ q: UInt8) -> Float { scale * Float(Int32(q) - zeroPoint) }

    /// The byte range a clamp [lo, hi] (reals) leaves, within [0, 255].
    public func range(clampedTo lo: Float, _ hi: Float) -> ClosedRange<Int32> {
        let qlo = lo == -.infinity ? 0 : Int32(quantize(lo))
        let qhi = hi == .infinity ? 255 : Int32(quantize(hi))
        return qlo...max(qlo, qhi)
    }

    public var description: String { "scale \(scale), zero point \(zeroPoint)" }
}

/// Requantization of int32 accumulators to bytes: per-channel multipliers, the output zero point
/// and the byte range of the output (the activation's clamp included).
public struct Requantization {
    /// inputScale · weightScale[c] / outputScale, one per output channel (padded to a multiple of 16).
    public var multipliers: UnsafePointer<Float>
    public var zeroPoint: Int32
    /// The float range of float(acc) · multiplier: [qmin − zeroPoint, qmax − zeroPoint].
    public var lower: Float
    public var upper: Float

    public init(multipliers: UnsafePointer<Float>, zeroPoint: Int32, range: ClosedRange<Int32>) {
        self.multipliers = multipliers; self.zeroPoint = zeroPoint
        lower = Float(range.lowerBound - zeroPoint); upper = Float(range.upperBound - zeroPoint)
    }
}

/// The scalar requantization every fast kernel must agree with exactly.
@inlinable
public func referenceRequantize(_ acc: Int32, multiplier: Float, zeroPoint: Int32, lower: Float, upper: Float) -> UInt8 {
    let f = min(max(Float(acc) * multiplier, lower), upper)
    return UInt8(Int32(f.rounded(.toNearestOrEven)) + zeroPoint)
}

/// The multiplier of a layer's requantization, formed in ONNX Runtime's order.
@inlinable
public func requantizationMultiplier(inputScale: Float, weightScale: Float, outputScale: Float) -> Float {
    inputScale * weightScale / outputScale
}
