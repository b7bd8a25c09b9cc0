import SandglassEngine
import SandglassKernels
import XCTest

/// Deterministic pseudo-random values for test tensors (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Float = -1, _ hi: Float = 1) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func array(_ n: Int, _ lo: Float = -1, _ hi: Float = 1) -> [Float] { (0..<n).map { _ in uniform(lo, hi) } }
}

/// A dense NHWC tensor copied into a buffer with a padded per-pixel stride (a multiple of 4),
/// with the stride's padding lanes filled with NaN so that a kernel reading them into a stored
/// lane, or writing past the logical channels, is caught.
final class StridedTensor {
    let pixels: Int
    let channels: Int
    let stride: Int
    let buffer: AlignedBuffer

    init(pixels: Int, channels: Int, dense: [Float]? = nil, poison: Bool = true) {
        self.pixels = pixels
        self.channels = channels
        stride = roundUp(channels, 4)
        buffer = AlignedBuffer(count: pixels * stride)
        if poison {
            for i in 0..<(pixels * stride) { buffer.pointer[i] = .nan }
        }
        if let dense {
            for p in 0..<pixels { for c in 0..<channels { buffer.pointer[p * stride + c] = dense[p * channels + c] } }
        }
    }

    var dense: [Float] {
        var out = [Float](repeating: 0, count: pixels * channels)
        for p in 0..<pixels { for c in 0..<channels { out[p * channels + c] = buffer.pointer[p * stride + c] } }
        return out
    }

    /// True when every padding lane still holds NaN (nothing wrote past the channels).
    var paddingUntouched: Bool {
        for p in 0..<pixels { for c in channels..<stride where !buffer.pointer[p * stride + c].isNaN { return false } }
        return true
    }

    var pointer: UnsafeMutablePointer<Float> { buffer.pointer }
}

/// Max abs error divided by max abs reference (the parity metric used throughout).
func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count)
    var maxError: Float = 0, maxReference: Float = 0
    for (a, e) in zip(actual, expected) {
        if a.isNaN != e.isNaN { return .infinity }
        maxError = max(maxError, abs(a - e))
        maxReference = max(maxReference, abs(e))
    }
    return maxReference == 0 ? maxError : maxError / maxReference
}

/// Every kernel set this machine can run (the tests exercise each).
func availableKernelSets() throws -> [KernelSet] {
    let sets = try ISASelection.available.map { try ISASelection.kernels(for: $0) }
    XCTAssertFalse(sets.isEmpty, "no kernel set runs on this machine")
    return sets
}
