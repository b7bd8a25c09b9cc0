// What can go wrong with a board, one class per cause, each with a one-line message that says
// what failed, where, and how to fix it. The CLI maps each class to its own exit code so that
// scripts can tell an unreachable board from a refused key or a failed build.
import Foundation

public struct RemoteError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case usage            // a bad flag, target or boards file
        case unreachable      // no route, refused, name unknown
        case timeout          // connect or command timed out
        case authentication   // the board refused our key
        case hostKey          // host key changed or unknown
        case boardSetup       // no swift, too old, missing headers or tools
        case diskFull         // no space left on the board
        case buildFailed      // swift build failed on the board
        case remoteFailed     // the sweep on the board failed, or a remote command did
        case localFailed      // something on this machine (git, tar, results file)
        case interrupted      // Ctrl-C

        /// Exit code of `sandglass` for this class (2 = usage, like a bad flag; 130 = Ctrl-C).
        public var exitCode: Int32 {
            switch self {
            case .usage: return 2
            case .unreachable, .timeout: return 3
            case .authentication: return 4
            case .hostKey: return 5
            case .boardSetup: return 6
            case .diskFull: return 7
            case .buildFailed: return 8
            case .remoteFailed, .localFailed: return 1
            case .interrupted: return 130
            }
        }
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Whether reconnecting may help (the link dropped) as opposed to a failure that repeats.
    public var isTransient: Bool { kind == .unreachable || kind == .timeout }
}

/// Reads why ssh failed from its exit status (255 for its own errors) and stderr.
public enum SSHFailureClassifier {
    /// The error for a failed ssh invocation, or nil when ssh itself worked (the remote
    /// command's own status is then the caller's to judge).
    /// `connect` is the ssh command a user would type to reach the board (for the fixes we suggest).
    public static func classify(status: Int32, stderr: String, destination: String, connect: String? = nil) -> RemoteError? {
        guard status == 255 else {
            if stderr.contains("No space left on device") { return diskFull(destination, stderr) }
            return nil
        }
        let text = stderr
        let lower = text.lowercased()
        let detail = lastMeaningfulLine(text)
        let sshCommand = connect ?? "ssh \(destination)"
        if text.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") || lower.contains("host key for") && lower.contains("has changed") {
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            let offending = lines.first { $0.hasPrefix("Offending") }.map { " (\($0))" } ?? ""
            let remove = lines.first { $0.hasPrefix("ssh-keygen") && $0.contains(" -R ") } ?? "ssh-keygen -R HOST"
            return RemoteError(.hostKey, "the host key of \(destination) has CHANGED since it was recorded in known_hosts\(offending): this may be an attack, or a reinstalled board; only if you know the board was reinstalled, remove the old key with \(remove) and record the new one by connecting once with \(sshCommand)")
        }
        if lower.contains("host key verification failed") || lower.contains("host key is known") {
            return RemoteError(.hostKey, "the host key of \(destination) is not in known_hosts, and sandglass never accepts an unknown key by itself: connect once with \(sshCommand) and check the fingerprint, or add the board's key to known_hosts (--ssh-option UserKnownHostsFile=FILE for another file)")
        }
        if lower.contains("permission denied") || lower.contains("too many authentication failures") || lower.contains("no supported authentication methods") {
            return RemoteError(.authentication, "\(destination) refused authentication (\(detail)): sandglass runs ssh in BatchMode (no password prompts), so the board must accept a key: add your public key to ~/.ssh/authorized_keys on the board, load it into ssh-agent, or name it with --ssh-option IdentityFile=PATH")
        }
        if lower.contains("connection timed out") || lower.contains("operation timed out") || lower.contains("timed out during banner exchange") {
            return RemoteError(.timeout, "connecting to \(destination) timed out (\(detail)): is the board powered on and on this network? (ConnectTimeout can be raised with --ssh-option ConnectTimeout=SECONDS)")
        }
        if lower.contains("connection refused") {
            return RemoteError(.unreachable, "\(destination) is unreachable: connection refused (\(detail)); is sshd running on the board and is the port right?")
        }
        if lower.contains("could not resolve hostname") || lower.contains("name or service not known") || lower.contains("temporary failure in name resolution") {
            return RemoteError(.unreachable, "\(destination) is unreachable: its host name does not resolve (\(detail)); check the name, or define it as a Host alias in ~/.ssh/config")
        }
        if lower.contains("no route to host") || lower.contains("network is unreachable") || lower.contains("host is down") {
            return RemoteError(.unreachable, "\(destination) is unreachable (\(detail)): check the board's network and address")
        }
        if lower.contains("connection closed") || lower.contains("connection reset") || lower.contains("broken pipe")
            || lower.contains("timeout, server") || lower.contains("not responding") || lower.contains("kex_exchange_identification") {
            return RemoteError(.unreachable, "the connection to \(destination) dropped (\(detail))")
        }
        if text.contains("No space left on device") { return diskFull(destination, text) }
        if detail.isEmpty {
            return RemoteError(.unreachable, "the connection to \(destination) failed or dropped (ssh exited 255 without a message)")
        }
        return RemoteError(.unreachable, "ssh to \(destination) failed: \(detail)")
    }

    static func diskFull(_ destination: String, _ text: String) -> RemoteError {
        RemoteError(.diskFull, "the board \(destination) is out of disk space (\(lastMeaningfulLine(text))): free space there, or point --remote-dir at a larger file system")
    }

    /// The last non-empty stderr line, without ssh's banner noise.
    static func lastMeaningfulLine(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("@@@") && !$0.hasPrefix("Warning: Permanently added") }
        return lines.last ?? ""
    }
}
