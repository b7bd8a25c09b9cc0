// `sandglass selftest`: every kernel variant of every ISA this CPU runs (fp32, and the 8-bit
// rows the plans of that ISA use) against its scalar
// reference, and whole networks against the reference executor, on the machine that measures
// (a latency table from kernels that compute the wrong thing is worse than none).
import SandglassEngine
import SandglassKernels
import SandglassProbes

public struct SelfTestReport: Codable, Equatable, Sendable {
    public var passed: Bool
    /// The ISAs checked.
    public var isa: [String]
    public var checks: [KernelCheck]
    public var networks: [NetworkCheck]
    public var seconds: Double

    /// What failed, one line each (empty when everything passed).
    public var failures: [String] {
        checks.filter { !$0.passed }.map { "\($0.kernel) [\($0.isa)]: \($0.failure ?? "no shape checked")" }
            + networks.filter { !$0.passed }.map { "\($0.model) [\($0.isa), \($0.add) add, \($0.threads) threads]: \($0.failure ?? "")" }
    }
}

public enum SelfTest {
    /// Checks `isas` (default: every ISA this CPU runs); `kernelSet` supplies each ISA's kernels
    /// (the real ones by default; tests pass a deliberately broken set to see it caught).
    /// `networks: false` checks kernels only.
    public static func run(isas: [ISA]? = nil, networks: Bool = true,
                           kernelSet: (ISA) throws -> KernelSet = { try ISASelection.kernels(for: $0) }) throws -> SelfTestReport {
        let start = MonotonicClock.nanoseconds()
        let chosen = isas ?? ISASelection.available
        var checks: [KernelCheck] = []
        var networkChecks: [NetworkCheck] = []
        for isa in chosen {
            checks += KernelChecks.run(try kernelSet(isa))
            for set in ISASelection.quantizedKernelSets(for: isa) { checks += QuantizedKernelChecks.run(set, isa: isa) }
            if networks { networkChecks += try NetworkChecks.run(isa: isa) }
        }
        let passed = !chosen.isEmpty && checks.allSatisfy(\.passed) && networkChecks.allSatisfy(\.passed)
        return SelfTestReport(passed: passed, isa: chosen.map(\.rawValue), checks: checks, networks: networkChecks,
                              seconds: Double(MonotonicClock.nanoseconds() - start) / 1e9)
    }
}
