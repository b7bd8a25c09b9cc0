// How sandglass calls the system OpenSSH client. The user's ~/.ssh/config (or --ssh-config),
// agent, ProxyJump and known_hosts apply as they set them up; sandglass adds only:
//   BatchMode=yes                       never hang on a password or host-key prompt
//   ControlMaster/ControlPath/-Persist  one multiplexed connection per board, socket in a private directory
//   ConnectTimeout, ServerAlive*        explicit timeouts, but only where the user's configuration sets none
// and never touches StrictHostKeyChecking: an unknown or changed host key is an error.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct SSHSettings: Sendable {
    /// `-F FILE`: an ssh configuration file instead of ~/.ssh/config.
    public var configFile: String?
    /// `-o KEY=VALUE` options, in order (ssh takes the first value it sees, so these win over the config file).
    public var options: [String] = []
    /// Seconds to wait for the TCP connection and the SSH handshake, when the configuration sets no ConnectTimeout.
    public var connectTimeout = 15
    /// Keep-alives so that a dead link is noticed within interval × count seconds (when not configured).
    public var serverAliveInterval = 5
    public var serverAliveCountMax = 6
    /// How long the master connection outlives its last client; bounds a stray master after a crash.
    public var controlPersistSeconds = 60

    public init() {}

    /// Checks the shape of `--ssh-option` values before ssh sees them.
    public static func validateOption(_ option: String) throws {
        guard let eq = option.firstIndex(of: "="), eq != option.startIndex,
              option[..<eq].allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw RemoteError(.usage, "--ssh-option '\(option)' must be KEY=VALUE, as in ssh -o (e.g. IdentityFile=~/.ssh/board_key)")
        }
        let key = option[..<eq].lowercased()
        if key == "batchmode" {
            throw RemoteError(.usage, "--ssh-option \(option): sandglass always runs ssh with BatchMode=yes so that nothing waits for a password")
        }
        if ["controlmaster", "controlpath", "controlpersist"].contains(key) {
            throw RemoteError(.usage, "--ssh-option \(option): sandglass manages its own multiplexed connection (ControlMaster, ControlPath, ControlPersist)")
        }
    }
}

/// A private directory (mode 0700) for the control sockets of one sandglass process.
public final class ControlDirectory: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var next = 0

    public init() throws {
        // Unix socket paths are limited to 107 bytes and ssh adds a random suffix while
        // creating one: use TMPDIR only when it is short and plain.
        var base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        let plain = base.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-".unicodeScalars.contains($0) }
        if !plain || base.utf8.count > 60 { base = "/tmp" }
        var template = Array("\(base)/sgssh-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw RemoteError(.localFailed, "cannot create a private directory for ssh control sockets in \(base): \(String(cString: strerror(errno)))")
        }
        path = String(cString: template)
    }

    /// A fresh socket path for one board.
    public func socketPath() -> String {
        lock.lock(); defer { lock.unlock() }
        next += 1
        return "\(path)/c\(next)"
    }

    /// Removes the directory (its sockets are gone once the masters exit).
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
