import ArgumentParser
import Foundation
import SandglassHarness

extension Sandglass {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export the points of results files as CSV.")

        @Argument(help: "Results files (JSON Lines).")
        var results: [String]

        @Option(help: "CSV file to write ('-' for standard output).")
        var csv: String

        func run() throws {
            var points: [PointRecord] = []
            for path in results {
                let contents: ResultsContents
                do { contents = try ResultsFile.readRecords(path) } catch let e as ResultsError { throw CommandFailure.usage(e.message) }
                contents.warnings.forEach { FileHandle.standardError.write(Data("sandglass: warning: \($0)\n".utf8)) }
                points += contents.points
            }
            let text = CSVExport.csv(points)
            if csv == "-" { print(text, terminator: ""); return }
            do { try text.write(toFile: csv, atomically: true, encoding: .utf8) } catch {
                throw CommandFailure("cannot write \(csv): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("sandglass: \(points.count) points → \(csv)\n".utf8))
        }
    }
}
