// `sandglass bench --target ssh://…`: the same benchmark, run on a board.
import ArgumentParser
import Foundation
import SandglassHarness
import SandglassRemote

extension Sandglass.Bench {
    /// The bench arguments for the board: every option as parsed here, so that defaults and
    /// spellings match whatever this binary accepted.
    var boardArguments: [String] {
        var args = ["--model", model.model, "--width", model.width, "--alpha", model.alpha,
                    "--resolution", String(model.resolution), "--classes", String(model.classes), "--seed", String(model.seed),
                    "--isa", engine.isa, "--threads", String(engine.threads), "--add", engine.add,
                    "--warmup", String(warmup), "--iterations", String(iterations), "--format", format.rawValue]
        if perLayer { args.append("--per-layer") }
        return args
    }

    func runOnBoard() throws {
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
