// `sandglass worker`: models held in one process and run on request, one JSON object per line in
// and out, so that a driver in another language (Benchmarks/peers) can alternate Sandglass with
// other engines inference by inference on one pinned core and pair their times. Each inference
// is timed here, around the executor alone, so pipe and JSON costs stay out of the figure.
//
//   {"op":"load","id":"a","model":"mobilenext","width":1.0,"alpha":"1/6","resolution":224,
//    "threads":1,"add":"fused","isa":"auto","pin":"none","seed":0,"dtype":"f32"}   (or "onnx":"path.onnx")
//   {"op":"run","id":"a","iterations":1}    -> {"ok":true,"op":"run","id":"a","ms":[10.93]}
//   {"op":"run","id":"a","layers":true}     the same, instrumented: also "layerMs", per inference
//                                            the time of every plan step (in the order of the load
//                                            answer's "steps": name, op, kernel), so that a driver
//                                            can pair layers with another engine's profiler
//   {"op":"input","id":"a","values":[…]}    NCHW input; {"op":"output","id":"a"} -> the output's
//                                            values: a numerical check against another engine
//   {"op":"roofline","id":"a"}             -> the plan's roofline bound ("roofline": boundMs,
//                                            computeBoundMs, peakGflops, levels…; RooflineBound.swift)
//                                            from a quick calibration of this core taken now (a few
//                                            seconds), or "roofline": null and "unavailable": why
//   {"op":"unload","id":"a"}, {"op":"quit"}
// A bad request gets {"ok":false,"error":"…"} and the worker goes on; it never traps on input.
import Foundation
import SandglassEngine
import SandglassKernels
import SandglassParameters
import SandglassProbes

public final class WorkerSession {
    /// One request line, decoded; every field but `op` is optional.
    struct Request: Decodable {
        var op: String
        var id: String?
        var model: String?
        var onnx: String?
        var width: Double?
        var alpha: String?
        var resolution: Int?
        var threads: Int?
        var add: String?
        var fusion: String?
        var tuning: String?
        var dtype: String?
        var isa: String?
        var pin: String?
        var seed: UInt64?
        var iterations: Int?
        var layers: Bool?
        var values: [Float]?
    }

    /// The most inferences one run request may ask for (a run answers only when it is done).
    public static let maxIterations = 100_000

    let skipSelftest: Bool
    var sessions: [String: PointSession] = [:]
    /// Whether the worker should stop reading (after `quit`).
    public private(set) var finished = false

    public init(skipSelftest: Bool = false) {
        self.skipSelftest = skipSelftest
    }

    /// The first line the worker writes: what it is and where it runs.
    public func hello() -> String {
        encode(["ok": true, "op": "ready", "cpu": Environment.cpuModel(), "isa": ISASelection.available.map(\.rawValue),
                "ops": ["load", "input", "run", "output", "roofline", "unload", "quit"]])
    }

