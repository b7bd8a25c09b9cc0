// Drift and throttling on record: while a comparison group alternates, the host is sampled
// between cycles every few seconds (never inside a timed inference): when, after how many
// cycles, the measuring CPUs' frequency where the kernel exposes it, thermal zones, and the
// load average. A group whose frequency or temperature moved while it was measured says so;
// paired ratios cancel slow drift, but a reader should know it happened.
import Foundation
import SandglassProbes

/// One sample of the host between cycles.
public struct DriftSample: Codable, Sendable, Equatable {
    /// Seconds since the group's timed cycles began.
    public var seconds: Double
    /// Cycles completed when sampled.
    public var cycles: Int
    /// MHz per measuring CPU (nil entries: not exposed), nil when no CPU exposes one.
    public var frequencyMHz: [Double?]?
    public var temperatureCelsius: [String: Double]?
    /// The 1-minute load average.
    public var loadAverage1: Double?

    public init(seconds: Double, cycles: Int, frequencyMHz: [Double?]?, temperatureCelsius: [String: Double]?, loadAverage1: Double?) {
        self.seconds = seconds; self.cycles = cycles; self.frequencyMHz = frequencyMHz
        self.temperatureCelsius = temperatureCelsius; self.loadAverage1 = loadAverage1
    }
}

public enum DriftLog {
    /// Seconds between samples.
    public static let interval = 2.0

    /// MHz per CPU (an empty list: CPU 0), nil when no CPU exposes one.
    public static func frequencies(_ cpus: [Int]) -> [Double?]? {
        let mhz = (cpus.isEmpty ? [0] : cpus).map { Environment.frequency($0).currentMHz }
        return mhz.allSatisfy { $0 == nil } ? nil : mhz
    }

    /// The host now, for the measuring CPUs (an empty list: CPU 0).
    public static func sample(seconds: Double, cycles: Int, cpus: [Int]) -> DriftSample {
        DriftSample(seconds: seconds, cycles: cycles, frequencyMHz: frequencies(cpus),
                    temperatureCelsius: ThermalZones.read(), loadAverage1: Environment.loadAverage()?.first)
    }

    /// The largest relative move of any CPU's frequency across the samples (0.05 = 5%), nil
    /// when no frequency was readable.
    public static func frequencySpread(_ samples: [DriftSample]) -> Double? {
        let count = samples.compactMap(\.frequencyMHz).map(\.count).max() ?? 0
        var worst: Double?
        for cpu in 0..<count {
            let values = samples.compactMap { $0.frequencyMHz.flatMap { cpu < $0.count ? $0[cpu] : nil } }.filter { $0 > 0 }
            guard let lo = values.min(), let hi = values.max() else { continue }
            worst = max(worst ?? 0, (hi - lo) / lo)
        }
        return worst
    }

    /// The largest range of any thermal zone across the samples, °C; nil without zones.
    public static func temperatureSpread(_ samples: [DriftSample]) -> Double? {
        var worst: Double?
        let zones = Set(samples.compactMap(\.temperatureCelsius).flatMap(\.keys))
        for zone in zones {
            let values = samples.compactMap { $0.temperatureCelsius?[zone] }
            guard let lo = values.min(), let hi = values.max() else { continue }
            worst = max(worst ?? 0, hi - lo)
        }
        return worst
    }

    /// Warnings for a measurement whose frequency moved by 5% or more, or temperature by 5 °C.
    public static func warnings(_ samples: [DriftSample]) -> [String] {
        var out: [String] = []
        if let f = frequencySpread(samples), f >= 0.05 {
            out.append("CPU frequency moved by \(Int((f * 100).rounded()))% while the group was measured (sampled every \(Int(interval)) s; see environment.drift): paired ratios cancel slow drift, absolute latencies do not")
        }
        if let t = temperatureSpread(samples), t >= 5 {
            out.append("temperature moved by \(Int(t.rounded())) °C while the group was measured: the chip may have throttled (see environment.drift; cooldown-below-celsius waits before each group)")
        }
        return out
    }
}

/// Collects a measurement's drift samples (called on the measuring thread only).
public final class DriftRecorder: @unchecked Sendable {
    public private(set) var samples: [DriftSample] = []
    /// The measuring CPUs; nil: whichever CPU the measuring thread is on when sampled.
    let cpus: [Int]?

    /// When the recorder was made (monotonic ns): the origin of its samples' seconds.
    public let startNanoseconds = MonotonicClock.nanoseconds()

    public init(cpus: [Int]?) { self.cpus = cpus }

    /// For a point's measurement: its pinned CPUs, or wherever the thread runs.
    public convenience init(for session: PointSession) { self.init(cpus: session.cpus.isEmpty ? nil : session.cpus) }

    /// A sample now, timed from the recorder's start.
    public func recordNow(cycles: Int) {
        record(seconds: Double(MonotonicClock.nanoseconds() - startNanoseconds) / 1e9, cycles: cycles)
    }

    public func record(seconds: Double, cycles: Int) {
        samples.append(DriftLog.sample(seconds: seconds, cycles: cycles, cpus: cpus ?? [ThreadPinning.currentCPU]))
    }
}
