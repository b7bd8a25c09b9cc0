// `sandglass worker`: a long-lived process that loads models and runs them on request, one JSON
// line per request and per answer (protocol in SandglassHarness/WorkerSession.swift). The peers
// benchmark drives it to alternate Sandglass with other engines inference by inference.
import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "Load models and run them on request: JSON lines on stdin, answers (per-inference times) on stdout.",
            discussion: """
            Requests: {"op":"load","id":"a","model":"mobilenext","width":1.0,"alpha":"1/6","resolution":224,"threads":1}
            (or "onnx":"model.onnx"; also "add", "fusion", "tuning", "dtype", "isa", "pin", "seed"; the answer lists the plan's
            "steps"), {"op":"run","id":"a","iterations":1} (add "layers":true for every step's time, "layerMs"),
            {"op":"input","id":"a","values":[...]}, {"op":"output","id":"a"}, {"op":"roofline","id":"a"} (the plan's roofline
            bound from a quick calibration of this core, taken now), {"op":"unload","id":"a"}, {"op":"quit"}.
            The first line out is {"op":"ready",...}. Times are measured around the inference alone.
            """)

        @Flag(help: "Load models even when the self-test of their ISA fails (answers then say so).")
        var skipSelftest = false

        func run() throws {
            let session = WorkerSession(skipSelftest: skipSelftest)
            write(session.hello())
            while !session.finished, let line = readLine(strippingNewline: true) {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                write(session.handle(line))
            }
        }

        /// One answer line, flushed at once: the driver waits for it.
        func write(_ line: String) {
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}
