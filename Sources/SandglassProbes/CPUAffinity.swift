// The calling thread's CPU affinity: read, restore, and the list of allowed CPUs.
import CSandglassSupport

public struct CPUAffinity: Equatable, Sendable {
    public var words: [UInt64]

    /// The calling thread's current affinity.
    public static func current() -> CPUAffinity {
        var words = [UInt64](repeating: 0, count: 16)
        _ = sg_affinity_get(&words, Int32(words.count))
        return CPUAffinity(words: words)
    }

    public var cpus: [Int] {
        var result: [Int] = []
        for (w, word) in words.enumerated() {
            for bit in 0..<64 where word & (1 << UInt64(bit)) != 0 { result.append(w * 64 + bit) }
        }
        return result
    }

    /// Makes this the calling thread's affinity again. Returns 0 or an errno value.
    @discardableResult
    public func apply() -> Int32 { sg_affinity_set(words, Int32(words.count)) }

    /// Pins the calling thread to one CPU. Returns 0 or an errno value.
    @discardableResult
    public static func pin(to cpu: Int) -> Int32 { sg_pin_thread_to_cpu(Int32(cpu)) }
}
