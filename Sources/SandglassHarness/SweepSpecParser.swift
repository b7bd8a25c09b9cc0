// Reads a sweep specification from YAML. YAML rather than TOML: sweeps are lists of values
// per axis and lists of points, which YAML writes without quoting ("alpha: [1, 1/2, 1/6]"),
// and comments explain choices inline. Every problem is reported with file:line:column and
// what to write instead; unknown keys get a "did you mean".
//
//   name: table7
//   description: MobileNeXt-1.0 across the identity tensor multiplier
//   axes:                       # cross product; a scalar is a one-value axis
//     model: mobilenext
//     alpha: [1, 1/2, 1/3, 1/6]
//     add: [fused, separate]
//   points:                     # optional explicit points (unset keys: defaults)
//     - {model: mobilenetv2, width: 1.0}
//   measurement:
//     warmup: {runs: 10, seconds: 0.5}
//     repetitions: {min: 30, max: 5000}
//     target-ci: 1%
//     max-seconds: 30
//     rounds: 1
//     cooldown-seconds: 0
//     cooldown-below-celsius: 45   # boards with thermal zones
//     per-layer-iterations: 0
//     trace: traces              # a Chrome trace per point with a per-layer pass (omit: none)
//     seed: 1
//   compare:                    # optional: comparison groups, measured paired and interleaved
//     axis: alpha               # points differing only in alpha form a group...
//     baseline: 1               # ...compared with its alpha = 1 point
//                               # (several: axis: [add, alpha], baseline: {add: fused, alpha: 1})
//     interleave: inference     # or block:N
//     resolution-seconds: 10    # the A/A test at the start (0: none)
//
// With `compare`, warmup.runs counts warm-up cycles, repetitions bound the cycles, target-ci is
// the target half-width of every paired ratio's CI, and max-seconds caps each group.
import Yams

public struct SweepSpecError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    public let message: String

    public var description: String {
        let place = [file, line.map(String.init), column.map(String.init)].compactMap { $0 }.joined(separator: ":")
        return "\(place): \(message)"
    }
}

public enum SweepSpecParser {
    static let topKeys = ["name", "description", "axes", "points", "measurement", "compare"]
    static let measurementKeys = ["warmup", "repetitions", "target-ci", "max-seconds", "rounds", "cooldown-seconds",
                                  "cooldown-below-celsius", "per-layer-iterations", "trace", "seed"]
    static let compareKeys = ["axis", "baseline", "interleave", "resolution-seconds"]

