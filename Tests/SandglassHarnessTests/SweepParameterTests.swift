import Foundation
import SandglassEngine
import SandglassHarness
import XCTest

/// The typed sweep parameters (SandglassParameters): each value parsed once, by one parser, with
/// the messages users saw before; results files keep the same text.
final class SweepParameterTests: XCTestCase {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "accepted"
    }

    func testAlphaIsExactAndRejectsWhatItRejectedBefore() throws {
        XCTAssertEqual(try IdentityMultiplier(parsing: "0.5"), try IdentityMultiplier(parsing: "1/2"))
        XCTAssertEqual(try IdentityMultiplier(parsing: " 2/12 ").description, "1/6")
        XCTAssertEqual(try IdentityMultiplier(parsing: "1/3").channels(of: 272), 90, "floor(272/3), not round")
        XCTAssertLessThan(try IdentityMultiplier(parsing: "1/6"), try IdentityMultiplier(parsing: "1/3"))
        for bad in ["abc", "1/x", "", "1.2.3"] {
            XCTAssertEqual(message { _ = try IdentityMultiplier(parsing: bad) },
                           "identity multiplier α '\(bad)' is not valid: write a fraction such as 1/2, 1/3, 1/6 or a decimal in (0, 1]")
        }
        for outside in ["0", "2", "3/2", "1/0"] {
            XCTAssertEqual(message { _ = try IdentityMultiplier(parsing: outside) },
                           "identity multiplier α = \(outside) is outside (0, 1]: use a value such as 1, 1/2, 1/3 or 1/6")
        }
        // The sweep axis says the same.
        var p = SweepPoint()
        XCTAssertEqual(message { try p.set("alpha", "2") }, message { _ = try IdentityMultiplier(parsing: "2") })
    }

    func testEveryAxisParsesOnceAndKeepsItsText() throws {
        var p = SweepPoint()
        let values = ["model": "MNeXt", "width": "0.75", "alpha": "0.5", "resolution": "160", "threads": "2", "add": "Separate",
                      "counters": "perf:cycles,instructions", "pin": "core:1", "isa": "AVX2", "fusion": "None",
                      "tuning": "Fresh", "dtype": "INT8"]
        for (axis, value) in values { try p.set(axis, value) }
        XCTAssertEqual(p.model, "mobilenext")
        XCTAssertEqual(p.alpha, try IdentityMultiplier(parsing: "1/2"))
        XCTAssertEqual(p.add, .separate)
        XCTAssertEqual(p.counters, .perf(["cycles", "instructions"]))
        XCTAssertEqual(p.pin, .core(1))
        XCTAssertEqual(p.isa, .named(.avx2))
        XCTAssertEqual(p.fusion, Fusion.none)
        XCTAssertEqual(p.tuning, .fresh)
        XCTAssertEqual(p.dtype, .int8)
        XCTAssertEqual(p.id, "mobilenext width=0.75 alpha=1/2 resolution=160 threads=2 add=separate counters=perf:cycles,instructions pin=core:1 isa=avx2 fusion=none tuning=fresh dtype=int8")
        XCTAssertThrowsError(try p.set("dtype", "fp16")) { XCTAssertTrue("\($0)".contains("f32 or int8")) }
        XCTAssertThrowsError(try p.set("fusion", "depth-first")) { XCTAssertTrue("\($0)".contains("none or auto")) }
        // value(of:) gives text that parses back to the same point.
        var q = SweepPoint()
        for axis in SweepPoint.axisNames { try q.set(axis, p.value(of: axis)) }
        XCTAssertEqual(q, p)
        // Results files hold the same strings as before the values were typed.
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(p)) as? [String: Any])
        XCTAssertEqual(json["alpha"] as? String, "1/2")
        XCTAssertEqual(json["add"] as? String, "separate")
        XCTAssertEqual(json["counters"] as? String, "perf:cycles,instructions")
        XCTAssertEqual(json["pin"] as? String, "core:1")
        XCTAssertEqual(json["isa"] as? String, "avx2")
        XCTAssertEqual(try JSONDecoder().decode(SweepPoint.self, from: JSONEncoder().encode(p)), p)
        // A point written before the fusion axis existed reads as the default, with its old id.
        var old = json
        old["fusion"] = nil
        let decoded = try JSONDecoder().decode(SweepPoint.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertEqual(decoded.fusion, .auto)
        XCTAssertFalse(decoded.id.contains("fusion"))
    }

    func testModelAliasesAreOneTable() throws {
        for (alias, arch) in [("mobilenext", "mobilenext"), ("MNeXt", "mobilenext"), ("mxnet", "mobilenext"),
                              ("MobileNet-V2", "mobilenetv2"), ("mbv2", "mobilenetv2"), ("mnv2", "mobilenetv2")] {
            var p = SweepPoint()
            try p.set("model", alias)
            XCTAssertEqual(p.model, arch, alias)
            XCTAssertEqual(try ModelName.architecture(parsing: alias).rawValue, arch, alias)
        }
        var p = SweepPoint()
        XCTAssertEqual(message { try p.set("model", "resnet") },
                       "unknown model 'resnet': choose mobilenext, mobilenetv2, mobilenetv2-extra-dw, mobilenext-se or onnx:<path to an .onnx file>")
        XCTAssertEqual(message { try p.set("model", "onnx:") }, "model 'onnx:' needs a path, e.g. onnx:models/mine.onnx")
        try p.set("model", "onnx:m/x.onnx")
        XCTAssertEqual(p.onnxPath, "m/x.onnx")
    }

    func testTheThreadLimitIsCheckedInOnePlace() throws {
        XCTAssertNoThrow(try ThreadCount.check(1))
        XCTAssertNoThrow(try ThreadCount.check(256))
        XCTAssertEqual(message { try ThreadCount.check(0) }, "threads must be between 1 and 256 (got 0)")
        var p = SweepPoint()
        XCTAssertEqual(message { try p.set("threads", "257") }, "threads must be between 1 and 256 (got 257)")
        XCTAssertEqual(message { try p.set("threads", "two") }, "threads 'two' must be an integer from 1 to 256")
        // The planner refuses with the same words.
        let graph = try ModelSpec(architecture: .mobilenext, width: 0.35, resolution: 32, classes: 8).build()
        XCTAssertEqual(message { _ = try Planner.plan(graph, options: PlanOptions(threads: 300)) }, "threads must be between 1 and 256 (got 300)")
    }

    func testAddCountersPinAndISARejectWithTheirMessages() {
        var p = SweepPoint()
        XCTAssertEqual(message { try p.set("add", "both") }, "add 'both' must be fused or separate")
        XCTAssertEqual(message { try p.set("isa", "sse") }, "isa 'sse' must be auto, avx512, avx2 or neon")
        XCTAssertTrue(message { try p.set("counters", "papi") }.hasPrefix("unknown counter backend 'papi'"))
        XCTAssertTrue(message { try p.set("counters", "perf:cycles,") }.contains("empty event name"))
        XCTAssertEqual(message { try p.set("pin", "kind:medium") }, "--pin kind:medium: choose kind:big or kind:little")
        XCTAssertTrue(message { try p.set("pin", "cpu3") }.hasPrefix("--pin 'cpu3': use core:N"))
        XCTAssertEqual(p, SweepPoint(), "a rejected value leaves the point as it was")
    }

    func testAResultsFileWithAnInvalidValueIsRefusedWithTheReason() throws {
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(SweepPoint())) as? [String: Any])
        json["alpha"] = "7"
        let data = try JSONSerialization.data(withJSONObject: json)
        XCTAssertThrowsError(try JSONDecoder().decode(SweepPoint.self, from: data)) { e in
            XCTAssertTrue("\(e)".contains("outside (0, 1]"), "\(e)")
        }
        json["alpha"] = "1"
        json["counters"] = "perf:"
        XCTAssertThrowsError(try JSONDecoder().decode(SweepPoint.self, from: JSONSerialization.data(withJSONObject: json))) { e in
            XCTAssertTrue("\(e)".contains("empty event name"), "\(e)")
        }
    }
}
