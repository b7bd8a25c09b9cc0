// `ssh://[user@]host[:port]`: where a board is. The host may be an alias from ~/.ssh/config
// (then its HostName, User, Port, IdentityFile … come from there), an IPv4 address, a name,
// or a bracketed IPv6 address. Nothing here connects; ssh resolves the rest.
import Foundation

public struct SSHTarget: Sendable, Equatable, CustomStringConvertible {
    public var user: String?
    public var host: String
    public var port: Int?

    public init(user: String? = nil, host: String, port: Int? = nil) {
        self.user = user; self.host = host; self.port = port
    }

    /// Parses `ssh://[user@]host[:port]` (the scheme is required so that a typo in a local path
    /// is never taken for a host).
    public init(parsing text: String) throws {
        let example = "use ssh://[user@]host[:port], e.g. ssh://root@10.200.0.2 or ssh://myboard (an alias from ~/.ssh/config)"
        guard text.hasPrefix("ssh://") else {
            throw RemoteError(.usage, "target '\(text)' is not an ssh:// URL: \(example)")
        }
        var rest = Substring(text.dropFirst(6))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else {
            throw RemoteError(.usage, "target '\(text)' has no host or has a path: \(example)")
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            guard let u = user, !u.isEmpty, Self.isPlainWord(u) else {
                throw RemoteError(.usage, "target '\(text)': the user name is empty or has unusual characters: \(example)")
            }
        }
        var host = String(rest)
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw RemoteError(.usage, "target '\(text)': unclosed '[' around an IPv6 address: \(example)")
            }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else {
                    throw RemoteError(.usage, "target '\(text)': expected :PORT after the IPv6 address: \(example)")
                }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]) else {
                throw RemoteError(.usage, "target '\(text)': the port must be a number: \(example)")
            }
            port = p
        }
        if let port, !(1...65535).contains(port) {
            throw RemoteError(.usage, "target '\(text)': port \(port) is outside 1-65535")
        }
        guard !host.isEmpty, Self.isPlainWord(host) else {
            throw RemoteError(.usage, "target '\(text)': the host is empty or has unusual characters: \(example)")
        }
        self.init(user: user, host: host, port: port)
    }

    /// Host names, aliases, addresses and user names: no spaces, quotes or shell syntax, and no
    /// leading '-' (which ssh would read as an option).
    static func isPlainWord(_ s: String) -> Bool {
        !s.hasPrefix("-") && s.unicodeScalars.allSatisfy {
            switch $0 {
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", ":", "%": return true
            default: return false
            }
        }
    }

    /// The default board name: the host (alias) as written.
    public var defaultBoardName: String { host }

    public var description: String {
        "ssh://" + (user.map { $0 + "@" } ?? "") + (host.contains(":") ? "[\(host)]" : host) + (port.map { ":\($0)" } ?? "")
    }
}