    public static func parse(_ text: String, file: String = "<spec>") throws -> SweepSpec {
        func error(_ node: Node?, _ message: String) -> SweepSpecError {
            SweepSpecError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message)
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let e as YamlError {
            if let tab = misplacedTab(e, in: text) {
                throw SweepSpecError(file: file, line: tab.line, column: tab.column,
                                     message: "tabs are not allowed in YAML; indent with spaces")
            }
            throw SweepSpecError(file: file, line: nil, column: nil, message: "not valid YAML: \(e)".replacingNewlines)
        }
        guard let root, case let .mapping(top) = root else {
            throw error(root, "a sweep specification is a YAML mapping with keys \(topKeys.joined(separator: ", "))")
        }
        var name = file.split(separator: "/").last.map { String($0.split(separator: ".").first ?? "") } ?? "sweep"
        var description = ""
        var axes: [String: [String]] = [:]
        var explicit: [SweepPoint] = []
        var measurement = MeasurementSettings()
        var compare: (spec: ComparisonSpec, node: Node)?

        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "name": name = try scalar(value, "name", error)
            case "description": description = try scalar(value, "description", error)
            case "axes":
                guard case let .mapping(m) = value else { throw error(value, "'axes' must map axis names to a value or a list of values") }
                for (axisNode, values) in m {
                    let axis = axisNode.string ?? ""
                    guard SweepPoint.axisNames.contains(axis) else {
                        throw error(axisNode, "unknown axis '\(axis)'\(suggest(axis, SweepPoint.axisNames)); axes are \(SweepPoint.axisNames.joined(separator: ", "))")
                    }
                    let list = try scalars(values, axis, error)
                    guard !list.isEmpty else { throw error(values, "axis '\(axis)' has no values") }
                    // Validate each value where it is written.
                    for (v, node) in list {
                        var probe = SweepPoint()
                        do { try probe.set(axis, v) } catch let e as SweepValueError { throw error(node, e.message) }
                    }
                    axes[axis] = list.map(\.0)
                }
            case "points":
                guard case let .sequence(seq) = value else { throw error(value, "'points' must be a list of mappings such as {model: mobilenetv2, width: 1.0}") }
                for item in seq {
                    guard case let .mapping(m) = item else { throw error(item, "each point is a mapping such as {model: mobilenext, alpha: 1/2}") }
                    var p = SweepPoint()
                    for (k, v) in m {
                        let axis = k.string ?? ""
                        guard SweepPoint.axisNames.contains(axis) else {
                            throw error(k, "unknown key '\(axis)' in a point\(suggest(axis, SweepPoint.axisNames))")
                        }
                        let text = try scalar(v, axis, error)
                        do { try p.set(axis, text) } catch let e as SweepValueError { throw error(v, e.message) }
                    }
                    explicit.append(p)
                }
            case "measurement":
                measurement = try parseMeasurement(value, error)
            case "compare":
                compare = (try parseCompare(value, error), value)
            default:
                throw error(keyNode, "unknown key '\(key)'\(suggest(key, topKeys)); top-level keys are \(topKeys.joined(separator: ", "))")
            }
        }
        var points: [SweepPoint] = []
        if !axes.isEmpty || explicit.isEmpty {
            points = try SweepSpec.crossProduct(axes)
        }
        if !axes.isEmpty || !explicit.isEmpty {
            if axes.isEmpty { points = [] }
            for p in explicit where !points.contains(p) { points.append(p) }
        }
        if axes.isEmpty && explicit.isEmpty {
            throw error(root, "the sweep is empty: give 'axes' (a cross product) or 'points' (an explicit list)")
        }
        let spec = SweepSpec(name: name, description: description, points: points, measurement: measurement, compare: compare?.spec)
        if let compare {
            do { _ = try spec.groups() } catch let e as SweepValueError { throw error(compare.node, e.message) }
        }
        return spec
    }

    static func parseCompare(_ node: Node, _ error: (Node?, String) -> SweepSpecError) throws -> ComparisonSpec {
        guard case let .mapping(m) = node else {
            throw error(node, "'compare' is a mapping such as {axis: alpha, baseline: 1}")
        }
        var axes: [(String, Node)]?, baselineNode: Node?
        var interleave = InterleaveMode.inference
        var seconds = 10.0
        for (k, v) in m {
            let key = k.string ?? ""
            switch key {
            case "axis": axes = try scalars(v, key, error)
            case "baseline": baselineNode = v
            case "interleave":
                do { interleave = try InterleaveMode(parsing: try scalar(v, key, error)) } catch let e as ResultsError { throw error(v, e.message) }
            case "resolution-seconds": seconds = try number(v, key, min: 0, error)
            default:
                throw error(k, "unknown key '\(key)' in compare\(suggest(key, compareKeys)); keys are \(compareKeys.joined(separator: ", "))")
            }
        }
        guard let axes, !axes.isEmpty else { throw error(node, "compare needs 'axis' (the sweep axis compared within a group, e.g. alpha)") }
        for (axis, n) in axes where !SweepPoint.axisNames.contains(axis) {
            throw error(n, "compare axis '\(axis)' is not a sweep axis\(suggest(axis, SweepPoint.axisNames)); axes are \(SweepPoint.axisNames.joined(separator: ", "))")
        }
        guard let baselineNode else { throw error(node, "compare needs 'baseline' (the \(axes[0].0) value every group is compared with, e.g. 1)") }
        var baseline: [String: String] = [:]
        var valueNodes: [String: Node] = [:]
        if axes.count == 1, case .scalar = baselineNode {
            baseline[axes[0].0] = try scalar(baselineNode, "baseline", error)
            valueNodes[axes[0].0] = baselineNode
        } else {
            guard case let .mapping(bm) = baselineNode else {
                throw error(baselineNode, "with several compare axes, 'baseline' maps each axis to its baseline value, e.g. {add: fused, alpha: 1}")
            }
            for (k, v) in bm {
                let axis = k.string ?? ""
                guard axes.contains(where: { $0.0 == axis }) else {
                    throw error(k, "baseline names '\(axis)', which is not among the compare axes (\(axes.map(\.0).joined(separator: ", ")))")
                }
                baseline[axis] = try scalar(v, axis, error)
                valueNodes[axis] = v
            }
            if let missing = axes.first(where: { baseline[$0.0] == nil }) {
                throw error(baselineNode, "baseline gives no value for the compare axis '\(missing.0)'")
            }
        }
        for (axis, value) in baseline {
            var probe = SweepPoint()
            do { try probe.set(axis, value) } catch let e as SweepValueError { throw error(valueNodes[axis], "compare baseline: \(e.message)") }
        }
        return try ComparisonSpec(baseline: baseline, interleave: interleave, resolutionSeconds: seconds)
    }

    static func parseMeasurement(_ node: Node, _ error: (Node?, String) -> SweepSpecError) throws -> MeasurementSettings {
        guard case let .mapping(m) = node else { throw error(node, "'measurement' must be a mapping of \(measurementKeys.joined(separator: ", "))") }
        var s = MeasurementSettings()
        for (k, v) in m {
            let key = k.string ?? ""
            switch key {
            case "warmup":
                guard case let .mapping(w) = v else { throw error(v, "'warmup' is {runs: N, seconds: T}") }
                for (wk, wv) in w {
                    switch wk.string ?? "" {
                    case "runs": s.warmupRuns = try integer(wv, "warmup runs", min: 0, error)
                    case "seconds": s.warmupSeconds = try number(wv, "warmup seconds", min: 0, error)
                    default: throw error(wk, "unknown key '\(wk.string ?? "")' in warmup; use runs and seconds")
                    }
                }
            case "repetitions":
                guard case let .mapping(r) = v else { throw error(v, "'repetitions' is {min: N, max: M}") }
                for (rk, rv) in r {
                    switch rk.string ?? "" {
                    case "min": s.minRepetitions = try integer(rv, "minimum repetitions", min: 1, error)
                    case "max": s.maxRepetitions = try integer(rv, "maximum repetitions", min: 1, error)
                    default: throw error(rk, "unknown key '\(rk.string ?? "")' in repetitions; use min and max")
                    }
                }
                if s.maxRepetitions < s.minRepetitions {
                    throw error(v, "repetitions max (\(s.maxRepetitions)) is below min (\(s.minRepetitions))")
                }
            case "target-ci":
                let text = try scalar(v, key, error)
                let percent = text.hasSuffix("%")
                guard let x = Double(percent ? String(text.dropLast()) : text), x >= 0 else {
                    throw error(v, "target-ci '\(text)' must be a relative half-width such as 1% or 0.01 (0 disables it)")
                }
                s.targetCI = percent ? x / 100 : x
            case "max-seconds": s.maxSeconds = try number(v, key, min: 0.001, error)
            case "rounds": s.rounds = try integer(v, key, min: 1, error)
            case "cooldown-seconds": s.cooldownSeconds = try number(v, key, min: 0, error)
            case "cooldown-below-celsius": s.cooldownBelowCelsius = try number(v, key, min: 1, error)
            case "per-layer-iterations": s.perLayerIterations = try integer(v, key, min: 0, error)
            case "seed": s.seed = UInt64(try integer(v, key, min: 0, error))
            case "trace":
                let folder = try scalar(v, key, error)
                guard !folder.isEmpty else { throw error(v, "'trace' names a folder for the points' trace files, e.g. trace: traces") }
                s.traceFolder = folder
            default:
                throw error(k, "unknown key '\(key)' in measurement\(suggest(key, measurementKeys)); keys are \(measurementKeys.joined(separator: ", "))")
            }
        }
        return s
    }

    static func scalar(_ node: Node, _ what: String, _ error: (Node?, String) -> SweepSpecError) throws -> String {
        guard case let .scalar(s) = node else { throw error(node, "'\(what)' must be a single value") }
        return s.string
    }

    static func scalars(_ node: Node, _ what: String, _ error: (Node?, String) -> SweepSpecError) throws -> [(String, Node)] {
        switch node {
        case let .scalar(s): return [(s.string, node)]
        case let .sequence(seq):
            return try seq.map { item in
                guard case let .scalar(s) = item else { throw error(item, "values of '\(what)' must be scalars") }
                return (s.string, item)
            }
        default: throw error(node, "'\(what)' must be a value or a list of values")
        }
    }

    static func integer(_ node: Node, _ what: String, min: Int, _ error: (Node?, String) -> SweepSpecError) throws -> Int {
        let text = try scalar(node, what, error)
        guard let x = Int(text), x >= min else { throw error(node, "\(what) '\(text)' must be an integer ≥ \(min)") }
        return x
    }

    static func number(_ node: Node, _ what: String, min: Double, _ error: (Node?, String) -> SweepSpecError) throws -> Double {
        let text = try scalar(node, what, error)
        guard let x = Double(text), x.isFinite, x >= min else { throw error(node, "\(what) '\(text)' must be a number ≥ \(min)") }
        return x
    }

    /// " (did you mean 'width'?)" for a near miss.
    public static func suggest(_ word: String, _ candidates: [String]) -> String {
        let best = candidates.map { ($0, editDistance(word.lowercased(), $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, word.count / 3) else { return "" }
        return " (did you mean '\(best.0)'?)"
    }

    /// The tab that made YAML fail: libyaml stops at a tab in indentation with a message that
    /// quotes the line, tab and all. Tabs elsewhere (between a key and its value) are valid YAML.
    static func misplacedTab(_ error: YamlError, in text: String) -> (line: Int, column: Int)? {
        let mark: Mark
        switch error {
        case let .scanner(_, _, m, _), let .parser(_, _, m, _), let .composer(_, _, m, _): mark = m
        default: return nil
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = Array(lines[mark.line - 1].unicodeScalars)
        // Columns count Unicode scalars from 1, as libyaml's marks do.
        if mark.column >= 1, mark.column <= line.count, line[mark.column - 1] == "\t" { return (mark.line, mark.column) }
        let indentation = line.prefix { $0 == " " || $0 == "\t" }
        guard let offset = indentation.firstIndex(of: "\t") else { return nil }
        return (mark.line, offset + 1)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}

extension String {
    var replacingNewlines: String { split(separator: "\n").joined(separator: " ") }
}
