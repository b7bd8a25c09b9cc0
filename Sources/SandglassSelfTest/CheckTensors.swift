// What the kernel checks (the `selftest` command and the kernel tests) feed kernels with and
// measure them by: seeded values, NHWC tensors whose stride padding holds NaN (a kernel that
// reads a padding lane into a stored lane, or writes past the logical channels, is caught),
// and the parity metric.
import SandglassEngine
import SandglassKernels

/// Deterministic pseudo-random values (the engine's SplitMix64): the same shapes and values on
/// any machine.
public struct CheckRandom {
    private var base: SeededRandom
    public init(seed: UInt64) { base = SeededRandom(seed: seed) }
    public mutating func next() -> UInt64 { base.next() }
    public mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    public mutating func array(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] { (0..<n).map { _ in uniform(lo, hi) } }
}

/// A dense NHWC tensor copied into a buffer with a padded per-pixel stride (a multiple of 4),
/// the padding lanes filled with NaN.
public final class StridedTensor {
    public let pixels: Int
    public let channels: Int
    public let stride: Int
    public let buffer: AlignedBuffer

    public init(pixels: Int, channels: Int, dense: [Float]? = nil, poison: Bool = true) {
        self.pixels = pixels
        self.channels = channels
        stride = (channels + 3) / 4 * 4
        buffer = AlignedBuffer(count: pixels * stride)
        if poison {
            for i in 0..<(pixels * stride) { buffer.pointer[i] = .nan }
        }
        if let dense {
            for p in 0..<pixels { for c in 0..<channels { buffer.pointer[p * stride + c] = dense[p * channels + c] } }
        }
    }

    public var dense: [Float] {
        var out = [Float](repeating: 0, count: pixels * channels)
        for p in 0..<pixels { for c in 0..<channels { out[p * channels + c] = buffer.pointer[p * stride + c] } }
        return out
    }

    /// True when every padding lane still holds NaN (nothing wrote past the channels).
    public var paddingUntouched: Bool {
        for p in 0..<pixels { for c in channels..<stride where !buffer.pointer[p * stride + c].isNaN { return false } }
        return true
    }

    public var pointer: UnsafeMutablePointer<Float> { buffer.pointer }
}

/// Max abs error divided by max abs reference (the parity metric used throughout); infinity
/// when one side has a NaN the other lacks, or the lengths differ.
public func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    guard actual.count == expected.count else { return .infinity }
    var maxError: Float = 0, maxReference: Float = 0
    for (a, e) in zip(actual, expected) {
        if a.isNaN != e.isNaN { return .infinity }
        if a.isNaN { continue }
        maxError = max(maxError, abs(a - e))
        maxReference = max(maxReference, abs(e))
    }
    return maxReference == 0 ? maxError : maxError / maxReference
}
