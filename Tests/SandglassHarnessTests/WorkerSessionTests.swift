import Foundation
import SandglassEngine
import SandglassHarness
import XCTest

/// The worker's protocol, driven in-process: what each request answers, and that a loaded model
/// really runs (its output equals a plan built directly from the same model and input).
final class WorkerSessionTests: XCTestCase {
    func answer(_ session: WorkerSession, _ request: String) throws -> [String: Any] {
        let line = session.handle(request)
        XCTAssertFalse(line.contains("\n"), "one line per answer")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    func testLoadedModelComputesWhatTheEngineComputes() throws {
        let session = WorkerSession(skipSelftest: true)
        let load = try answer(session, #"{"op":"load","id":"m","model":"mobilenetv2","width":0.5,"resolution":64,"seed":3,"add":"separate"}"#)
        XCTAssertEqual(load["ok"] as? Bool, true, "\(load)")
        XCTAssertEqual(load["add"] as? String, "separate")
        let spec = ModelSpec(architecture: .mobilenetv2, width: 0.5, alpha: .one, resolution: 64, classes: 1000, seed: 3)
        XCTAssertEqual(load["madds"] as? Int, try spec.build().totals.madds)

        var random = SeededRandom(seed: 11)
        let x = random.uniform(-1, 1, count: 3 * 64 * 64)
        let values = x.map { String(describing: $0) }.joined(separator: ",")
        XCTAssertEqual(try answer(session, #"{"op":"input","id":"m","values":[\#(values)]}"#)["ok"] as? Bool, true)
        XCTAssertEqual((try answer(session, #"{"op":"run","id":"m","iterations":2}"#)["ms"] as? [Double])?.count, 2)
        let out = try XCTUnwrap(try answer(session, #"{"op":"output","id":"m"}"#)["values"] as? [Double])

        let plan = try Planner.plan(try spec.build(), options: PlanOptions(addMode: .separate))
        try plan.setInput(x, nchw: true)
        Executor(plan: plan).run()
        let expected = plan.readOutput(nchw: true)
        XCTAssertEqual(out.count, expected.count)
        let worst = zip(out, expected).map { abs($0 - Double($1)) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-5, "same model, same input, same plan options: same output")
    }

    /// An instrumented run answers every step's time per inference, in the order of the load
    /// answer's steps, which are the plan's: what a driver pairs with another engine's profiler.
    func testLayersRunTimesEveryStepOfEveryInference() throws {
        let session = WorkerSession(skipSelftest: true)
        let load = try answer(session, #"{"op":"load","id":"m","model":"mobilenext","width":0.35,"alpha":"1/2","resolution":48,"fusion":"none","tuning":"off"}"#)
        XCTAssertEqual(load["ok"] as? Bool, true, "\(load)")
        let steps = try XCTUnwrap(load["steps"] as? [[String: String]])
        let spec = ModelSpec(architecture: .mobilenext, width: 0.35, alpha: try IdentityMultiplier(parsing: "1/2"),
                             resolution: 48, classes: 1000, seed: 0)
        let plan = try Planner.plan(try spec.build(), options: PlanOptions(fusion: .none))
        XCTAssertEqual(steps.map { $0["name"] }, plan.steps.map(\.name))
        XCTAssertEqual(steps.map { $0["kernel"] }, plan.steps.map(\.kernel))
        XCTAssertEqual(steps.map { $0["op"] }, plan.steps.map(\.op))

        let run = try answer(session, #"{"op":"run","id":"m","iterations":3,"layers":true}"#)
        XCTAssertEqual(run["ok"] as? Bool, true, "\(run)")
        let ms = try XCTUnwrap(run["ms"] as? [Double])
        let layers = try XCTUnwrap(run["layerMs"] as? [[Double]])
        XCTAssertEqual(ms.count, 3)
        XCTAssertEqual(layers.count, 3)
        for (total, perStep) in zip(ms, layers) {
            XCTAssertEqual(perStep.count, plan.steps.count)
            XCTAssertTrue(perStep.allSatisfy { $0 > 0 }, "every step took time: \(perStep)")
            XCTAssertLessThanOrEqual(perStep.reduce(0, +), total, "the steps run inside the inference's timer")
        }
        // Without "layers" the answer stays the plain one.
        XCTAssertNil(try answer(session, #"{"op":"run","id":"m"}"#)["layerMs"])
    }

    func testBadRequestsAreAnsweredNotFatal() throws {
        let session = WorkerSession(skipSelftest: true)
        let cases: [(String, String)] = [
            ("{", "one JSON object"),
            (#"{"id":"a"}"#, "one JSON object"),
            (#"{"op":"fly"}"#, "unknown op \"fly\""),
            (#"{"op":"load"}"#, "needs an \"id\""),
            (#"{"op":"load","id":"a","model":"resnet"}"#, "resnet"),
            (#"{"op":"load","id":"a","width":0}"#, "width"),
            (#"{"op":"load","id":"a","resolution":8}"#, "resolution"),
            (#"{"op":"load","id":"a","add":"sometimes"}"#, "fused"),
            (#"{"op":"load","id":"a","threads":0}"#, "threads 0"),
            (#"{"op":"load","id":"a","isa":"sse9"}"#, "sse9"),
            (#"{"op":"load","id":"a","onnx":"/nonexistent/m.onnx"}"#, "no such readable file"),
            (#"{"op":"load","id":"a","onnx":"/dev/null","width":1}"#, "cannot be combined"),
            (#"{"op":"run","id":"nobody"}"#, "no model is loaded as \"nobody\""),
            (#"{"op":"unload","id":"nobody"}"#, "no model is loaded"),
        ]
        for (request, expected) in cases {
            let a = try answer(session, request)
            XCTAssertEqual(a["ok"] as? Bool, false, request)
            XCTAssertTrue((a["error"] as? String ?? "").contains(expected), "\(request) → \(a)")
        }
        XCTAssertEqual(try answer(session, #"{"op":"load","id":"a","width":0.35,"resolution":32}"#)["ok"] as? Bool, true)
        for (request, expected) in [(#"{"op":"run","id":"a","iterations":0}"#, "iterations 0"),
                                    (#"{"op":"input","id":"a","values":[1,2]}"#, "3072 numbers")] {
            let a = try answer(session, request)
            XCTAssertEqual(a["ok"] as? Bool, false, request)
            XCTAssertTrue((a["error"] as? String ?? "").contains(expected), "\(request) → \(a)")
        }
        XCTAssertEqual(try answer(session, #"{"op":"unload","id":"a"}"#)["ok"] as? Bool, true)
        XCTAssertFalse(session.finished)
        XCTAssertEqual(try answer(session, #"{"op":"quit"}"#)["op"] as? String, "quit")
        XCTAssertTrue(session.finished)
    }

    /// The roofline answer is the loaded plan's bound: the same arithmetic (Roofline.bound) on the
    /// ceilings the answer reports gives the same figure, and its steps are the plan's. An int8
    /// plan has none (the calibrated peak is fp32 FMA) and says why instead of a number.
    func testRooflineIsTheLoadedPlansBound() throws {
        let session = WorkerSession(skipSelftest: true)
        let load = try answer(session, #"{"op":"load","id":"m","model":"mobilenext","width":0.35,"resolution":32,"fusion":"none","tuning":"off"}"#)
        XCTAssertEqual(load["ok"] as? Bool, true, "\(load)")
        let a = try answer(session, #"{"op":"roofline","id":"m"}"#)
        XCTAssertEqual(a["ok"] as? Bool, true, "\(a)")
        let r = try XCTUnwrap(a["roofline"] as? [String: Any], "an fp32 plan on a CPU that calibrates has a bound: \(a)")
        let bound = try XCTUnwrap(r["boundMs"] as? Double), compute = try XCTUnwrap(r["computeBoundMs"] as? Double)
        let traffic = try XCTUnwrap(r["trafficBoundMs"] as? Double), peak = try XCTUnwrap(r["peakGflops"] as? Double)
        XCTAssertGreaterThan(bound, 0)
        XCTAssertEqual(compute + traffic, bound, accuracy: bound * 1e-9)
        let levels = try XCTUnwrap(r["levels"] as? [[String: Any]])
        let steps = try XCTUnwrap(load["steps"] as? [[String: String]])
        XCTAssertEqual(levels.compactMap { $0["steps"] as? Int }.reduce(0, +), steps.count, "every step of the plan is bound once")

        let spec = ModelSpec(architecture: .mobilenext, width: 0.35, alpha: .one, resolution: 32, classes: 1000, seed: 0)
        let plan = try Planner.plan(try spec.build(), options: PlanOptions(fusion: .none))
        let calibration = CalibrationRecord(
            measuredAt: "the worker's answer", peaks: [PeakMeasurement(isa: plan.isa.rawValue, threads: 1, gflops: peak)],
            bandwidth: levels.map { BandwidthMeasurement(level: $0["name"] as! String, workingSetBytes: 1, threads: 1,
                                                         gbPerSecond: $0["gbPerSecond"] as! Double) })
        let caches = levels.compactMap { l in (l["capacityBytes"] as? Int).map { (level: Int(String((l["name"] as! String).dropFirst()))!, bytes: $0) } }
        let expected = try XCTUnwrap(Roofline.bound(plan: plan, calibration: calibration, caches: caches))
        XCTAssertEqual(bound, expected.boundMs, accuracy: bound * 1e-9)

        XCTAssertEqual(try answer(session, #"{"op":"load","id":"q","width":0.35,"resolution":32,"dtype":"int8"}"#)["ok"] as? Bool, true)
        let q = try answer(session, #"{"op":"roofline","id":"q"}"#)
        XCTAssertEqual(q["ok"] as? Bool, true, "\(q)")
        XCTAssertTrue(q["roofline"] is NSNull, "\(q)")
        XCTAssertTrue((q["unavailable"] as? String ?? "").contains("int8"), "\(q)")
        let missing = try answer(session, #"{"op":"roofline","id":"nobody"}"#)
        XCTAssertEqual(missing["ok"] as? Bool, false)
        XCTAssertTrue((missing["error"] as? String ?? "").contains("no model is loaded"), "\(missing)")
    }

    /// The run answer is written by hand (not by JSONSerialization): it must still be one valid
    /// JSON line whose id round-trips, whatever characters the driver chose for the id.
    func testRunAnswerIsValidJSONForAnyID() throws {
        let session = WorkerSession(skipSelftest: true)
        let id = "q\"uo\\te\ttab\u{01}é/∑"
        let quotedID = String(decoding: try JSONSerialization.data(withJSONObject: [id], options: []), as: UTF8.self).dropFirst().dropLast()
        XCTAssertEqual(try answer(session, #"{"op":"load","id":\#(quotedID),"width":0.35,"resolution":32}"#)["ok"] as? Bool, true)
        let run = try answer(session, #"{"op":"run","id":\#(quotedID),"iterations":3}"#)
        XCTAssertEqual(run["id"] as? String, id, "\(run)")
        XCTAssertEqual(run["op"] as? String, "run")
        XCTAssertEqual(run["ok"] as? Bool, true)
        let ms = try XCTUnwrap(run["ms"] as? [Double], "\(run)")
        XCTAssertEqual(ms.count, 3)
        XCTAssertTrue(ms.allSatisfy { $0 > 0 && $0 < 60_000 }, "\(ms)")
    }
}
