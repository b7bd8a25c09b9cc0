// The board side of streaming (run as the hidden `sandglass remote-agent follow`): prints the
// records of the board's results file that the host does not hold yet, each as it is appended,
// and ends once the sweep process has ended and everything is out. Only complete lines are
// sent (a torn last line never leaves the board), so the host's count of records it holds is
// always a count of whole lines, and "resume from record N" needs no byte bookkeeping. An
// empty line every few seconds tells the host that the board and the link are alive.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ResultsFollower {
    public enum Exit: Int32 {
        case finished = 0
        case shrank = 4        // the file got shorter than what was already sent: not the same run
        case unreadable = 5
    }

    public var path: String
    /// Non-empty complete lines the host already holds.
    public var skip: Int
    /// Follow while this process lives; without it, print what is there and end.
    public var pid: Int32?
    public var heartbeatSeconds = 5.0
    /// Twice a second: records arrive promptly, and the board's measurement is barely disturbed.
    public var pollSeconds = 0.5

    public init(path: String, skip: Int, pid: Int32?) {
        self.path = path; self.skip = skip; self.pid = pid
    }

    /// Runs until the process ends; `emit` receives bytes for stdout.
    public func run(emit: (Data) -> Void, log: (String) -> Void) -> Exit {
        var offset = 0            // bytes consumed (through the last complete line)
        var seen = 0              // non-empty complete lines consumed
        var lastEmit = Date()
        var fd: Int32 = -1
        defer { if fd >= 0 { close(fd) } }
        while true {
            let alive = pid.map(ResultsFollower.isAlive) ?? false
            if fd < 0 { fd = open(path, O_RDONLY | O_CLOEXEC) }
            var out = Data()
            if fd >= 0 {
                var st = stat()
                guard fstat(fd, &st) == 0 else { log("cannot stat \(path): \(String(cString: strerror(errno)))"); return .unreadable }
                let size = Int(st.st_size)
                if size < offset {
                    log("\(path) shrank from \(offset) to \(size) bytes while it was followed")
                    return .shrank
                }
                if size > offset {
                    var buffer = [UInt8](repeating: 0, count: size - offset)
                    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
                    guard n >= 0 else { log("cannot read \(path): \(String(cString: strerror(errno)))"); return .unreadable }
                    if let last = buffer[0..<n].lastIndex(of: UInt8(ascii: "\n")) {
                        var start = 0
                        for i in 0...last where buffer[i] == UInt8(ascii: "\n") {
                            if i > start {
                                seen += 1
                                if seen > skip { out.append(contentsOf: buffer[start...i]) }
                            }
                            start = i + 1
                        }
                        offset += last + 1
                    }
                }
            }
            if !out.isEmpty {
                emit(out)
                lastEmit = Date()
            } else if Date().timeIntervalSince(lastEmit) >= heartbeatSeconds {
                emit(Data([UInt8(ascii: "\n")]))
                lastEmit = Date()
            }
            // The liveness check came before the read, so a record written just before the
            // process ended has been sent by now.
            if !alive { return .finished }
            usleep(UInt32(pollSeconds * 1_000_000))
        }
    }

    /// Whether a process exists and has not ended (a zombie that nobody reaped yet has ended).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// Counts the non-empty complete lines of a results file and checks that line `line`
    /// (1-based) has the given hash: whether the board's file continues what the host holds.
    public static func count(path: String, line: Int, hash: String?) -> (lines: Int, matches: Bool?) {
        guard let data = FileManager.default.contents(atPath: path) else { return (0, line == 0 ? true : nil) }
        var count = 0
        var matches: Bool? = line == 0 ? true : nil
        var start = data.startIndex
        for i in data.indices where data[i] == UInt8(ascii: "\n") {
            if i > start {
                count += 1
                if count == line, let hash { matches = RecordHash.hex(data[start..<i]) == hash }
            }
            start = i + 1
        }
        return (count, matches)
    }
}

/// FNV-1a 64 of a record's bytes (without its newline): how host and board check that a line
/// is the same record without sending it.
public enum RecordHash {
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