    /// Answers one request line with one response line.
    public func handle(_ line: String) -> String {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: Data(line.utf8))
        } catch {
            return failure(nil, "cannot read the request \(Self.excerpt(line)): each line must be one JSON object with an \"op\" (load, input, run, output, roofline, unload, quit)")
        }
        do {
            switch request.op {
            case "load": return try load(request)
            case "run": return try run(request)
            case "input": return try input(request)
            case "output": return try output(request)
            case "roofline": return try roofline(request)
            case "unload":
                let id = try requireID(request)
                guard sessions.removeValue(forKey: id) != nil else { throw WorkerError("no model is loaded as \"\(id)\"") }
                return encode(["ok": true, "op": "unload", "id": id])
            case "quit":
                finished = true
                return encode(["ok": true, "op": "quit"])
            default:
                throw WorkerError("unknown op \"\(request.op)\": use load, input, run, output, roofline, unload or quit")
            }
        } catch let e as WorkerError {
            return failure(request, e.message)
        } catch {
            return failure(request, "\(error)")
        }
    }

    // MARK: - Requests

    func load(_ r: Request) throws -> String {
        let id = try requireID(r)
        let point = try Self.point(r)
        let isas = SelfTestGate.isas(for: [point])
        let selfTest = SelfTestGate.check(isas: isas, skip: skipSelftest)
        guard selfTest.passed || skipSelftest else { throw WorkerError(SelfTestGate.refusal(selfTest)) }
        let session: PointSession
        do {
            session = try PointSession(point, seed: r.seed ?? 0)
        } catch let e as ParameterError {
            throw WorkerError(e.message)
        } catch let e as ISASelectionError {
            throw WorkerError(e.description)
        } catch let e as ResultsError {
            throw WorkerError(e.message)
        } catch let e as ModelSpecError {
            throw WorkerError(e.message)
        }
        sessions[id] = session
        ProcessMemory.trim()
        let plan = session.plan
        return encode(["ok": true, "op": "load", "id": id, "model": session.modelName, "isa": plan.isa.rawValue,
                       "threads": session.executor.threads, "add": plan.options.addMode.rawValue,
                       "fusion": plan.options.fusion.rawValue, "tuning": session.tuning.summary,
                       "dtype": plan.elementType.rawValue,
                       "madds": session.totals.madds, "params": session.totals.params,
                       "selftest": selfTest.status, "pinnedCPUs": session.cpus,
                       "steps": plan.steps.map { ["name": $0.name, "op": $0.op, "kernel": $0.kernel] }])
    }

    func run(_ r: Request) throws -> String {
        let (id, session) = try loaded(r)
        let n = r.iterations ?? 1
        guard (1...Self.maxIterations).contains(n) else {
            throw WorkerError("iterations \(n): use 1 to \(Self.maxIterations)")
        }
        if r.layers == true { return runLayers(id: id, session: session, iterations: n) }
        var ms = [Double]()
        ms.reserveCapacity(n)
        let executor = session.executor
        for _ in 0..<n {
            let t0 = MonotonicClock.nanoseconds()
            executor.run()
            ms.append(Double(MonotonicClock.nanoseconds() - t0) / 1e6)
        }
        return Self.runAnswer(id: id, ms: ms)
    }

    /// Instrumented inferences: the per-layer probe (clock reads only, shared between adjacent
    /// steps) around every step, and the whole inference timed around it, as `bench --per-layer`
    /// times its instrumented pass.
    func runLayers(id: String, session: PointSession, iterations n: Int) -> String {
        let executor = session.executor
        let steps = session.plan.steps.count
        let probe = LayerProbe(steps: steps, expectedRuns: n)
        var ms = [Double]()
        ms.reserveCapacity(n)
        for _ in 0..<n {
            let t0 = MonotonicClock.nanoseconds()
            executor.run(probe: probe)
            ms.append(Double(MonotonicClock.nanoseconds() - t0) / 1e6)
        }
        let durations = (0..<steps).map { probe.durations(of: $0) }
        var line = String(Self.runAnswer(id: id, ms: ms).dropLast()) + #","layerMs":["#
        for run in 0..<n {
            line += run == 0 ? "[" : ",["
            for step in 0..<steps {
                if step > 0 { line += "," }
                line += "\(Double(durations[step][run]) / 1e6)"
            }
            line += "]"
        }
        return line + "]}"
    }

    /// The run answer, written by hand: JSONSerialization took ~0.2 ms per answer after an
    /// inference had evicted its code and data (3% of MobileNeXt-1.0 on Zen 5), time that a driver
    /// timing the round trip charges to Sandglass. Same keys, order and values as `encode`.
    static func runAnswer(id: String, ms: [Double]) -> String {
        var line = #"{"id":"# + jsonQuoted(id) + #","ms":["#
        for (i, t) in ms.enumerated() {
            if i > 0 { line += "," }
            line += t.isFinite ? "\(t)" : "null"
        }
        return line + #"],"ok":true,"op":"run"}"#
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func jsonQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// Replaces the model's input (dense NCHW, as ONNX Runtime takes it; a random one is set at
    /// load), so that a driver can compare outputs across engines.
    func input(_ r: Request) throws -> String {
        let (id, session) = try loaded(r)
        let shape = session.plan.input.shape
        guard let values = r.values, values.count == shape.elements else {
            throw WorkerError("input of \"\(id)\" needs \"values\": \(shape.elements) numbers (\(shape.channels)×\(shape.height)×\(shape.width), NCHW), got \(r.values?.count ?? 0)")
        }
        do { try session.plan.setInput(values, nchw: true) } catch { throw WorkerError("input of \"\(id)\": \(error)") }
        return encode(["ok": true, "op": "input", "id": id, "count": values.count])
    }

    /// The output after the last run, dense (NCHW; a classifier's logits).
    func output(_ r: Request) throws -> String {
        let (id, session) = try loaded(r)
        let values = session.plan.readOutput(nchw: true).map(Double.init)
        return encode(["ok": true, "op": "output", "id": id, "values": values])
    }

    /// The loaded plan's roofline bound, calibrated now on the CPUs this worker may run on: a
    /// driver asks right after its measurement, so that the bound and the times it puts beside it
    /// come from one state of a shared host (its FMA peak here moved 40 -> 47 GFLOP/s within an hour).
    func roofline(_ r: Request) throws -> String {
        let (id, session) = try loaded(r)
        let bound: RooflineBound
        switch Roofline.quickBound(plan: session.plan) {
        case .success(let b): bound = b
        case .failure(let why): return encode(["ok": true, "op": "roofline", "id": id, "roofline": NSNull(), "unavailable": why.reason])
        }
        let data = try JSONEncoder().encode(bound)
        let object = try JSONSerialization.jsonObject(with: data)
        return encode(["ok": true, "op": "roofline", "id": id, "roofline": object])
    }

    // MARK: - Parsing

    /// The point a load request describes, with the same parsers and checks as the CLI flags.
    static func point(_ r: Request) throws -> SweepPoint {
        var p = SweepPoint()
        do {
            if let onnx = r.onnx {
                let builtIn = [("model", r.model != nil), ("width", r.width != nil), ("alpha", r.alpha != nil),
                               ("resolution", r.resolution != nil)]
                if let field = builtIn.first(where: { $0.1 })?.0 {
                    throw WorkerError("\"\(field)\" describes a built-in model and cannot be combined with \"onnx\" (the file gives the architecture and input size)")
                }
                guard FileManager.default.isReadableFile(atPath: onnx) else { throw WorkerError("onnx \(onnx): no such readable file") }
                p.model = "onnx:" + onnx
            } else {
                p.model = try ModelName.architecture(parsing: r.model ?? "mobilenext").rawValue
                p.width = r.width ?? 1.0
                p.alpha = try IdentityMultiplier(parsing: r.alpha ?? "1")
                p.resolution = r.resolution ?? 224
                try p.modelSpec(seed: r.seed ?? 0).validate()
            }
            p.threads = r.threads ?? 1
            guard p.threads >= 1 else { throw WorkerError("threads \(p.threads): use 1 or more") }
            if let add = r.add {
                guard let mode = AddMode(rawValue: add) else {
                    throw WorkerError("add \"\(add)\": use \(AddMode.allCases.map(\.rawValue).joined(separator: " or "))")
                }
                p.add = mode
            }
            if let fusion = r.fusion { p.fusion = try Fusion(parsing: fusion) }
            if let tuning = r.tuning { p.tuning = try TuningMode(parsing: tuning) }
            if let dtype = r.dtype { p.dtype = try ElementType(parsing: dtype) }
            if let isa = r.isa { p.isa = try ISAChoice(parsing: isa) }
            if let pin = r.pin {
                do { p.pin = try PinRequest(parsing: pin) } catch let e as PinRequest.ParseError { throw WorkerError(e.description) }
            }
        } catch let e as ParameterError {
            throw WorkerError(e.message)
        } catch let e as ModelSpecError {
            throw WorkerError(e.message)
        }
        return p
    }

    /// The request's id and the model loaded under it.
    func loaded(_ r: Request) throws -> (String, PointSession) {
        let id = try requireID(r)
        guard let session = sessions[id] else { throw WorkerError("no model is loaded as \"\(id)\": load it first") }
        return (id, session)
    }

    func requireID(_ r: Request) throws -> String {
        guard let id = r.id, !id.isEmpty else { throw WorkerError("\"\(r.op)\" needs an \"id\" naming the model") }
        return id
    }

    // MARK: - Output

    func failure(_ r: Request?, _ message: String) -> String {
        var object: [String: Any] = ["ok": false, "error": message]
        if let r { object["op"] = r.op; if let id = r.id { object["id"] = id } }
        return encode(object)
    }

    func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return #"{"ok":false,"error":"the response could not be encoded"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func excerpt(_ line: String) -> String {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return "'" + (trimmed.count > 60 ? trimmed.prefix(60) + "…" : trimmed) + "'"
    }
}

struct WorkerError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
