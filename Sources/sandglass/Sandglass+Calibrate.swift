import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure this machine's ceilings: peak FMA throughput per ISA and thread count, read bandwidth per cache level and DRAM.")

        @Option(help: "Thread counts to measure, comma-separated (default: 1 and all CPUs).")
        var threads: String?

        @Flag(help: "Shorter measurement.")
        var quick = false

        @Option(help: "Append the calibration record to this results file.")
        var out: String?

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if let threads {
                let values = threads.split(separator: ",").map { Int($0) }
                guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 256 }) else {
                    throw ValidationError("--threads takes positive integers, comma-separated (e.g. 1,2)")
                }
            }
            guard format != .csv else { throw ValidationError("calibrate prints table or json") }
        }

        func run() throws {
            let counts = threads.map { $0.split(separator: ",").compactMap { Int($0) } }
            let record = MachineCalibration.run(threadCounts: counts, quick: quick)
            if let out {
                do { try ResultsWriter(path: out).append(record) } catch let e as ResultsError { throw CommandFailure(e.message) }
            }
            if format == .json { print(try jsonString(record)); return }
            var peaks = TextTable(headers: ["ISA", "threads", "peak GFLOP/s"], leftAligned: [0])
            for p in record.peaks { peaks.add([p.isa, "\(p.threads)", fixed(p.gflops, 1)]) }
            var bw = TextTable(headers: ["level", "working set", "threads", "read GB/s"], leftAligned: [0])
            for b in record.bandwidth {
                bw.add([b.level, "\(fixed(Double(b.workingSetBytes) / 1024, 0)) KiB", "\(b.threads)", fixed(b.gbPerSecond, 1)])
            }
            print(peaks.render())
            print()
            print(bw.render())
        }
    }
}
