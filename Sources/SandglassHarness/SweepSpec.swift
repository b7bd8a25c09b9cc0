// A sweep: the points to measure (cross product of axes, or an explicit list) and how to
// measure them. Axis names are the CLI flag names, so a point reads like a command line.
@_exported import SandglassParameters  // a point's typed values are part of this module's API
import SandglassEngine
import SandglassKernels

/// One point of a sweep: the parameters of one `sandglass bench` invocation, as typed values
/// (SandglassParameters) parsed once where they enter: a spec, a flag, a --versus, a results file.
public struct SweepPoint: Codable, Hashable, Sendable {
    /// A built-in architecture's canonical name, or onnx:<path>.
    public var model: String
    public var width: Double
    public var alpha: IdentityMultiplier
    public var resolution: Int
    public var threads: Int
    public var add: AddMode
    public var counters: CounterSelection
    public var pin: PinRequest
    public var isa: ISAChoice
    /// Depth-first chains (auto, the default) or layer by layer (none).
    public var fusion: Fusion
    /// Kernel choices measured on this CPU (cached, the default), measured again (fresh), or the
    /// built-in ones (off): PlanTuning.swift.
    public var tuning: TuningMode
    /// The arithmetic: f32 (the default) or int8 (QuantizedPlanner.swift).
    public var dtype: ElementType

    public init(model: String = "mobilenext", width: Double = 1.0, alpha: IdentityMultiplier = .one, resolution: Int = 224,
                threads: Int = 1, add: AddMode = .fused, counters: CounterSelection = .none, pin: PinRequest = .none,
                isa: ISAChoice = .auto, fusion: Fusion = .auto, tuning: TuningMode = .cached, dtype: ElementType = .f32) {
        self.model = model; self.width = width; self.alpha = alpha; self.resolution = resolution
        self.threads = threads; self.add = add; self.counters = counters; self.pin = pin; self.isa = isa
        self.fusion = fusion; self.tuning = tuning; self.dtype = dtype
    }

    enum CodingKeys: String, CodingKey { case model, width, alpha, resolution, threads, add, counters, pin, isa, fusion, tuning, dtype }

    /// Points written before the fusion, tuning or dtype axes existed lack them: they read as the defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(model: try c.decode(String.self, forKey: .model), width: try c.decode(Double.self, forKey: .width),
                  alpha: try c.decode(IdentityMultiplier.self, forKey: .alpha), resolution: try c.decode(Int.self, forKey: .resolution),
                  threads: try c.decode(Int.self, forKey: .threads), add: try c.decode(AddMode.self, forKey: .add),
                  counters: try c.decode(CounterSelection.self, forKey: .counters), pin: try c.decode(PinRequest.self, forKey: .pin),
                  isa: try c.decode(ISAChoice.self, forKey: .isa),
                  fusion: try c.decodeIfPresent(Fusion.self, forKey: .fusion) ?? .auto,
                  tuning: try c.decodeIfPresent(TuningMode.self, forKey: .tuning) ?? .cached,
                  dtype: try c.decodeIfPresent(ElementType.self, forKey: .dtype) ?? .f32)
    }

    /// Canonical identity, used to resume, deduplicate and match points across results files.
    /// The fusion and tuning axes appear only off their defaults, so that ids written before they existed still match.
    public var id: String {
        "\(model) width=\(ModelSpec.formatWidth(width)) alpha=\(alpha) resolution=\(resolution) threads=\(threads) "
            + "add=\(add) counters=\(counters) pin=\(pin) isa=\(isa)" + (fusion == .auto ? "" : " fusion=\(fusion)")
            + (tuning == .cached ? "" : " tuning=\(tuning)") + (dtype == .f32 ? "" : " dtype=\(dtype)")
    }

    /// A short label for progress lines and tables.
    public var label: String {
        var parts = onnxPath.map { [$0.split(separator: "/").last.map(String.init) ?? $0] }
            ?? ["\(model)-\(ModelSpec.formatWidth(width))", "α=\(alpha)"]
        if resolution != 224 { parts.append("@\(resolution)") }
        if threads != 1 { parts.append("\(threads)t") }
        parts.append(add.rawValue)
        if counters != .none { parts.append(counters.description) }
        if pin != .none { parts.append("pin \(pin)") }
        if isa != .auto { parts.append(isa.description) }
        if fusion != .auto { parts.append("fusion \(fusion)") }
        if tuning != .cached { parts.append("tuning \(tuning)") }
        if dtype != .f32 { parts.append(dtype.rawValue) }
        return parts.joined(separator: " ")
    }

    public static let axisNames = ["model", "width", "alpha", "resolution", "threads", "add", "counters", "pin", "isa", "fusion", "tuning", "dtype"]

    /// An imported model's path when `model` is "onnx:<path>" (its width, α and resolution come
    /// from the file; the point's own width/alpha/resolution are then ignored).
    public var onnxPath: String? { model.hasPrefix("onnx:") ? String(model.dropFirst(5)) : nil }

    /// The model this point measures.
    public func modelSpec(seed: UInt64 = 0) throws -> ModelSpec {
        guard let arch = Architecture(rawValue: model) else {
            throw ModelSpecError("unknown model '\(model)': choose \(ModelName.choices)")
        }
        let spec = ModelSpec(architecture: arch, width: width, alpha: alpha, resolution: resolution, seed: seed)
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
    /// A folder for one Chrome trace per point with a per-layer pass (nil: no traces).
    public var traceFolder: String?

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
        // Each value is parsed by its type in SandglassParameters, the one parser the CLI flags,
        // --versus and results files use too.
        func parsed<T>(_ parse: () throws -> T) throws -> T {
            do { return try parse() } catch let e as ParameterError { throw fail(e.message) } catch let e as CounterSelection.ParseError {
                throw fail(e.description)
            } catch let e as PinRequest.ParseError { throw fail(e.description) }
        }
        switch axis {
        case "model": model = try parsed { try ModelName.canonical(parsing: value) }
        case "width":
            guard let w = Double(value), w.isFinite, w > 0, w <= 10 else {
                throw fail("width '\(value)' must be a positive number such as 0.35, 0.5, 0.75, 1.0 or 1.4")
            }
            width = w
        case "alpha": alpha = try parsed { try IdentityMultiplier(parsing: value) }
        case "resolution":
            guard let r = Int(value), r >= ModelSpec.minimumResolution, r <= 4096 else {
                throw fail("resolution '\(value)' must be an integer between \(ModelSpec.minimumResolution) and 4096")
            }
            resolution = r
        case "threads": threads = try parsed { try ThreadCount.parse(value) }
        case "add": add = try parsed { try AddMode(parsing: value) }
        case "counters": counters = try parsed { try CounterSelection(parsing: value) }
        case "pin": pin = try parsed { try PinRequest(parsing: value) }
        case "isa": isa = try parsed { try ISAChoice(parsing: value) }
        case "fusion": fusion = try parsed { try Fusion(parsing: value) }
        case "tuning": tuning = try parsed { try TuningMode(parsing: value) }
        case "dtype": dtype = try parsed { try ElementType(parsing: value) }
        default:
            throw fail("unknown axis '\(axis)'")
        }
    }
}
