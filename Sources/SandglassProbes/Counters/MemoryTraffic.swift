// Memory traffic of a layer: lines moved at one cache level, counted by events (fills, and
// write-backs where the PMU has them) times that level's line size, beside the analytic minimum
// the layer must move (weights, inputs, identity, outputs in fp32), and their ratio. Above 1:
// the layer re-reads data that fell out of the cache; below 1: data was already there.

/// How to turn counters into bytes at one level.
public struct TrafficRule: Codable, Sendable, Equatable {
    /// What the bytes are, e.g. "LLC misses (DRAM reads)".
    public var level: String
    /// The cache level whose line size applies (0: the last level).
    public var cacheLevel: Int
    /// Events counting lines brought into that level.
    public var fills: [String]
    /// Events counting lines written back from it.
    public var writeBacks: [String]

    public init(level: String, cacheLevel: Int, fills: [String], writeBacks: [String] = []) {
        self.level = level; self.cacheLevel = cacheLevel; self.fills = fills; self.writeBacks = writeBacks
    }
}

public struct MeasuredTraffic: Codable, Sendable, Equatable {
    public var level: String
    public var lineBytes: Int
    public var bytes: CounterReading
    /// bytes / analytic minimum, where bytes are known.
    public var ratio: Double?
}

public struct LayerTraffic: Codable, Sendable, Equatable {
    /// The minimum the layer must read and write (provenance: analytic).
    public var analytic: CounterReading
    public var measured: [MeasuredTraffic]

    public init(analyticBytes: Int, rules: [TrafficRule], readings: CounterReadings, lineBytes: (Int) -> Int) {
        analytic = .value(Double(analyticBytes), .analytic)
        measured = rules.map { rule in
            let line = lineBytes(rule.cacheLevel)
            let bytes = LayerTraffic.bytes(rule: rule, readings: readings, lineBytes: line)
            let ratio = bytes.value.flatMap { analyticBytes > 0 ? $0 / Double(analyticBytes) : nil }
            return MeasuredTraffic(level: rule.level, lineBytes: line, bytes: bytes, ratio: ratio)
        }
    }

    /// (Σ fills + Σ write-backs) × line size; unavailable if any event is.
    static func bytes(rule: TrafficRule, readings: CounterReadings, lineBytes: Int) -> CounterReading {
        var lines = 0.0
        var provenance = Provenance.measured
        var first = true
        for name in rule.fills + rule.writeBacks {
            guard let reading = readings[name] else { return .unavailable("event \(name) was not counted") }
            switch reading {
            case let .value(v, p, _):
                lines += v
                provenance = first ? p : provenance.combined(with: p)
                first = false
            case let .unavailable(reason):
                return .unavailable("\(name) unavailable: \(reason)")
            }
        }
        return .value(lines * Double(lineBytes), provenance)
    }
}
