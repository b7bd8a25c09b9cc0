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
        args += ["--isa", engine.isa, "--threads", String(engine.threads), "--add", engine.add,
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
        let board = try remote.targetBoard(name: nil)
        let deployment = remote.deployment
        if deployment.binary == nil && deployment.sourceRoot == nil {
            throw CommandFailure.usage("cannot find the Sandglass checkout this binary was built in, to deploy its sources: run the sandglass built in a checkout, or deploy a prebuilt binary with --binary PATH")
        }
        let controls: ControlDirectory
        do { controls = try ControlDirectory() } catch let e as RemoteError { throw e.commandFailure }
        defer { controls.remove() }
        Interruption.install()
        let display = BoardsProgress(style: .auto, boards: [board.name])
        let code: Int32
        do {
            code = try RemoteBench.run(board: board, arguments: boardArguments, deployment: deployment,
                                       settings: remote.sshSettings, controlDirectory: controls, progress: display)
        } catch let e as RemoteError {
            display.done()
            throw e.commandFailure
        }
        if code != 0 { throw CommandFailure("the benchmark on \(board.name) exited with status \(code)", exitCode: code) }
    }
}
