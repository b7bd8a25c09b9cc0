// The combined progress of a remote sweep on stderr. On a terminal: one status line redrawn in
// place with every board's state ("pi5 3/12 · armboard building 4m10s · x86 done"), log lines
// printed above it. Otherwise: plain log lines prefixed with the board's name. Thread-safe: each
// board reports from its own thread.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class BoardsProgress: @unchecked Sendable {
    public enum Style: String, Sendable { case auto, terminal, plain, quiet }

    private let lock = NSLock()
    private let interactive: Bool
    private let quiet: Bool
    private var order: [String] = []
    private var states: [String: String] = [:]
    private var lineShown = false
    private var lastPlain: [String: (phase: String, time: Date)] = [:]

    public init(style: Style, boards: [String]) {
        switch style {
        case .auto: interactive = isatty(2) != 0; quiet = false
        case .terminal: interactive = true; quiet = false
        case .plain: interactive = false; quiet = false
        case .quiet: interactive = false; quiet = true
        }
        order = boards
        for b in boards { states[b] = "waiting" }
    }

    /// A line worth keeping (a finished point, a reconnect, a warning).
    public func log(_ board: String?, _ message: String) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        clear()
        let prefix = board.map { "[\($0)] " } ?? ""
        FileHandle.standardError.write(Data("sandglass: \(prefix)\(message)\n".utf8))
        redraw()
    }

    /// The board's current state for the status line. Without a terminal it is logged when its
    /// phase changes, and otherwise at most once a minute (a long board build stays visible).
    public func state(_ board: String, _ text: String) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        states[board] = text
        if interactive { redraw(); return }
        let phase = String(text.prefix { !$0.isNumber && $0 != ":" && $0 != "(" })
        let now = Date()
        if let last = lastPlain[board], last.phase == phase, now.timeIntervalSince(last.time) < 60 { return }
        lastPlain[board] = (phase, now)
        FileHandle.standardError.write(Data("sandglass: [\(board)] \(text)\n".utf8))
    }

    public func done() {
        lock.lock(); defer { lock.unlock() }
        clear()
    }

    private func clear() {
        if interactive && lineShown {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            lineShown = false
        }
    }

    private func redraw() {
        guard interactive else { return }
        var line = order.map { "\($0) \(states[$0] ?? "")" }.joined(separator: " · ")
        var size = winsize()
        let columns = ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 10 ? Int(size.ws_col) - 1 : 120
        if line.count > columns { line = String(line.prefix(columns - 1)) + "…" }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
        lineShown = true
    }
}
