// The self-test before every measurement: `bench` and every sweep (locally, and on a board,
// where the board's own sandglass runs it) first check the kernels and whole networks of the
// ISAs they will use against the references, on this CPU, and refuse to measure when any
// fails unless told to skip (`--skip-selftest`, which the results then say). An outcome is
// cached per binary (path, size, modification time), CPU and ISA set, so that only the first
// measurement after a build pays its second or two.
import Foundation
import SandglassEngine
import SandglassKernels
import SandglassSelfTest

/// What the self-test said before a measurement (results header, bench JSON).
public struct SelfTestOutcome: Codable, Sendable, Equatable {
    /// passed, failed or skipped.
    public var status: String
    public var isa: [String]
    public var kernelChecks: Int
    public var networks: Int
    /// The worst relative error over all kernel checks and networks.
    public var maxRelError: Double?
    public var seconds: Double
    /// Whether this outcome came from the cache (an earlier run of the same binary on this CPU).
    public var cached: Bool
    public var failures: [String]?

    public var passed: Bool { status == "passed" }

    public static func skipped(isa: [ISA]) -> SelfTestOutcome {
        SelfTestOutcome(status: "skipped", isa: isa.map(\.rawValue), kernelChecks: 0, networks: 0, maxRelError: nil,
                        seconds: 0, cached: false, failures: nil)
    }

    /// One line for reports (the same for a fresh and a cached outcome).
    public var reportLine: String {
        guard passed else { return summary }
        let error = maxRelError.map { String(format: "%.1e", $0) } ?? "n/a"
        return "self-test passed before measuring: \(kernelChecks) kernel checks and \(networks) networks on \(isa.joined(separator: ", ")) against their references, worst relative error \(error)"
    }

    /// One line for logs.
    public var summary: String {
        switch status {
        case "skipped": return "self-test skipped (--skip-selftest): kernels were not checked against their references on this machine"
        case "passed":
            let error = maxRelError.map { String(format: "%.1e", $0) } ?? "n/a"
            return "self-test passed: \(kernelChecks) kernel checks and \(networks) networks on \(isa.joined(separator: ", ")), worst relative error \(error)\(cached ? " (cached for this binary and CPU)" : ", \(String(format: "%.1f", seconds)) s")"
        default:
            let all = failures ?? []
            let shown = all.prefix(3).joined(separator: "; ") + (all.count > 3 ? "; and \(all.count - 3) more" : "")
            return "self-test FAILED on \(isa.joined(separator: ", ")): " + shown
        }
    }
}

public enum SelfTestGate {
    /// Test hook: the name of a kernel to break (only f32_dwconv3x3_s2), to see a failing
    /// self-test refuse a measurement. Never cached.
    static let breakVariable = "SANDGLASS_SELFTEST_BREAK"

    /// The ISAs that `points` will run with (auto: the best this CPU runs; sim: AVX2 on x86-64).
    public static func isas(for points: [SweepPoint]) -> [ISA] {
        var result: [ISA] = []
        for p in points {
            let isa: ISA?
            if p.counters == .sim {
                isa = (try? SimulatedCounters.simulatedISA(p.isa.isa, threads: 1)) ?? p.isa.isa
            } else {
                isa = p.isa.isa
            }
            guard let chosen = isa ?? (try? ISASelection.best()), !result.contains(chosen) else { continue }
            result.append(chosen)
        }
        return result.filter { ISASelection.available.contains($0) }
    }

    /// Runs (or recalls) the self-test for `isas`; with `skip`, records that it was skipped.
    public static func check(isas: [ISA], skip: Bool) -> SelfTestOutcome {
        if skip { return .skipped(isa: isas) }
        let broken = ProcessInfo.processInfo.environment[breakVariable]
        let key = cacheKey(isas: isas)
        if broken == nil, let key, let cached = recall(key) { return cached }
        var outcome: SelfTestOutcome
        do {
            let report = try SelfTest.run(isas: isas, networks: true, kernelSet: { isa in
                let real = try ISASelection.kernels(for: isa)
                return broken == "f32_dwconv3x3_s2" ? breakingDepthwiseStride2(real) : real
            })
            let worst = (report.checks.map(\.maxRelError) + report.networks.map(\.maxRelError)).max()
            outcome = SelfTestOutcome(status: report.passed ? "passed" : "failed", isa: report.isa, kernelChecks: report.checks.count,
                                      networks: report.networks.count, maxRelError: worst, seconds: report.seconds, cached: false,
                                      failures: report.passed ? nil : report.failures)
        } catch {
            outcome = SelfTestOutcome(status: "failed", isa: isas.map(\.rawValue), kernelChecks: 0, networks: 0, maxRelError: nil,
                                      seconds: 0, cached: false, failures: ["the self-test could not run: \(error)"])
        }
        if broken == nil, outcome.passed, let key { remember(outcome, key: key) }
        return outcome
    }

    /// The message when a failed self-test stops a measurement.
    public static func refusal(_ outcome: SelfTestOutcome) -> String {
        outcome.summary + ". Nothing was measured: latencies of kernels that compute the wrong thing mean nothing. Run 'sandglass selftest' for the details; --skip-selftest measures anyway (and the results say so)."
    }

    static func breakingDepthwiseStride2(_ k: KernelSet) -> KernelSet {
        let real = k[depthwise: .k3s2]
        var broken = k
        broken[depthwise: .k3s2] = { args, rows in
            real(args, rows)
            if !rows.isEmpty { args.output[rows.lowerBound * args.outputWidth * args.outputStride] += 0.5 }
        }
        return broken
    }

    // MARK: Cache

    /// Where outcomes are kept: $SANDGLASS_CACHE_DIR, else $XDG_CACHE_HOME/sandglass, else
    /// ~/.cache/sandglass; in its selftest/ folder.
    static var cacheFolder: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["SANDGLASS_CACHE_DIR"] ?? env["XDG_CACHE_HOME"].map { $0 + "/sandglass" }
            ?? (NSHomeDirectory() + "/.cache/sandglass")
        return base + "/selftest"
    }

    /// This binary (by path, size and modification time), this CPU and these ISAs; nil when the
    /// binary cannot be identified (then nothing is cached).
    static func cacheKey(isas: [ISA]) -> String? {
        guard let binary = BinaryIdentity.current else { return nil }
        return BinaryIdentity.hash("\(binary)|\(ISASelection.cpuBrand)|\(isas.map(\.rawValue).joined(separator: ","))")
    }

    static func recall(_ key: String) -> SelfTestOutcome? {
        guard let data = FileManager.default.contents(atPath: cacheFolder + "/" + key + ".json"),
              var outcome = try? JSONDecoder().decode(SelfTestOutcome.self, from: data), outcome.passed else { return nil }
        outcome.cached = true
        return outcome
    }

    static func remember(_ outcome: SelfTestOutcome, key: String) {
        let folder = cacheFolder
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let data = try? JSONEncoder().encode(outcome) else { return }
        // Written whole and renamed, so a reader never sees half a file.
        let temporary = folder + "/.\(key).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, folder + "/" + key + ".json") != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
