// Results on disk that survive: JSON Lines, each record appended with one write() and
// fsync()ed before the next point starts, so a Ctrl-C, crash or power cut loses at most the
// point in progress. Reading tolerates a torn last line (detected and ignored with a warning)
// and lines of unknown types; resuming first cuts a torn tail so the file stays valid JSONL.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct ResultsError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything a results file holds, parsed.
public struct ResultsContents: Sendable {
    public var headers: [HeaderRecord] = []
    public var points: [PointRecord] = []
    public var blocks: [BlockRecord] = []
    public var ends: [EndRecord] = []
    public var calibrations: [CalibrationRecord] = []
    public var warnings: [String] = []
    /// Bytes of a torn last line (no newline), 0 when the file ends cleanly.
    public var tornBytes = 0
    /// Length of the valid prefix (through the last newline).
    public var validLength = 0

    public var environment: Environment? { headers.first?.environment }

    /// Whether any line is a record that `sandglass sweep` or `calibrate` writes first (a
    /// header, a point or a calibration): what makes a file a results file.
    public var holdsRecords: Bool { !headers.isEmpty || !points.isEmpty || !calibrations.isEmpty }
}

public enum ResultsFile {
    static let decoder = JSONDecoder()

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// Reads and parses a results file.
    public static func read(_ path: String) throws -> ResultsContents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsError("cannot read results file \(path): it does not exist or is not readable")
        }
        return parse(data, name: path)
    }

    /// Reads a results file that a command is about to use (report, export, compare): an empty
    /// file or one of other bytes is refused with one line, rather than read as zero points.
    public static func readRecords(_ path: String) throws -> ResultsContents {
        let contents = try read(path)
        guard contents.holdsRecords else { throw ResultsError(notResultsMessage(path, contents)) }
        return contents
    }

    static func notResultsMessage(_ path: String, _ contents: ResultsContents) -> String {
        // The first line's problem rather than the torn tail's (warnings[0] when there is one).
        let tornWarnings: Int = contents.tornBytes > 0 ? 1 : 0
        let lineProblem: String? = contents.warnings.dropFirst(tornWarnings).first
        let why: String
        if contents.validLength + contents.tornBytes == 0 {
            why = "it is empty"
        } else if let first = lineProblem ?? contents.warnings.first {
            // Without the "ignored" that suits a warning but not a refusal.
            var reason = first
            for suffix in ["; it is ignored", "; ignored"] where reason.hasSuffix(suffix) { reason = String(reason.dropLast(suffix.count)) }
            why = "it holds no Sandglass records (\(reason))"
        } else {
            why = "it holds no Sandglass records"
        }
        return "\(path) is not a Sandglass results file: \(why); give a file written by `sandglass sweep --out FILE`"
    }

    public static func parse(_ data: Data, name: String = "results") -> ResultsContents {
        var c = ResultsContents()
        let bytes = [UInt8](data)
        let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n"))
        c.validLength = lastNewline.map { $0 + 1 } ?? 0
        c.tornBytes = bytes.count - c.validLength
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var lineNumber = 0
        for line in bytes[0..<c.validLength].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.isEmpty { continue }
            let lineData = Data(line)
            struct Kind: Decodable { var type: String?; var schemaVersion: Int? }
            guard let kind = try? decoder.decode(Kind.self, from: lineData) else {
                c.warnings.append("\(name):\(lineNumber): not a JSON record; ignored")
                continue
            }
            if let v = kind.schemaVersion, v > resultsSchemaVersion {
                c.warnings.append("\(name):\(lineNumber): schema version \(v) is newer than this Sandglass (\(resultsSchemaVersion)); ignored")
                continue
            }
            do {
                switch kind.type {
                case "header": c.headers.append(try decoder.decode(HeaderRecord.self, from: lineData))
                case "point": c.points.append(try decoder.decode(PointRecord.self, from: lineData))
                case "block": c.blocks.append(try decoder.decode(BlockRecord.self, from: lineData))
                case "end": c.ends.append(try decoder.decode(EndRecord.self, from: lineData))
                case "calibration": c.calibrations.append(try decoder.decode(CalibrationRecord.self, from: lineData))
                default: c.warnings.append("\(name):\(lineNumber): unknown record type '\(kind.type ?? "none")'; ignored")
                }
            } catch {
                c.warnings.append("\(name):\(lineNumber): malformed \(kind.type ?? "") record (\(error)); ignored")
            }
        }
        // A torn tail is an interrupted write only after records that were written whole;
        // without any, the file is something else and is not described as a results file.
        if c.tornBytes > 0 {
            let cause = c.holdsRecords ? ", a record torn by an interrupted write" : ""
            c.warnings.insert("\(name): the last line is incomplete (\(c.tornBytes) bytes\(cause)); it is ignored", at: 0)
        }
        return c
    }
}

/// Appends records durably.
public final class ResultsWriter {
    public let path: String
    private let fd: Int32

    /// Opens for appending. `truncateTo` cuts a torn tail first (resume).
    public init(path: String, truncateTo length: Int? = nil) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try ResultsWriter.createFolders(dir) }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ResultsError("cannot open \(path) for writing: \(String(cString: strerror(errno))); \(ResultsWriter.fix)")
        }
        if let length {
            guard ftruncate(fd, off_t(length)) == 0 else {
                throw ResultsError("cannot cut the torn last line of \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit { close(fd) }

    static let fix = "fix: choose a writable --out path"

    /// `mkdir -p` that keeps the system's reason (errno) for one line: Foundation's
    /// createDirectory reports it as a multi-line NSCocoaErrorDomain dump.
    static func createFolders(_ dir: String) throws {
        var prefix = dir.hasPrefix("/") ? "/" : ""
        for component in dir.split(separator: "/") {
            if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
            prefix += component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) && isDirectory.boolValue { continue }
            guard mkdir(prefix, 0o755) != 0 else { continue }
            let code = errno
            if code != EEXIST { throw folderFailure(prefix, errno: code) }
        }
    }

    /// The one line for a folder that cannot be made, whatever the errno (EACCES, EROFS, ENOTDIR, …).
    public static func folderFailure(_ dir: String, errno code: Int32) -> ResultsError {
        var reason = String(cString: strerror(code))
        // The folders are made parent first, so ENOTDIR means the parent is a file.
        if code == ENOTDIR { reason += " (\((dir as NSString).deletingLastPathComponent) is a file)" }
        return ResultsError("cannot create folder \(dir): \(reason); \(fix)")
    }

    /// Writes one record as one line and flushes it to stable storage.
    public func append<T: Encodable>(_ record: T) throws {
        var data = try ResultsFile.encoder().encode(record)
        data.append(UInt8(ascii: "\n"))
        try appendRaw(data)
    }

    /// Several records in one write() and one fsync: a group's records land together (a killed
    /// process cannot leave half a group; only a power cut can tear the last line).
    public func append<T: Encodable>(all records: [T]) throws {
        var data = Data()
        for r in records {
            data.append(try ResultsFile.encoder().encode(r))
            data.append(UInt8(ascii: "\n"))
        }
        try appendRaw(data)
    }

    /// Writes already-encoded lines (each ending in a newline) and flushes them.
    public func appendRaw(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ResultsError("writing \(path) failed: \(String(cString: strerror(errno))) (disk full?)")
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw ResultsError("fsync of \(path) failed: \(String(cString: strerror(errno)))") }
    }
}
