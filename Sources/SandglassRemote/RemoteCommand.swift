// `sandglass bench --target …` and `sandglass selftest --target …`: one command on a board. The
// board is prepared as for a sweep (health check, deploy or cached build), then `sandglass <verb>`
// runs there attached, its output passed through as it comes; its exit status becomes ours.
import Foundation
import SandglassHarness

public enum RemoteCommand {
    public static func run(verb: String, board: BoardSpec, arguments: [String], deployment: DeploymentRequest, settings: SSHSettings,
                           controlDirectory: ControlDirectory, progress: BoardsProgress, timeout: TimeInterval = 4 * 3600) throws -> Int32 {
        let session = try BoardSession(board: board, settings: settings, controlDirectory: controlDirectory)
        defer { session.close() }
        let binary = try session.prepare(deployment: deployment, progress: progress)
        progress.done()
        let script = "cd \(ShellQuoting.quote(session.facts.root)) && exec \(ShellQuoting.command([binary, verb] + arguments))"
        let child = try session.connection.start(script)
        var stderr = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while child.hasOpenPipes {
            if Date() > deadline {
                child.terminate()
                throw RemoteError(.timeout, "sandglass \(verb) on \(board.name) did not finish within \(Int(timeout / 60)) minutes")
            }
            if Interruption.requested {
                child.terminate()
                throw RemoteError(.interrupted, "interrupted; sandglass \(verb) on \(board.name) ends on its own")
            }
            for chunk in child.read(timeout: 0.25) {
                switch chunk {
                case .stdout(let d): FileHandle.standardOutput.write(d)
                case .stderr(let d): stderr.append(d); FileHandle.standardError.write(d)
                }
            }
        }
        let code = child.wait()
        if code == 255, let e = SSHFailureClassifier.classify(status: 255, stderr: String(decoding: stderr, as: UTF8.self),
                                                              destination: session.connection.destination) {
            throw e
        }
        return code
    }
}
