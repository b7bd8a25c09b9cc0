// The local results file of a remote sweep: every board's records, appended as they arrive,
// each line exactly as the board wrote it (so the board's header, with its environment, and
// every point record carry that board's name) and fsync'ed at once. The lines of one board
// are, in order, a copy of the first lines of that board's own results file: the number of
// them is where streaming resumes after a reconnect or a restart of the host.
import Foundation
import SandglassHarness

public final class LocalResultsFile: @unchecked Sendable {
    public let path: String
    private let writer: ResultsWriter
    private let lock = NSLock()
    private var linesByBoard: [String: [Data]] = [:]
    private var pointIDsByBoard: [String: Set<String>] = [:]
    public private(set) var warnings: [String] = []

    struct Probe: Decodable {
        var type: String?
        var board: String?
        var id: String?
    }

    /// Opens the file: a new one, or (resume) an existing one whose records are read back and
    /// whose torn last line is cut, or (force) an existing one emptied.
    public init(path: String, resume: Bool, force: Bool) throws {
        self.path = path
        var truncate: Int?
        let data = FileManager.default.contents(atPath: path) ?? Data()
        if !data.isEmpty {
            if resume {
                let contents = ResultsFile.parse(data, name: path)
                warnings = contents.warnings
                if contents.tornBytes > 0 { truncate = contents.validLength }
                for line in data.prefix(contents.validLength).split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                    guard let probe = try? JSONDecoder().decode(Probe.self, from: Data(line)), let board = probe.board else { continue }
                    linesByBoard[board, default: []].append(Data(line))
                    if probe.type == "point", let id = probe.id { pointIDsByBoard[board, default: []].insert(id) }
                }
            } else if force {
                truncate = 0
            } else {
                throw RemoteError(.usage, "\(path) already holds results: pass --resume to continue that sweep, or --force to overwrite it")
            }
        }
        do { writer = try ResultsWriter(path: path, truncateTo: truncate) } catch let e as ResultsError {
            throw RemoteError(.localFailed, e.message)
        }
    }

    /// Records of this board held locally (where its stream resumes).
    public func count(board: String) -> Int {
        lock.lock(); defer { lock.unlock() }
        return linesByBoard[board]?.count ?? 0
    }

    /// The board's records held locally, in order.
    public func lines(board: String) -> [Data] {
        lock.lock(); defer { lock.unlock() }
        return linesByBoard[board] ?? []
    }

    /// Points of this board completed so far.
    public func completedPoints(board: String) -> Set<String> {
        lock.lock(); defer { lock.unlock() }
        return pointIDsByBoard[board] ?? []
    }

    /// Appends one record line (without its newline) that came from `board`.
    public func append(line: Data, board: String, type: String?, pointID: String?) throws {
        lock.lock(); defer { lock.unlock() }
        var bytes = line
        bytes.append(UInt8(ascii: "\n"))
        do { try writer.appendRaw(bytes) } catch let e as ResultsError { throw RemoteError(.localFailed, e.message) }
        linesByBoard[board, default: []].append(line)
        if type == "point", let pointID { pointIDsByBoard[board, default: []].insert(pointID) }
    }
}
