// `sandglass calibrate`: this machine's ceilings, for rooflines and for expressing each layer
// as a fraction of what the hardware can do. Peak FMA throughput per ISA and thread count
// (register-resident chains), and read bandwidth from working sets sized to each cache level
// and to DRAM. Best of several repetitions: a ceiling is what the machine can reach.
import Foundation
import SandglassEngine
import SandglassKernels
import SandglassProbes

public struct PeakMeasurement: Codable, Sendable, Equatable {
    public var isa: String
    public var threads: Int
    public var gflops: Double

    public init(isa: String, threads: Int, gflops: Double) {
        self.isa = isa; self.threads = threads; self.gflops = gflops
    }
}

public struct BandwidthMeasurement: Codable, Sendable, Equatable {
    /// L1, L2, L3 (the caches the machine has) or DRAM.
    public var level: String
    public var workingSetBytes: Int
    public var threads: Int
    public var gbPerSecond: Double

    public init(level: String, workingSetBytes: Int, threads: Int, gbPerSecond: Double) {
        self.level = level; self.workingSetBytes = workingSetBytes; self.threads = threads; self.gbPerSecond = gbPerSecond
    }
}

public struct CalibrationRecord: Codable, Sendable {
    public var type = "calibration"
    public var schemaVersion = resultsSchemaVersion
    public var measuredAt: String
    public var board: String?
    public var peaks: [PeakMeasurement]
    public var bandwidth: [BandwidthMeasurement]

    public init(measuredAt: String, board: String? = nil, peaks: [PeakMeasurement], bandwidth: [BandwidthMeasurement]) {
        self.measuredAt = measuredAt; self.board = board; self.peaks = peaks; self.bandwidth = bandwidth
    }

    /// Peak for an ISA and thread count, or the best single-thread peak.
    public func peak(isa: String? = nil, threads: Int = 1) -> Double? {
        peaks.filter { (isa == nil || $0.isa == isa) && $0.threads == threads }.map(\.gflops).max()
    }

    public func bandwidth(level: String, threads: Int = 1) -> Double? {
        bandwidth.first { $0.level == level && $0.threads == threads }?.gbPerSecond
    }
}

public enum MachineCalibration {
    /// - Parameters:
    ///   - isas: the kernel sets whose FMA peak to measure (default: every one this CPU runs).
    ///   - peakRepetitions: repetitions of the peak loop (the best counts), when a caller needs a
    ///     steadier peak than `quick` gives on a shared host (the roofline bound: ~1 s).
    public static func run(threadCounts: [Int]? = nil, quick: Bool = false, board: String? = nil, isas: [ISA]? = nil,
                           peakRepetitions: Int? = nil) -> CalibrationRecord {
        let cpus = CPUAffinity.current().cpus
        let counts = threadCounts ?? Array(Set([1, max(1, cpus.count)])).sorted()
        let seconds = quick ? 0.02 : 0.1
        let repetitions = quick ? 2 : 5
        var peaks: [PeakMeasurement] = []
        for isa in isas ?? ISASelection.available {
            guard let kernels = try? ISASelection.kernels(for: isa) else { continue }
            for t in counts {
                peaks.append(PeakMeasurement(isa: isa.rawValue, threads: t,
                                             gflops: peak(kernels, threads: t, seconds: seconds,
                                                          repetitions: peakRepetitions ?? repetitions, cpus: cpus)))
            }
        }
        var bandwidth: [BandwidthMeasurement] = []
        if let kernels = try? ISASelection.kernels() {
            for (level, bytes, shared) in workingSets() {
                for t in counts {
                    let perThread = shared ? bytes / t : bytes
                    let gbs = readBandwidth(kernels, bytesPerThread: perThread, threads: t, seconds: seconds,
                                            repetitions: repetitions, cpus: cpus)
                    bandwidth.append(BandwidthMeasurement(level: level, workingSetBytes: perThread * t, threads: t, gbPerSecond: gbs))
                }
            }
        }
        return CalibrationRecord(measuredAt: ISO8601DateFormatter().string(from: Date()), board: board, peaks: peaks,
                                 bandwidth: bandwidth)
    }

    /// Runs `body(part)` on `threads` threads pinned to distinct CPUs and returns the wall time.
    static func timedParallel(threads: Int, cpus: [Int], _ body: @escaping (Int) -> Void) -> Double {
        let pool = ThreadPool(threads: threads, pinning: cpus.count >= threads ? Array(cpus.prefix(threads)) : nil)
        pool.run(parts: threads) { part, _ in body(part) }   // first touch, thread start-up
        let t0 = MonotonicClock.nanoseconds()
        pool.run(parts: threads) { part, _ in body(part) }
        return Double(MonotonicClock.nanoseconds() - t0) / 1e9
    }

    static func peak(_ k: KernelSet, threads: Int, seconds: Double, repetitions: Int, cpus: [Int]) -> Double {
        let affinity = CPUAffinity.current()
        defer { affinity.apply() }
        if let first = cpus.first { CPUAffinity.pin(to: first) }
        // Size the loop to about `seconds` from a short trial.
        var iterations = 100_000
        let trial = timedParallel(threads: 1, cpus: cpus) { _ in _ = k.fmaThroughput(iterations) }
        iterations = max(iterations, Int(Double(iterations) * seconds / max(trial, 1e-6)))
        var best = 0.0
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        defer { sink.deallocate() }
        for _ in 0..<repetitions {
            let n = iterations
            let t = timedParallel(threads: threads, cpus: cpus) { part in sink[part] = k.fmaThroughput(n) }
            best = max(best, Double(n * k.fmaFlopsPerIteration * threads) / t / 1e9)
        }
        return best
    }

    static func readBandwidth(_ k: KernelSet, bytesPerThread: Int, threads: Int, seconds: Double, repetitions: Int,
                              cpus: [Int]) -> Double {
        let affinity = CPUAffinity.current()
        defer { affinity.apply() }
        if let first = cpus.first { CPUAffinity.pin(to: first) }
        let floats = max(256, bytesPerThread / 4 / 64 * 64)
        let buffer = AlignedBuffer(count: floats * threads)
        for i in 0..<(floats * threads) { buffer.pointer[i] = Float(i & 7) }
        let base = UnsafePointer(buffer.pointer)
        let trial = timedParallel(threads: threads, cpus: cpus) { part in _ = k.readSum(base + part * floats, floats) }
        let passes = max(1, Int(seconds / max(trial, 1e-7)))
        var best = 0.0
        let sink = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        defer { sink.deallocate() }
        for _ in 0..<repetitions {
            let t = timedParallel(threads: threads, cpus: cpus) { part in
                var s: Float = 0
                for _ in 0..<passes { s += k.readSum(base + part * floats, floats) }
                sink[part] = s
            }
            best = max(best, Double(floats * 4 * threads * passes) / t / 1e9)
        }
        return best
    }

    /// (level, bytes, shared by all threads) for each data cache level and DRAM.
    static func workingSets() -> [(String, Int, Bool)] {
        let env = Environment.capture()
        var result: [(String, Int, Bool)] = []
        var largest = 0
        for cache in env.caches where cache.type != "Instruction" {
            guard let size = cache.sizeBytes else { continue }
            let shared = (cache.sharedByCPUs ?? 1) > 1
            result.append(("L\(cache.level)", size / 2, shared))
            largest = max(largest, size)
        }
        let memory = env.memoryTotalBytes ?? (1 << 30)
        let dram = min(max(4 * largest, 64 << 20), memory / 8)
        result.append(("DRAM", dram, true))
        return result
    }
}
