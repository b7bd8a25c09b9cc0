// One board's SSH connection: a multiplexed master (ControlMaster=auto with ControlPersist, so
// the first command opens it and every later command reuses it; after a drop the next command
// opens a new one), commands with explicit deadlines, and ssh's own failures turned into
// RemoteError classes. Every remote command runs as `/bin/sh -c '<script>'`, quoted once for the
// login shell, so scripts are POSIX sh whatever the user's login shell is.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class SSHConnection: @unchecked Sendable {
    public let target: SSHTarget
    public let settings: SSHSettings
    let controlPath: String
    /// ssh's effective configuration for this target (`ssh -G`): hostname, user, port, …
    public private(set) var effective: [String: String] = [:]

    /// For messages: user@hostname:port as ssh resolved them, with the alias when there is one.
    public var destination: String {
        let host = effective["hostname"] ?? target.host
        let user = effective["user"].map { $0 + "@" } ?? (target.user.map { $0 + "@" } ?? "")
        let port = effective["port"].map { ":" + $0 } ?? (target.port.map { ":\($0)" } ?? "")
        let alias = host != target.host ? " (\(target.host))" : ""
        return "\(user)\(host)\(port)\(alias)"
    }

    /// The ssh command a user would type to reach this board (suggested in error messages).
    public var userCommand: String {
        var words = ["ssh"]
        if let file = settings.configFile { words += ["-F", file] }
        for option in settings.options where option.lowercased().hasPrefix("userknownhostsfile=") || option.lowercased().hasPrefix("identityfile=") {
            words += ["-o", option]
        }
        if let port = target.port { words += ["-p", String(port)] }
        words.append((target.user.map { $0 + "@" } ?? "") + target.host)
        return ShellQuoting.command(words)
    }

    public init(target: SSHTarget, settings: SSHSettings, controlDirectory: ControlDirectory) throws {
        self.target = target
        self.settings = settings
        controlPath = controlDirectory.socketPath()
        try resolveConfiguration()
    }

    /// Arguments that select the configuration and the destination (no connection options).
    var configurationArguments: [String] {
        var args: [String] = []
        if let file = settings.configFile { args += ["-F", file] }
        args += ["-o", "BatchMode=yes"]
        for option in settings.options { args += ["-o", option] }
        if let port = target.port { args += ["-p", String(port)] }
        if let user = target.user { args += ["-l", user] }
        return args
    }

    /// Everything before the destination in each ssh call.
    var connectionArguments: [String] {
        var args = configurationArguments
        args += ["-o", "ControlMaster=auto", "-o", "ControlPath=\(controlPath)",
                 "-o", "ControlPersist=\(settings.controlPersistSeconds)"]
        if (effective["connecttimeout"] ?? "none") == "none" {
            args += ["-o", "ConnectTimeout=\(settings.connectTimeout)"]
        }
        if (effective["serveraliveinterval"] ?? "0") == "0" {
            args += ["-o", "ServerAliveInterval=\(settings.serverAliveInterval)",
                     "-o", "ServerAliveCountMax=\(settings.serverAliveCountMax)"]
        }
        // No terminal: our streams are data (tar, JSON lines), whatever RequestTTY the config sets.
        args.append("-T")
        return args
    }

    /// Reads ssh's effective configuration (`ssh -G`, no network) so that our timeouts only fill
    /// in what the user left unset, and messages name the real host.
    func resolveConfiguration() throws {
        let out = try ChildProcess.run(["ssh", "-G"] + configurationArguments + [target.host], timeout: 30)
        guard out.status == 0 else {
            let line = SSHFailureClassifier.lastMeaningfulLine(out.stderrText)
            throw RemoteError(.usage, "ssh rejects the configuration for \(target) (\(line)): check --ssh-config and --ssh-option")
        }
        for line in out.stdoutText.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = String(parts[0])
            if effective[key] == nil { effective[key] = String(parts[1]) }
        }
    }

    /// The full ssh command line for a remote script.
    func arguments(for script: String) -> [String] {
        ["ssh"] + connectionArguments + [target.host, "/bin/sh -c " + ShellQuoting.quote(script)]
    }

    /// Runs a script on the board and returns its output. ssh's own failures (exit 255) throw
    /// their class; the script's exit status is returned for the caller to judge.
    public func run(_ script: String, stdin: ChildProcess.Input = .null, timeout: TimeInterval, what: String) throws -> ChildProcess.Output {
        let out = try ChildProcess.run(arguments(for: script), stdin: stdin, timeout: timeout)
        if out.timedOut {
            throw RemoteError(.timeout, "\(what) on \(destination) did not finish within \(Int(timeout)) s: the board or the link is too slow or hung")
        }
        if out.status == 255, let error = SSHFailureClassifier.classify(status: 255, stderr: out.stderrText, destination: destination, connect: userCommand) {
            throw error
        }
        return out
    }

    /// Runs a script and requires exit status 0.
    @discardableResult
    public func check(_ script: String, stdin: ChildProcess.Input = .null, timeout: TimeInterval, what: String) throws -> String {
        let out = try run(script, stdin: stdin, timeout: timeout, what: what)
        guard out.status == 0 else {
            if let full = SSHFailureClassifier.classify(status: out.status, stderr: out.stderrText, destination: destination) { throw full }
            let line = SSHFailureClassifier.lastMeaningfulLine(out.stderrText + "\n" + out.stdoutText)
            throw RemoteError(.remoteFailed, "\(what) failed on \(destination) (exit \(out.status)): \(line.isEmpty ? "no message" : line)")
        }
        return out.stdoutText
    }

    /// Starts a long-running script whose stdout the caller reads as it comes.
    func start(_ script: String, stdin: ChildProcess.Input = .null, stdout: Int32? = nil) throws -> ChildProcess {
        try ChildProcess(arguments(for: script), stdin: stdin, stdout: stdout)
    }

    /// The pid of the master connection, if one is running (for diagnostics and tests).
    public func masterPID() -> Int32? {
        guard let out = try? ChildProcess.run(["ssh"] + connectionArguments + ["-O", "check", target.host], timeout: 10),
              out.status == 0 else { return nil }
        let text = out.stderrText + out.stdoutText
        guard let range = text.range(of: "pid=") else { return nil }
        return Int32(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// Closes the master connection (nothing on the board is stopped by this).
    public func close() {
        _ = try? ChildProcess.run(["ssh"] + connectionArguments + ["-O", "exit", target.host], timeout: 10)
    }
}
