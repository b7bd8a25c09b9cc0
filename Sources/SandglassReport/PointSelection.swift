// How tables pick their points. A table row varies one or two parameters (α for Table 7,
// model and width for Table 3); everything else — board, resolution, threads, add mode,
// pinning and the ISA that ran — is the row's setting, and each setting gets its own section.
// Points that differ only in the counters axis measure the same latency (counters are read in
// a separate instrumented pass), so a table uses one of them and takes per-layer figures from
// whichever has them.
import SandglassHarness
import SandglassParameters

/// Everything a table holds fixed while it varies α, width or model.
public struct MeasurementSetting: Hashable, Comparable, Sendable {
    public var board: String?
    public var resolution: Int
    public var threads: Int
    public var add: String
    public var pin: String
    public var isa: String
    /// The arithmetic (f32 or int8): int8 and f32 points are separate settings of every table.
    public var dtype: ElementType

    public init(_ p: PointRecord, add: String? = nil) {
        board = p.board; resolution = p.resolution; threads = p.threads; self.add = add ?? p.add.rawValue; pin = p.pin.description; isa = p.isaUsed
        dtype = p.dtype ?? .f32
    }

    /// "224 px, 1 thread, fused adds, avx512" (and the board, pinning when set).
    public var description: String {
        var parts = ["\(resolution) px", threads == 1 ? "1 thread" : "\(threads) threads"]
        if !add.isEmpty { parts.append("\(add) adds") }
        parts.append(isa)
        if dtype != .f32 { parts.append(dtype.rawValue) }
        if pin != "none" { parts.append("pinned \(pin)") }
        if let board { parts.append("board \(board)") }
        return parts.joined(separator: ", ")
    }

    public static func < (a: MeasurementSetting, b: MeasurementSetting) -> Bool {
        func key(_ s: MeasurementSetting) -> [String] {
            [s.board ?? "", String(format: "%06d", s.resolution), String(format: "%04d", s.threads),
             s.add == "fused" ? "0" : s.add, s.pin, s.isa, s.dtype == .f32 ? "" : s.dtype.rawValue]
        }
        return key(a).lexicographicallyPrecedes(key(b))
    }
}

public enum PointSelection {
    /// Of points measuring the same thing, the one a latency table uses: counters "none"
    /// first (the plainest run), then the most samples, then the first.
    public static func forLatency(_ candidates: [ReportPoint]) -> ReportPoint? {
        candidates.enumerated().min { a, b in
            let ka = (a.element.record.counters == .none ? 0 : 1, -a.element.record.latencyMs.count, a.offset)
            let kb = (b.element.record.counters == .none ? 0 : 1, -b.element.record.latencyMs.count, b.offset)
            return ka < kb
        }?.element
    }

    /// Of points measuring the same thing, the one whose per-layer records a table uses: with
    /// layers first, then the most layer iterations, then the most samples.
    public static func forLayers(_ candidates: [ReportPoint]) -> ReportPoint? {
        candidates.enumerated().min { a, b in
            func key(_ e: (offset: Int, element: ReportPoint)) -> (Int, Int, Int, Int) {
                let r = e.element.record
                return ((r.layers?.isEmpty ?? true) ? 1 : 0, -(r.perLayer?.iterations ?? 0), -r.latencyMs.count, e.offset)
            }
            return key(a) < key(b)
        }?.element
    }

    /// A file-name-safe name for a point: "mobilenext-1.0-a1_2-224px-1t-separate-software".
    public static func slug(_ p: PointRecord) -> String {
        var parts = [p.model, ReportFormat.width(p.width), "a" + p.alpha.description.replacingOccurrences(of: "/", with: "_"),
                     "\(p.resolution)px", "\(p.threads)t", p.add.rawValue]
        if p.counters != .none { parts.append(p.counters.description) }
        if p.pin != .none { parts.append(p.pin.description) }
        if p.isa != .auto { parts.append(p.isa.description) }
        if let board = p.board { parts.insert(board, at: 0) }
        let joined = parts.joined(separator: "-")
        return String(joined.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// A short label: "MobileNeXt-1.0 α=1/2 separate" plus what differs from the defaults.
    public static func label(_ p: PointRecord) -> String {
        var parts = [ReportFormat.model(p.model, width: p.width), "α=\(p.alpha)"]
        if p.resolution != 224 { parts.append("@\(p.resolution)") }
        if p.threads != 1 { parts.append("\(p.threads)t") }
        parts.append(p.add.rawValue)
        if p.counters != .none { parts.append(p.counters.description) }
        if p.pin != .none { parts.append("pin \(p.pin)") }
        if p.isa != .auto { parts.append(p.isa.description) }
        if let board = p.board { parts.append("[\(board)]") }
        return parts.joined(separator: " ")
    }

    /// Whether two latency CIs are disjoint (a difference beyond the measurement's noise).
    public static func disjoint(_ a: LatencyStatistics, _ b: LatencyStatistics) -> Bool {
        a.ciHigh < b.ciLow || b.ciHigh < a.ciLow
    }
}
