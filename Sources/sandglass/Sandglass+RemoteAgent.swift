// The board side of `--target` (hidden): what the host runs through ssh on the board, with
// the sandglass deployed there.
import ArgumentParser
import Foundation
import SandglassRemote
#if canImport(Glibc)
import Glibc
#endif

extension Sandglass {
    struct RemoteAgent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote-agent",
            abstract: "Board side of --target: stream and count result records (run by the host over ssh).",
            shouldDisplay: false,
            subcommands: [Follow.self, Count.self])

        struct Follow: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the records after the first N of a results file as they are appended, while a process lives.")

            @Argument(help: "Results file.")
            var file: String

            @Option(help: "Records the host already holds.")
            var skip: Int = 0

            @Option(help: "Follow while this process lives (otherwise print what is there and end).")
            var pid: Int32?

            func run() throws {
                let follower = ResultsFollower(path: file, skip: skip, pid: pid)
                let exit = follower.run(emit: { data in
                    data.withUnsafeBytes { raw in
                        var offset = 0
                        while offset < raw.count {
                            let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                            if n < 0 { if errno == EINTR { continue }; Glibc.exit(141) }
                            offset += n
                        }
                    }
                }, log: { fputs("sandglass remote-agent: \($0)\n", stderr) })
                Glibc.exit(exit.rawValue)
            }
        }

        struct Count: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Count the records of a results file and check one record's hash.")

            @Argument(help: "Results file.")
            var file: String

            @Option(help: "1-based record number to check (0: none).")
            var line: Int = 0

            @Option(help: "Expected FNV-1a hash of that record.")
            var hash: String?

            func run() throws {
                let (lines, matches) = ResultsFollower.count(path: file, line: line, hash: hash)
                print("lines=\(lines)")
                print("match=\(matches.map { $0 ? "yes" : "no" } ?? "short")")
            }
        }
    }
}
