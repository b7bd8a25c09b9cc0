// A sweep: the points to measure (cross product of axes, or an explicit list) and how to
// measure them. Axis names are the CLI flag names, so a point reads like a command line.
import SandglassEngine
import SandglassKernels

/// One point of a sweep: the parameters of one `sandglass bench` invocation.
public struct SweepPoint: Codable, Hashable, Sendable {
    public var model: String
    public var width: Double
    public var alpha: String
    public var resolution: Int
    public var threads: Int
    public var add: String
    public var counters: String
    public var pin: String
    public var isa: String

    public init(model: String = "mobilenext", width: Double = 1.0, alpha: String = "1", resolution: Int = 224,
                threads: Int = 1, add: String = "fused", counters: String = "none", pin: String = "none",
                isa: String = "auto") {
        self.model = model; self.width = width; self.alpha = alpha; self.resolution = resolution
        self.threads = threads; self.add = add; self.counters = counters; self.pin = pin; self.isa = isa
    }

    /// Canonical identity, used to resume, deduplicate and match points across results files.
    public var id: String {
        "\(model) width=\(ModelSpec.formatWidth(width)) alpha=\(alpha) resolution=\(resolution) threads=\(threads) "
            + "add=\(add) counters=\(counters) pin=\(pin) isa=\(isa)"
    }

    /// A short label for progress lines and tables.
    public var label: String {
        var parts = onnxPath.map { [$0.split(separator: "/").last.map(String.init) ?? $0] }
            ?? ["\(model)-\(ModelSpec.formatWidth(width))", "α=\(alpha)"]
        if resolution != 224 { parts.append("@\(resolution)") }
        if threads != 1 { parts.append("\(threads)t") }
        parts.append(add)
        if counters != "none" { parts.append(counters) }
        if pin != "none" { parts.append("pin \(pin)") }
        if isa != "auto" { parts.append(isa) }
        return parts.joined(separator: " ")
    }

    public static let axisNames = ["model", "width", "alpha", "resolution", "threads", "add", "counters", "pin", "isa"]

    /// An imported model's path when `model` is "onnx:<path>" (its width, α and resolution come
    /// from the file; the point's own width/alpha/resolution are then ignored).
    public var onnxPath: String? { model.hasPrefix("onnx:") ? String(model.dropFirst(5)) : nil }

    /// The model this point measures.
    public func modelSpec(seed: UInt64 = 0) throws -> ModelSpec {
        guard let arch = Architecture(rawValue: model) else {
            throw ModelSpecError("unknown model '\(model)': choose mobilenext or mobilenetv2")
        }
        let spec = ModelSpec(architecture: arch, width: width, alpha: try IdentityMultiplier(parsing: alpha),
                             resolution: resolution, seed: seed)
        try spec.validate()
        return spec
    }
}

/// How each point is measured (TFLite-style warm-up phase, then repetitions until the median's
/// CI is tight enough or a cap is hit).
public struct MeasurementSettings: Codable, Hashable, Sendable {
    /// Warm-up: at least this many runs and at least this many seconds.
    public var warmupRuns: Int = 10
    public var warmupSeconds: Double = 0.5
    /// Timed repetitions: at least min, at most max.
    public var minRepetitions: Int = 30
    public var maxRepetitions: Int = 5000
    /// Stop once the 95% CI of the median is within ±target (relative); 0 disables the target.
    public var targetCI: Double = 0.01
    /// Time cap for the timed repetitions of one point (all rounds together).
    public var maxSeconds: Double = 30
    /// Rounds: each point's repetitions are split into this many blocks, and every round visits
    /// every point once in a fresh shuffled order, so drift spreads over all points.
    public var rounds: Int = 1
    /// Idle seconds before each block (thermal cool-down).
    public var cooldownSeconds: Double = 0
    /// Before each point or group, wait until every thermal zone is below this (boards with
    /// thermal zones; at most 10 minutes).
    public var cooldownBelowCelsius: Double?
    /// Instrumented iterations for per-layer times and counters (0: none unless counters are set).
    public var perLayerIterations: Int = 0
    /// Seed of the shuffled visiting order.
    public var seed: UInt64 = 1

    public init() {}

