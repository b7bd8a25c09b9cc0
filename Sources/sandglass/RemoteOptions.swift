// Options of `sweep`, `bench` and `selftest` that run them on a board over SSH (see SandglassRemote).
import ArgumentParser
import Foundation
import SandglassHarness
import SandglassRemote

struct RemoteOptions: ParsableArguments {
    @Option(help: "Run on a board over SSH: ssh://[user@]host[:port] (a Host alias from ~/.ssh/config works).")
    var target: String?

    @Option(help: "Deploy this prebuilt sandglass binary (built for the board) instead of building from source there.")
    var binary: String?

    @Option(help: "ssh configuration file to use instead of ~/.ssh/config (ssh -F).")
    var sshConfig: String?

    @Option(help: "Extra ssh option KEY=VALUE, as ssh -o (repeatable).")
    var sshOption: [String] = []

    @Option(help: "Sandglass's directory on the board (default ~/.cache/sandglass); nothing outside it is written.")
    var remoteDir: String?

    @Option(help: "The swift command on the board, when it is not on the ssh session's PATH.")
    var remoteSwift: String = "swift"

    @Option(help: "Seconds to keep reconnecting to a board after the link drops (its sweep goes on meanwhile).")
    var reconnectTimeout: Double = 600

    var isRemote: Bool { target != nil }

    func validate(boardsFile: String? = nil, boardName: String? = nil) throws {
        if target != nil && boardsFile != nil { throw ValidationError("give either --target or --targets, not both") }
        if boardsFile != nil && boardName != nil {
            throw ValidationError("--board names the board of --target; with --targets, each board's name comes from the boards file")
        }
        let remote = target != nil || boardsFile != nil
        if !remote {
            let stray = [binary.map { _ in "--binary" }, sshConfig.map { _ in "--ssh-config" },
                         sshOption.isEmpty ? nil : "--ssh-option", remoteDir.map { _ in "--remote-dir" }].compactMap { $0 }
            if !stray.isEmpty { throw ValidationError("\(stray.joined(separator: ", ")) only apply with --target ssh://… (or --targets FILE)") }
            return
        }
        if let target { do { _ = try SSHTarget(parsing: target) } catch let e as RemoteError { throw ValidationError(e.message) } }
        for option in sshOption {
            do { try SSHSettings.validateOption(option) } catch let e as RemoteError { throw ValidationError(e.message) }
        }
        if let binary, !FileManager.default.isReadableFile(atPath: binary) {
            throw ValidationError("--binary \(binary): no such readable file")
        }
        if let sshConfig, !FileManager.default.isReadableFile(atPath: sshConfig) {
            throw ValidationError("--ssh-config \(sshConfig): no such readable file")
        }
        guard reconnectTimeout >= 0 else { throw ValidationError("--reconnect-timeout must be 0 or more seconds") }
    }

    var sshSettings: SSHSettings {
        var s = SSHSettings()
        s.configFile = sshConfig.map(absolute)
        s.options = sshOption
        return s
    }

    /// What to deploy: the prebuilt binary, or the checkout this sandglass was built in.
    var deployment: DeploymentRequest {
        var d = DeploymentRequest()
        d.binary = binary.map(absolute)
        d.swift = remoteSwift
        if binary == nil {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            d.sourceRoot = SourceBundle.locateSourceRoot(executable: executable)
        }
        return d
    }

    /// The board of --target.
    func targetBoard(name: String?) throws -> BoardSpec {
        let t: SSHTarget
        do { t = try SSHTarget(parsing: target ?? "") } catch let e as RemoteError { throw CommandFailure.usage(e.message) }
        var board = BoardSpec(name: name ?? t.defaultBoardName, target: t)
        if let remoteDir { board.remoteRoot = RemotePath(remoteDir) }
        return board
    }

    /// Runs `sandglass <verb> <arguments>` on the board of --target, attached: deploys first
    /// (the binary, or a build of this checkout), passes its output through, and fails with its
    /// exit status.
    func runOnTargetBoard(verb: String, arguments: [String]) throws {
        let board = try targetBoard(name: nil)
        let deployment = self.deployment
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
            code = try RemoteCommand.run(verb: verb, board: board, arguments: arguments, deployment: deployment,
                                         settings: sshSettings, controlDirectory: controls, progress: display)
        } catch let e as RemoteError {
            display.done()
            throw e.commandFailure
        }
        if code != 0 { throw CommandFailure("sandglass \(verb) on \(board.name) exited with status \(code)", exitCode: code) }
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

extension RemoteError {
    /// The CLI's failure for this error: one line, the class's exit code.
    var commandFailure: CommandFailure { CommandFailure(message, exitCode: kind.exitCode) }
}
