// The input of a report: one or more results files, read with the harness's own reader, and
// their points merged by parameters and board. The same point (same id and board) in several
// files was measured more than once: its latency comes from the record read last (files in
// command-line order), so a rerun given after the original replaces it; the earlier records
// stay available as superseded measurements, so that per-layer records that only an earlier
// run has are still reported. The report's notes say which file each figure comes from.
import Foundation
import SandglassHarness

/// A problem that stops a report: a missing or unreadable file, or nothing to report.
public struct ReportError: Error, CustomStringConvertible {
    public let message: String
    /// True when the user's input is at fault (exit code 2 on the command line).
    public let isUsage: Bool
    public init(_ message: String, usage: Bool = true) { self.message = message; self.isUsage = usage }
    public var description: String { message }
}

/// One results file as read.
public struct ResultsSource: Sendable {
    /// How the report names the file (a path relative to the report, or as given).
    public var name: String
    public var contents: ResultsContents

    public init(name: String, contents: ResultsContents) { self.name = name; self.contents = contents }

    /// The file's environment for a board (the header written by the session that ran it).
    public func environment(board: String?) -> Environment? {
        (contents.headers.first { $0.board == board } ?? contents.headers.first)?.environment
    }
}

/// A point of the report with the file it came from.
public struct ReportPoint: Sendable {
    public var record: PointRecord
    public var sourceIndex: Int

    /// Identity across files: parameters (the record's id) and board.
    public var key: String { (record.board ?? "") + "|" + record.id }
}

public struct ResultsCollection: Sendable {
    public var sources: [ResultsSource]
    /// Merged points, unique per (board, parameters), in the order first seen.
    public var points: [ReportPoint]
    /// Earlier records of the same points, superseded for latency, by key.
    public var superseded: [String: [ReportPoint]]
    /// How merging went (points replaced by a later file).
    public var mergeNotes: [String]

    /// Reads files; `names` are how the report shows them (default: the paths as given).
    public static func load(paths: [String], names: [String]? = nil) throws -> ResultsCollection {
        guard !paths.isEmpty else { throw ReportError("give at least one results file (JSON Lines from `sandglass sweep --out FILE`)") }
        var sources: [ResultsSource] = []
        for (i, path) in paths.enumerated() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ReportError("results file \(path) does not exist (create it with `sandglass sweep --preset table7 --out \(path)`)")
            }
            guard !isDirectory.boolValue else { throw ReportError("\(path) is a directory: give the results files (*.jsonl) in it") }
            let contents: ResultsContents
            do { contents = try ResultsFile.readRecords(path) } catch let e as ResultsError { throw ReportError(e.message) }
            let name = names?[i] ?? path
            sources.append(ResultsSource(name: name, contents: contents))
        }
        let collection = ResultsCollection(sources: sources)
        guard !collection.points.isEmpty else {
            throw ReportError("no completed points in \(paths.joined(separator: ", ")): nothing to report (finish the sweep with `sandglass sweep … --resume`)",
                              usage: false)
        }
        return collection
    }

    public init(sources: [ResultsSource]) {
        self.sources = sources
        var order: [String] = []
        var byKey: [String: ReportPoint] = [:]
        var notes: [String] = []
        var superseded: [String: [ReportPoint]] = [:]
        for (index, source) in sources.enumerated() {
            for record in source.contents.points {
                let point = ReportPoint(record: record, sourceIndex: index)
                if let previous = byKey[point.key] {
                    let board = record.board.map { " on board \($0)" } ?? ""
                    let from = sources[previous.sourceIndex].name
                    notes.append(from == source.name
                        ? "point \(record.point.label)\(board) appears twice in \(source.name): its latency comes from the later record"
                        : "point \(record.point.label)\(board) is in \(from) and \(source.name): its latency comes from \(source.name) (the later file)")
                    superseded[point.key, default: []].insert(previous, at: 0)
                } else {
                    order.append(point.key)
                }
                byKey[point.key] = point
            }
        }
        points = order.map { byKey[$0]! }
        mergeNotes = notes
        self.superseded = superseded
    }

    /// The points followed by their superseded records (candidates for per-layer figures).
    public func withSuperseded(_ points: [ReportPoint]) -> [ReportPoint] {
        points + points.flatMap { superseded[$0.key] ?? [] }
    }

    /// Boards in the points (nil: measured on the machine that wrote the file).
    public var boards: [String?] {
        var seen: [String?] = []
        for p in points where !seen.contains(p.record.board) { seen.append(p.record.board) }
        return seen
    }

    public func environment(of point: ReportPoint) -> Environment? {
        sources[point.sourceIndex].environment(board: point.record.board)
    }

    /// The calibration that applies to a point: from its own file and board; else from another
    /// file measured on the same board and host. Never a ceiling from a different machine.
    public func calibration(for point: ReportPoint) -> CalibrationRecord? {
        let board = point.record.board
        if let own = sources[point.sourceIndex].contents.calibrations.last(where: { $0.board == board }) { return own }
        guard let env = environment(of: point) else { return nil }
        for source in sources.reversed() {
            guard let other = source.environment(board: board), other.hostname == env.hostname, other.cpuModel == env.cpuModel
            else { continue }
            if let c = source.contents.calibrations.last(where: { $0.board == board }) { return c }
        }
        return nil
    }
}
