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

    public static func parse(_ data: Data, name: String = "results") -> ResultsContents {
        var c = ResultsContents()
        let bytes = [UInt8](data)
        let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n"))
        c.validLength = lastNewline.map { $0 + 1 } ?? 0
        c.tornBytes = bytes.count - c.validLength
        if c.tornBytes > 0 {
            c.warnings.append("\(name): the last line is incomplete (\(c.tornBytes) bytes, a record torn by an interrupted write); it is ignored")
        }
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
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ResultsError("cannot open \(path) for writing: \(String(cString: strerror(errno)))") }
        if let length {
            guard ftruncate(fd, off_t(length)) == 0 else {
                throw ResultsError("cannot cut the torn last line of \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    deinit { close(fd) }

    /// Writes one record as one line and flushes it to stable storage.
    public func append<T: Encodable>(_ record: T) throws {
        var data = try ResultsFile.encoder().encode(record)
        data.append(UInt8(ascii: "\n"))
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
