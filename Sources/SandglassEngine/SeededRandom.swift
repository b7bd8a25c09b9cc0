// Deterministic weights for the model zoo: latency does not depend on weight values, but
// outputs must be reproducible for a seed (SplitMix64, Box-Muller normals).

public struct SeededRandom {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func uniform(_ lo: Float, _ hi: Float, count: Int) -> [Float] {
        (0..<count).map { _ in lo + (hi - lo) * Float(unit()) }
    }

    public mutating func normal(std: Double, count: Int) -> [Float] {
        var out = [Float]()
        out.reserveCapacity(count)
        while out.count < count {
            let u1 = max(unit(), 1e-300), u2 = unit()
            let r = (-2 * _log(u1)).squareRoot()
            out.append(Float(std * r * _cos(2 * Double.pi * u2)))
            if out.count < count { out.append(Float(std * r * _sin(2 * Double.pi * u2))) }
        }
        return out
    }
}

// Elementary functions without Foundation: the engine core stays Foundation-free.
#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
#endif
