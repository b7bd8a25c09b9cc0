// `sandglass bench --target ssh://…`: the same benchmark, run on a board.
import ArgumentParser
import Foundation
import SandglassHarness
import SandglassRemote

extension Sandglass.Bench {
    /// The bench arguments for the board: every option as parsed here, so that defaults and
    /// spellings match whatever this binary accepted.
    var boardArguments: [String] {
        var args: [String] = []
        let modelFlags: [(String, String?)] = [("--model", model.model), ("--width", model.width), ("--alpha", model.alpha),
                                                ("--resolution", model.resolution.map(String.init)),
                                                ("--classes", model.classes.map(String.init)), ("--seed", model.seed.map(String.init))]
        for (flag, value) in modelFlags { if let value { args += [flag, value] } }
        args += ["--isa", engine.isa, "--threads", String(engine.threads), "--add", engine.add, "--fusion", engine.fusion, "--tuning", engine.tuning,
                 "--counters", measurement.counters, "--pin", measurement.pin,
                 "--warmup", String(warmup), "--format", format.rawValue]
        if let iterationsOption { args += ["--iterations", String(iterationsOption)] }
        if perLayer { args.append("--per-layer") }
        if skipSelftest { args.append("--skip-selftest") }
        if counterWindow != "auto" { args += ["--counter-window", counterWindow] }
        return args
    }

    func runOnBoard() throws {
        if model.onnx != nil || model.weights != nil {
            throw CommandFailure.usage("--onnx and --weights read a file on this machine and cannot be combined with --target; run a built-in model on the board, or copy the model there and run sandglass on the board")
        }
        try remote.runOnTargetBoard(verb: "bench", arguments: boardArguments)
    }
}
