// Per-machine tuning, the policy: --tuning off|cached|fresh (a sweep axis like the others)
// turns a model into the table of choices its plan applies, measuring what the cache for this
// CPU lacks.
import Foundation
import SandglassEngine

/// What tuning did for one plan, for the results' record.
public struct TuningOutcome: Codable, Sendable, Equatable {
    public var mode: TuningMode
    public var cpu: String?
    public var cacheFile: String?
    /// Layer shapes of the model with more than one way to run.
    public var shapes: Int
    /// Of those, measured in this run (the rest came from the cache).
    public var measured: Int
    /// Of those, running a tuned choice rather than the built-in one, with the choice.
    public var tuned: [String: String]
    public var seconds: Double
    public var warnings: [String]

    public static let off = TuningOutcome(mode: .off, cpu: nil, cacheFile: nil, shapes: 0, measured: 0, tuned: [:],
                                          seconds: 0, warnings: [])

    /// One line for humans: "cached: 31 shapes, 3 measured now, 5 tuned (…/amd-epyc-….json)".
    public var summary: String {
        guard mode != .off else { return "off (built-in kernel choices)" }
        return "\(mode.rawValue): \(shapes) layer shapes, \(measured) measured now, \(tuned.count) tuned"
            + (cacheFile.map { " (\($0))" } ?? "")
    }
}

public enum PlanTuning {
    /// The table of tuned choices for `graph`'s plan under `mode`. Measures on the calling
    /// thread (pin it first): every shape with `fresh`, the shapes the cache lacks with `cached`.
    /// `options` are the plan's (its ISA, add mode, fusion and L2 size): with fusion, the chains
    /// it forms are tuned too.
    /// `cpus`: the point's CPUs, one per thread (the first the calling thread's), on which chains
    /// are timed at the plan's thread count.
    public static func resolve(_ graph: Graph, options: PlanOptions, mode: TuningMode, cache: TuningCache = TuningCache(),
                               cpus: [Int]? = nil) throws -> (table: TuningTable, outcome: TuningOutcome) {
        guard mode != .off else { return (TuningTable(), .off) }
        let start = Date()
        let isa = options.isa
        let layers = try KernelTuning.tunableLayers(graph, isa: isa, options: options)
        var warnings: [String] = []
        let (file, problem) = cache.load()
        if let problem { warnings.append(problem) }
        // A cached entry measured by another build (whose kernels may rank differently), or over
        // another set of candidates, is measured again, and so is a chain not timed in the network.
        func stale(_ layer: TunableLayer) -> Bool {
            guard let entry = file.entries[layer.key], entry.candidates == layer.candidates.count,
                  entry.build == BinaryIdentity.current else { return true }
            return layer.trial.isInNetwork && entry.trial != "network"
        }
        let missing = mode == .fresh ? layers : layers.filter(stale)
        var measured = try KernelTuner.measure(missing, isa: isa)
        // The choice a layer's entry (measured now, else cached) applies: a tuned one, and one of
        // its candidates (an entry from another build's candidates keeps the built-in rule).
        func adopted(_ layer: TunableLayer) -> TuningEntry? {
            guard let entry = measured[layer.key] ?? file.entries[layer.key], !entry.choice.isDefault,
                  layer.candidates.contains(entry.choice) else { return nil }
            return entry
        }
        // Chains last, in a network that runs the layer choices just made; all of them together
        // when one is missing (one comparison times them all).
        if missing.contains(where: \.trial.isInNetwork) {
            var layerChoices = TuningTable()
            for layer in layers where !layer.trial.isInNetwork { layerChoices.choices[layer.key] = adopted(layer)?.choice }
            measured.merge(try KernelTuner.measureChains(graph, chains: layers.filter(\.trial.isInNetwork), options: options,
                                                         tuning: layerChoices, cpus: cpus)) { $1 }
        }
        if !measured.isEmpty {
            do { try cache.save(measured) } catch {
                warnings.append("tuning cache \(cache.fileURL.path) could not be written (\(error)): the choices hold for this run only")
            }
        }
        var table = TuningTable()
        var tuned: [String: String] = [:]
        for layer in layers {
            guard let entry = adopted(layer) else { continue }
            table.choices[layer.key] = entry.choice
            tuned[layer.key] = "\(entry.choice) (\(String(format: "%.3f", entry.ratioToBuiltIn))× the built-in)"
        }
        let outcome = TuningOutcome(mode: mode, cpu: cache.cpu, cacheFile: cache.fileURL.path, shapes: layers.count,
                                    measured: measured.count, tuned: tuned, seconds: Date().timeIntervalSince(start),
                                    warnings: warnings)
        return (table, outcome)
    }
}
