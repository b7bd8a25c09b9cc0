// Progress of a sweep on stderr: on a terminal one line rewritten in place (points done/total,
// the current point, ETA); otherwise plain log lines, one per event.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class SweepProgress {
    public enum Style: String, Sendable { case auto, terminal, plain, quiet }

    let interactive: Bool
    let quiet: Bool
    let started = Date()
    private var lineShown = false

    public init(style: Style = .auto) {
        switch style {
        case .auto: interactive = isatty(2) != 0; quiet = false
        case .terminal: interactive = true; quiet = false
        case .plain: interactive = false; quiet = false
        case .quiet: interactive = false; quiet = true
        }
    }

    public func log(_ message: String) {
        guard !quiet else { return }
        clearLine()
        FileHandle.standardError.write(Data("sandglass: \(message)\n".utf8))
    }

    /// A point (or block) starts: `done` of `total` blocks finished so far.
    public func starting(_ label: String, done: Int, total: Int, round: Int, rounds: Int, secondsPerBlock: Double?) {
        guard !quiet else { return }
        let eta = secondsPerBlock.map { " ETA " + SweepProgress.duration($0 * Double(total - done)) } ?? ""
        let roundText = rounds > 1 ? " round \(round + 1)/\(rounds)" : ""
        if interactive {
            let line = "[\(done)/\(total)]\(roundText) \(label)\(eta)"
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            lineShown = true
        } else {
            log("[\(done + 1)/\(total)]\(roundText) measuring \(label)\(eta)")
        }
    }

    public func finished(_ label: String, medianMs: Double, ci: Double, reason: String) {
        guard !quiet else { return }
        let text = "\(label): median \(SweepProgress.fixed(medianMs, 3)) ms ±\(SweepProgress.fixed(ci * 100, 1))% (\(reason))"
        if interactive { clearLine(); FileHandle.standardError.write(Data("  \(text)\n".utf8)) } else { log(text) }
    }

    public func done() { clearLine() }

    private func clearLine() {
        if interactive && lineShown {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            lineShown = false
        }
    }

    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "?" }
        let t = Int(s.rounded())
        if t >= 3600 { return "\(t / 3600)h\(String(format: "%02d", t % 3600 / 60))m" }
        if t >= 60 { return "\(t / 60)m\(String(format: "%02d", t % 60))s" }
        return "\(t)s"
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "n/a"
    }
}
