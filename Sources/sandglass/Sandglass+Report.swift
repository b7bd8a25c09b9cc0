import ArgumentParser
import Foundation
import SandglassReport

extension Sandglass {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a report (Markdown, CSV and SVG) from one or more results files.",
            discussion: """
            Writes README.md, table7.md/.csv, table3.md/.csv, add-vs-mac.md/.csv, per-layer breakdowns (layers/), \
            and plots (plots/*.svg) for the points the results hold; outputs whose points are absent are skipped \
            with the reason. Points from several files are merged by their parameters and board.
            """)

        @Argument(help: "Results files (JSON Lines from `sandglass sweep`).")
        var results: [String] = []

        @Option(name: .customLong("out"), help: "Directory to write the report into (created if needed).")
        var output: String

        @Option(help: "Title of the report's README (default: from the sweeps' names).")
        var title: String?

        @Option(help: "A note for the README, shown as yours (repeatable), e.g. about the machine's load.")
        var note: [String] = []

        @Flag(help: "Replace same-named files in --out that an earlier report did not write.")
        var force = false

        func validate() throws {
            guard !results.isEmpty else {
                throw ValidationError("give at least one results file, e.g. `sandglass report results.jsonl --out Reports/mine`")
            }
        }

        func run() throws {
            let names = results.map { Report.relativePath(of: $0, from: output) }
            let collection: ResultsCollection
            do { collection = try ResultsCollection.load(paths: results, names: names) } catch let e as ReportError {
                throw e.isUsage ? CommandFailure.usage(e.message) : CommandFailure(e.message)
            }
            for source in collection.sources {
                source.contents.warnings.forEach { FileHandle.standardError.write(Data("sandglass: warning: \($0)\n".utf8)) }
            }
            let options = ReportOptions(title: title, notes: note, generatedAt: ISO8601DateFormatter().string(from: Date()),
                                        command: (["sandglass"] + CommandLine.arguments.dropFirst()).map(Report.shellQuoted).joined(separator: " "))
            let report = ReportGenerator.generate(collection, options: options)
            do { try ReportGenerator.write(report, to: output, force: force) } catch let e as ReportError {
                throw e.isUsage ? CommandFailure.usage(e.message) : CommandFailure(e.message)
            }
            print("\(report.files.count) files → \(output)/ (README.md, \(collection.points.count) points from \(collection.sources.count) file\(collection.sources.count == 1 ? "" : "s"))")
            for s in report.skipped { print("skipped: \(s)") }
            if !report.warnings.isEmpty { print("\(report.warnings.count) warning(s) carried over into README.md") }
        }

        /// `path` as seen from `directory` (both relative to the working directory or absolute).
        static func relativePath(of path: String, from directory: String) -> String {
            let file = URL(fileURLWithPath: path).standardizedFileURL.pathComponents
            let dir = URL(fileURLWithPath: directory).standardizedFileURL.pathComponents
            var common = 0
            while common < min(file.count - 1, dir.count) && file[common] == dir[common] { common += 1 }
            guard common > 1 else { return URL(fileURLWithPath: path).standardizedFileURL.path }
            return (Array(repeating: "..", count: dir.count - common) + file[common...]).joined(separator: "/")
        }

        static func shellQuoted(_ s: String) -> String {
            let safe = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./=:,+@%"))
            if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
            return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
    }
}
