// One sweep's directory on the board, runs/<id>/: spec.yaml (when the sweep comes from a file),
// results.jsonl (the board's own durable results), and the sweep job's files (RemoteJob). The
// id is derived from this machine, the local results file and the board, so that running the
// same command again with --resume finds the same run.
import Foundation

struct RemoteRun {
    let connection: SSHConnection
    let directory: String
    let binary: String
    var job: RemoteJob { RemoteJob(directory: directory, name: "sweep") }

    static let resultsName = "results.jsonl"
    static let specName = "spec.yaml"

    /// A directory name from the board name and a hash of (local host, local file, board).
    static func identifier(board: String, localHost: String, localOutput: String) -> String {
        let absolute = URL(fileURLWithPath: localOutput).standardizedFileURL.path
        let readable = String(board.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" }.prefix(24))
        let hash = RecordHash.hex(Array("\(localHost)\u{0}\(absolute)\u{0}\(board)".utf8))
        return (readable.isEmpty ? "board" : readable) + "-" + hash
    }

    var q: (String) -> String { ShellQuoting.quote }

    func status() throws -> JobStatus {
        JobStatus(parsing: try connection.check(job.statusScript(logLines: 3), timeout: 120, what: "checking the sweep"))
    }

    /// Empties the run directory and writes the spec (if any).
    func reset(spec: Data?) throws {
        try connection.check("rm -rf \(q(directory)) && mkdir -p \(q(directory))", timeout: 120, what: "preparing the run directory")
        if let spec { try upload(spec, as: RemoteRun.specName) }
    }

    /// Writes a file of the run directory from local bytes (atomically).
    func upload(_ data: Data, as name: String) throws {
        let path = directory + "/" + name
        try connection.check("mkdir -p \(q(directory)) && cat > \(q(path + ".tmp")) && mv \(q(path + ".tmp")) \(q(path))",
                             stdin: .data(data), timeout: max(120, Double(data.count) / 50_000), what: "uploading \(name)")
    }

    func start(_ arguments: [String]) throws {
        try connection.check(job.startScript(arguments), timeout: 120, what: "starting the sweep")
    }

    func stop() throws {
        try connection.check(job.stopScript(), timeout: 60, what: "stopping the sweep")
    }

    /// Waits (up to `timeout`) for the sweep to end after `stop`.
    func stopAndWait(timeout: TimeInterval = 120) throws {
        try stop()
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if try status().state != .running { return }
            usleep(500_000)
        }
        throw RemoteError(.remoteFailed, "the sweep in \(directory) on the board did not stop within \(Int(timeout)) s")
    }

    /// How many records the board's file holds, and whether record `line` is the one the host
    /// holds there (nil when the file is shorter).
    func count(line: Int, hash: String?) throws -> (lines: Int, matches: Bool?) {
        var args = [binary, "remote-agent", "count", RemoteRun.resultsName, "--line", String(line)]
        if let hash { args += ["--hash", hash] }
        let out = try connection.check("cd \(q(directory)) 2>/dev/null || { echo lines=0; echo match=short; exit 0; }\nexec \(ShellQuoting.command(args))",
                                       timeout: 120, what: "reading the board's results")
        var lines = 0
        var matches: Bool?
        for l in out.split(separator: "\n") {
            if l.hasPrefix("lines=") { lines = Int(l.dropFirst(6)) ?? 0 }
            if l.hasPrefix("match=") { matches = l == "match=yes" ? true : (l == "match=no" ? false : nil) }
        }
        return (lines, matches)
    }

    /// Starts streaming the records after the first `skip`, while `pid` lives.
    func follow(skip: Int, pid: Int32?) throws -> ChildProcess {
        var args = [binary, "remote-agent", "follow", RemoteRun.resultsName, "--skip", String(skip)]
        if let pid { args += ["--pid", String(pid)] }
        return try connection.start("cd \(q(directory)) && exec \(ShellQuoting.command(args))")
    }
}
