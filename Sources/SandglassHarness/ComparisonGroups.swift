// Comparison groups of a sweep: points that differ only along the compared axis form a group
// around the point whose value on that axis is the baseline (table7: α against 1; table3:
// MobileNeXt against MobileNetV2 at each width; add-vs-mac: separate against fused at each α).
// A group is measured as one: every point planned once, resident together, alternated inference
// by inference (InterleavedMeasurement), so each candidate is paired with its baseline.
import SandglassEngine

/// `compare:` of a sweep specification: one axis (`{axis: alpha, baseline: 1}`) or several
/// (`{axis: [add, alpha], baseline: {add: fused, alpha: 1}}`: every point of a group differs from
/// the baseline along those axes; all points of a group alternate in the same cycles, so any two
/// of them pair cycle by cycle, e.g. separate α = 1/6 against separate α = 1).
public struct ComparisonSpec: Codable, Hashable, Sendable {
    /// The compared axes and the value of each that marks a group's baseline, canonical
    /// ("alpha": "1", "add": "fused", "model": "mobilenetv2").
    public var baseline: [String: String]
    public var interleave: InterleaveMode
    /// Seconds of the A/A test at the start of the sweep (this machine's resolution); 0: none.
    public var resolutionSeconds: Double

    public var axes: [String] { SweepPoint.axisNames.filter { baseline[$0] != nil } }

    public init(baseline: [String: String], interleave: InterleaveMode = .inference, resolutionSeconds: Double = 10) throws {
        guard !baseline.isEmpty else { throw SweepValueError(message: "compare needs at least one axis") }
        var canonical: [String: String] = [:]
        for (axis, value) in baseline {
            guard SweepPoint.axisNames.contains(axis) else {
                throw SweepValueError(message: "compare axis '\(axis)' is not a sweep axis; axes are \(SweepPoint.axisNames.joined(separator: ", "))")
            }
            var probe = SweepPoint()
            try probe.set(axis, value)
            canonical[axis] = probe.value(of: axis)
        }
        self.baseline = canonical
        self.interleave = interleave
        self.resolutionSeconds = resolutionSeconds
    }

    public init(axis: String, baseline: String, interleave: InterleaveMode = .inference, resolutionSeconds: Double = 10) throws {
        try self.init(baseline: [axis: baseline], interleave: interleave, resolutionSeconds: resolutionSeconds)
    }

    /// "alpha = 1" or "add = fused, alpha = 1".
    public var baselineDescription: String { axes.map { "\($0) = \(baseline[$0]!)" }.joined(separator: ", ") }
}

public struct ComparisonGroup: Sendable {
    public var baseline: SweepPoint
    /// Each candidate with the axis values that distinguish it ("alpha": "1/6").
    public var candidates: [(overrides: [String: String], point: SweepPoint)]

    public var points: [SweepPoint] { [baseline] + candidates.map(\.point) }
    public var label: String {
        candidates.isEmpty ? baseline.label : "\(baseline.label) vs \(candidates.count) other(s)"
    }

    /// Groups of `points` under `spec`, in the order their first point appears. Throws when a
    /// group has no baseline point (it could not be compared with anything).
    public static func groups(_ points: [SweepPoint], _ spec: ComparisonSpec) throws -> [ComparisonGroup] {
        var order: [String] = []
        var members: [String: [SweepPoint]] = [:]
        let axes = spec.axes
        for p in points {
            var key = p
            for a in axes { try key.set(a, spec.baseline[a]!) }
            let k = key.id
            if members[k] == nil { order.append(k) }
            members[k, default: []].append(p)
        }
        return try order.map { k in
            let list = members[k]!
            guard let base = list.first(where: { p in axes.allSatisfy { p.value(of: $0) == spec.baseline[$0] } }) else {
                let values = list.map { p in axes.map { p.value(of: $0) }.joined(separator: " ") }.joined(separator: ", ")
                throw SweepValueError(message: "compare: the points at \(axes.joined(separator: " "))= \(values) (\(list[0].label)) have no \(spec.baselineDescription) point to compare with; add it to the sweep or choose another baseline")
            }
            let others = list.filter { $0 != base }.map { p in
                (Dictionary(uniqueKeysWithValues: axes.filter { p.value(of: $0) != spec.baseline[$0] }.map { ($0, p.value(of: $0)) }), p)
            }
            return ComparisonGroup(baseline: base, candidates: others)
        }
    }
}

extension SweepPoint {
    /// One axis's value, as `set` stores it.
    public func value(of axis: String) -> String {
        switch axis {
        case "model": return model
        case "width": return ModelSpec.formatWidth(width)
        case "alpha": return alpha.description
        case "resolution": return String(resolution)
        case "threads": return String(threads)
        case "add": return add.rawValue
        case "counters": return counters.description
        case "pin": return pin.description
        case "isa": return isa.description
        case "fusion": return fusion.rawValue
        case "tuning": return tuning.rawValue
        case "dtype": return dtype.rawValue
        default: return ""
        }
    }
}

extension ComparisonGroup {
    /// Memory permitting: every model of a group stays resident while it alternates. nil when
    /// `plannedBytes` (weights and arenas of the `models` planned so far) fits in half of the
    /// memory available when the group started, so that alternating never pages; otherwise what
    /// to do instead.
    public func residencyProblem(plannedBytes: Int, models: Int, availableBytes: Int?) -> String? {
        guard let available = availableBytes, plannedBytes * 2 > available else { return nil }
        let mib = { (b: Int) in "\(b / 1_048_576) MiB" }
        return "its \(models) of \(points.count) models planned so far need \(mib(plannedBytes)) resident (weights and arenas), more than half of the \(mib(available)) this machine had available; a group must stay resident to alternate inference by inference, so its points are measured one at a time, unpaired (to pair them, compare fewer values per group: split the compared axis across sweeps)"
    }
}
