// Quoting for the POSIX shell that runs every command sent to a board. ssh joins its
// arguments with spaces and hands the result to the remote login shell, so every value we
// interpolate (paths, board names, spec names) must reach that shell as one literal word.
// Single quotes keep everything literal except a single quote, which is closed, escaped and
// reopened: it's → 'it'\''s'. Works in sh, dash, bash, ksh and zsh.
import Foundation

public enum ShellQuoting {
    /// One literal word for a POSIX shell.
    public static func quote(_ word: String) -> String {
        if !word.isEmpty && word.unicodeScalars.allSatisfy(isSafe) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// A command line whose words arrive as given.
    public static func command(_ words: [String]) -> String {
        words.map(quote).joined(separator: " ")
    }

    /// Characters that never need quoting (kept unquoted so commands stay readable in logs).
    static func isSafe(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", ":", "+", "@", "%": return true
        default: return false
        }
    }
}

/// A directory on the board: absolute, or relative to the remote user's home (`~/…` or a
/// relative path). Rendered for the remote shell so that only the `$HOME` part is expanded.
public struct RemotePath: Sendable, Equatable, CustomStringConvertible {
    /// Path below $HOME (when `home`), else absolute.
    public let path: String
    public let home: Bool

    public init(_ text: String) {
        if text == "~" {
            path = ""; home = true
        } else if text.hasPrefix("~/") {
            path = String(text.dropFirst(2)); home = true
        } else if text.hasPrefix("/") {
            path = text; home = false
        } else {
            path = text; home = true
        }
    }

    public static let defaultRoot = RemotePath("~/.cache/sandglass")

    /// The path as a word for the remote shell.
    public var shell: String {
        guard home else { return ShellQuoting.quote(path) }
        return path.isEmpty ? "\"$HOME\"" : "\"$HOME\"/" + ShellQuoting.quote(path)
    }

    public var description: String { home ? (path.isEmpty ? "~" : "~/" + path) : path }
}
