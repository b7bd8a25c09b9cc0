// Memory traffic per inference and per layer: measured where the counters give it, analytic
// otherwise, and always labelled which. Measured traffic is the derived counter
// `memoryTrafficBytes` (cache-line fills and write-backs × line size, from the counters
// backend), read as a per-inference figure like `timeMs`. A point's measured total exists only
// when every layer has it; one unavailable layer makes the total analytic, with the reason.
import SandglassHarness

public struct TrafficFigure: Sendable, Equatable {
    public var bytes: Double
    /// "measured", "scaled", "simulated" (from counters) or "analytic".
    public var provenance: String

    /// "measured", "analytic", "measured+scaled".
    public var label: String { provenance }
}

public enum MemoryTraffic {
    /// The counter a report reads as measured memory traffic.
    public static let counterName = "memoryTrafficBytes"

    /// Measured traffic of one layer, when its counters have it.
    public static func measured(_ layer: LayerRecord) -> TrafficFigure? {
        guard let c = layer.counters[counterName], let v = c.value, v.isFinite else { return nil }
        return TrafficFigure(bytes: v, provenance: c.provenance ?? "measured")
    }

    /// Traffic of one layer: measured if available, else the analytic minimum.
    public static func layer(_ layer: LayerRecord) -> TrafficFigure {
        measured(layer) ?? TrafficFigure(bytes: layer.analyticBytes, provenance: "analytic")
    }

    /// Measured traffic per inference of a point: the sum over its layers when every layer has
    /// the counter; nil otherwise, with the reason.
    public static func measured(_ point: PointRecord) -> (TrafficFigure?, reason: String?) {
        guard let layers = point.layers, !layers.isEmpty else {
            return (nil, "no per-layer records")
        }
        var total = 0.0
        var provenances: [String] = []
        for layer in layers {
            guard let c = layer.counters[counterName] else {
                return (nil, "counter \(counterName) not recorded (counter backend: \(point.perLayer?.counterBackend ?? "none"))")
            }
            guard let v = c.value else { return (nil, "\(counterName) unavailable: \(c.unavailable ?? "no reason given")") }
            total += v
            if let p = c.provenance, !provenances.contains(p) { provenances.append(p) }
        }
        let provenance = provenances.isEmpty ? "measured" : provenances.sorted().joined(separator: "+")
        return (TrafficFigure(bytes: total, provenance: provenance), nil)
    }

    /// The analytic minimum per inference from the model's counts (the shortcut add counted as
    /// its own operation, whatever the add mode): the same definition for every point.
    public static func analytic(_ point: PointRecord) -> TrafficFigure {
        TrafficFigure(bytes: Double(point.totals.bytesRead + point.totals.bytesWritten), provenance: "analytic")
    }

    /// Per inference: measured from any of the candidates (same parameters, different counters
    /// settings), else the analytic minimum of the first.
    public static func perInference(_ candidates: [ReportPoint]) -> TrafficFigure? {
        for p in candidates {
            if let m = measured(p.record).0 { return m }
        }
        return candidates.first.map { analytic($0.record) }
    }
}