    /// A few iterations per point and no confidence target: smoke tests and CI.
    public static var quick: MeasurementSettings {
        var m = MeasurementSettings()
        m.warmupRuns = 2
        m.warmupSeconds = 0
        m.minRepetitions = 8
        m.maxRepetitions = 8
        m.targetCI = 0
        m.maxSeconds = 10
        m.perLayerIterations = 3
        return m
    }
}

public struct SweepSpec: Codable, Hashable, Sendable {
    public var name: String
    public var description: String
    public var points: [SweepPoint]
    public var measurement: MeasurementSettings
    /// Comparison groups measured paired and interleaved (nil: each point measured on its own).
    public var compare: ComparisonSpec?

    public init(name: String, description: String = "", points: [SweepPoint], measurement: MeasurementSettings = MeasurementSettings(),
                compare: ComparisonSpec? = nil) {
        self.name = name; self.description = description; self.points = points; self.measurement = measurement
        self.compare = compare
    }

    /// The comparison groups (nil without `compare`).
    public func groups() throws -> [ComparisonGroup]? {
        guard let compare else { return nil }
        return try ComparisonGroup.groups(points, compare)
    }

    /// The cross product of axis values, in axis order (model slowest).
    public static func crossProduct(_ axes: [String: [String]], base: SweepPoint = SweepPoint()) throws -> [SweepPoint] {
        var points = [base]
        for axis in SweepPoint.axisNames {
            guard let values = axes[axis], !values.isEmpty else { continue }
            var next: [SweepPoint] = []
            for p in points {
                for v in values {
                    var q = p
                    try q.set(axis, v)
                    next.append(q)
                }
            }
            points = next
        }
        return points
    }
}

public struct SweepValueError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension SweepPoint {
    /// Sets one axis from its textual value, validating it as the CLI would.
    public mutating func set(_ axis: String, _ value: String) throws {
        func fail(_ m: String) -> SweepValueError { SweepValueError(message: m) }
        switch axis {
        case "model":
            let key = value.lowercased().filter { $0 != "-" && $0 != "_" }
            if value.hasPrefix("onnx:") {
                guard value.count > 5 else { throw fail("model 'onnx:' needs a path, e.g. onnx:models/mine.onnx") }
                model = value
                return
            }
            switch key {
            case "mobilenext", "mnext": model = "mobilenext"
            case "mobilenetv2", "mbv2": model = "mobilenetv2"
            default: throw fail("unknown model '\(value)': choose mobilenext, mobilenetv2 or onnx:<path to an .onnx file>")
            }
        case "width":
            guard let w = Double(value), w.isFinite, w > 0, w <= 10 else {
                throw fail("width '\(value)' must be a positive number such as 0.35, 0.5, 0.75, 1.0 or 1.4")
            }
            width = w
        case "alpha":
            do { alpha = try IdentityMultiplier(parsing: value).description } catch let e as ModelSpecError {
                throw fail(e.message)
            }
        case "resolution":
            guard let r = Int(value), r >= ModelSpec.minimumResolution, r <= 4096 else {
                throw fail("resolution '\(value)' must be an integer between \(ModelSpec.minimumResolution) and 4096")
            }
            resolution = r
        case "threads":
            guard let t = Int(value), t >= 1, t <= 256 else { throw fail("threads '\(value)' must be an integer from 1 to 256") }
            threads = t
        case "add":
            guard AddMode(rawValue: value) != nil else { throw fail("add '\(value)' must be fused or separate") }
            add = value
        case "counters":
            guard value == "none" || value == "software" || value == "sim" || value.hasPrefix("perf:") else {
                throw fail("counters '\(value)' must be none, software, sim or perf:<events> (perf:memory, perf:compute, perf:cycles,instructions)")
            }
            counters = value
        case "pin":
            let ok = value == "none" || (value.hasPrefix("core:") && Int(value.dropFirst(5)) != nil)
                || value == "kind:big" || value == "kind:little"
            guard ok else { throw fail("pin '\(value)' must be none, core:N, kind:big or kind:little") }
            pin = value
        case "isa":
            guard value == "auto" || ISA(rawValue: value) != nil else {
                throw fail("isa '\(value)' must be auto, avx512, avx2 or neon")
            }
            isa = value
        default:
            throw fail("unknown axis '\(axis)'")
        }
    }
}
