// A sweep on one board, driven from here: prepare the board (BoardSession), start the sweep
// there detached (or find it running, or restart it with --resume after a reboot), and copy
// each record into the local file as the board appends it. Faults:
//   link drops      the sweep goes on there; reconnect with backoff and resume streaming after
//                   the records already held here (their count; no record is sent twice)
//   board rebooted  its sweep is not running and did not finish: restart it with --resume
//   Ctrl-C here     SIGTERM to the board's sweep, which writes what is complete and an
//                   interrupted end record; those records still arrive, then we stop
import Foundation
import SandglassHarness

public struct RemoteSweepRequest: Sendable {
    /// Arguments for `sandglass sweep` on the board that select and shape the sweep
    /// (`--preset NAME`, `--quick`, `--rounds N`, `--seed S`); the spec file travels as `specFile`.
    public var arguments: [String] = []
    public var specFile: Data?
    /// `--pin` for every board without its own.
    public var pin: String?
    public var totalPoints = 0
    public var resume = false
    public var force = false
    /// How long to keep trying to reconnect before giving up (the board's sweep goes on).
    public var reconnectTimeout: TimeInterval = 600
    /// Restarts after the board's sweep died without finishing (reboots, crashes).
    public var restartLimit = 3
    /// Silence (no record, no heartbeat) after which the link counts as dead.
    public var silenceTimeout: TimeInterval = 60
    /// The local results file (names the run on the board).
    public var localOutput = "results.jsonl"

    public init() {}
}

public struct BoardOutcome: Sendable {
    public var board: String
    public var completedPoints = 0
    public var interrupted = false
    public var error: RemoteError?
}

public final class RemoteSweep: @unchecked Sendable {
    let board: BoardSpec
    let request: RemoteSweepRequest
    let deployment: DeploymentRequest
    let settings: SSHSettings
    let results: LocalResultsFile
    let progress: BoardsProgress
    let controlDirectory: ControlDirectory
    /// Follows in a row that dropped before a single record arrived.
    private var fruitless = 0

    public init(board: BoardSpec, request: RemoteSweepRequest, deployment: DeploymentRequest, settings: SSHSettings,
                results: LocalResultsFile, progress: BoardsProgress, controlDirectory: ControlDirectory) {
        self.board = board; self.request = request; self.deployment = deployment; self.settings = settings
        self.results = results; self.progress = progress; self.controlDirectory = controlDirectory
    }

    var name: String { board.name }

    /// Runs the board's sweep to its end; never throws (the outcome carries the error).
    public func run() -> BoardOutcome {
        var outcome = BoardOutcome(board: name)
        do {
            outcome.interrupted = try execute()
        } catch let e as RemoteError {
            outcome.error = e
            if e.kind == .interrupted { outcome.interrupted = true }
        } catch {
            outcome.error = RemoteError(.localFailed, "\(error)")
        }
        outcome.completedPoints = results.completedPoints(board: name).count
        let state = outcome.error != nil ? (outcome.interrupted ? "interrupted" : "failed") : (outcome.interrupted ? "interrupted" : "done")
        progress.state(name, "\(state) \(outcome.completedPoints)/\(request.totalPoints)")
        return outcome
    }

    // MARK: - Orchestration

    func execute() throws -> Bool {
        let session = try BoardSession(board: board, settings: settings, controlDirectory: controlDirectory)
        defer { session.close() }
        let binary = try session.prepare(deployment: deployment, progress: progress)
        let id = RemoteRun.identifier(board: name, localHost: ProcessInfo.processInfo.hostName, localOutput: request.localOutput)
        let run = RemoteRun(connection: session.connection, directory: session.facts.root + "/runs/" + id, binary: binary)
        let status = try run.status()
        if Interruption.requested && status.state != .running {
            throw RemoteError(.interrupted, "interrupted before the sweep started on \(name)")
        }

        if !request.resume {
            if status.state == .running {
                guard request.force else {
                    throw RemoteError(.usage, "a sweep into \(request.localOutput) is already running on \(name) (\(run.directory)): pass --resume to follow it, or --force to stop it and start over")
                }
                progress.log(name, "stopping the sweep still running there (--force)")
                try run.stopAndWait()
            }
            try run.reset(spec: request.specFile)
            try run.start(arguments(binary, resume: false))
            progress.log(name, "sweep started on the board (\(run.directory))")
        } else {
            let held = results.lines(board: name)
            let check = try run.count(line: held.count, hash: held.last.map { RecordHash.hex($0) })
            let continues = check.matches == true && check.lines >= held.count
            if status.state == .running {
                guard continues else {
                    throw RemoteError(.remoteFailed, "the sweep running on \(name) (\(run.directory)) does not continue the \(held.count) records of this board in \(request.localOutput): use --force to stop it and start over, or another --out file")
                }
                progress.log(name, "following the sweep already running on the board (\(held.count) records here, \(check.lines) there)")
            } else {
                if !continues {
                    progress.log(name, "the board's copy of this sweep does not continue \(request.localOutput) (\(check.lines) records there, \(held.count) here); sending the records held here back and resuming from them")
                    try run.reset(spec: request.specFile)
                    var seed = Data()
                    for line in held { seed.append(line); seed.append(UInt8(ascii: "\n")) }
                    try run.upload(seed, as: RemoteRun.resultsName)
                } else if let spec = request.specFile {
                    try run.upload(spec, as: RemoteRun.specName)
                }
                try run.start(arguments(binary, resume: true))
                progress.log(name, "sweep resumed on the board (\(results.completedPoints(board: name).count) points already here)")
            }
        }
        return try stream(run)
    }

    func arguments(_ binary: String, resume: Bool) -> [String] {
        var args = [binary, "sweep"]
        if request.specFile != nil { args.append(RemoteRun.specName) }
        args += request.arguments
        args += ["--out", RemoteRun.resultsName, "--board", name, "--progress", "plain"]
        if let pin = board.pin ?? request.pin { args += ["--pin", pin] }
        if resume { args.append("--resume") }
        return args
    }

    // MARK: - Streaming

    enum FollowEnd {
        case ended                 // the sweep process ended (or there was none) and all records arrived
        case dropped(RemoteError)  // the link (or the follower) went away
    }

    /// Streams until the board's sweep has ended and all its records are here. Returns whether
    /// it ended interrupted.
    func stream(_ run: RemoteRun) throws -> Bool {
        var restarts = 0
        var stopSent = false
        var backoff = Backoff()
        var lastError: RemoteError?
        var drained = false     // the last follow saw the sweep end and sent everything
        while true {
            // Where the board's sweep stands (this is also the reconnect attempt).
            let status: JobStatus
            do {
                if Interruption.requested && !stopSent {
                    try run.stop()
                    stopSent = true
                    progress.log(name, "stopping the sweep on the board (Ctrl-C); collecting what completed")
                }
                status = try run.status()
                if lastError != nil { progress.log(name, "reconnected") }
                backoff.reset()
                lastError = nil
            } catch let e as RemoteError where e.isTransient {
                lastError = e
                let limit = Interruption.requested ? min(30, request.reconnectTimeout) : request.reconnectTimeout
                let wait = backoff.next()
                guard backoff.elapsed + wait <= limit else {
                    throw RemoteError(e.kind, "lost the connection to \(name) and could not reconnect within \(Int(limit)) s (\(e.message)); the sweep goes on there: run the same command with --resume to collect its results")
                }
                progress.state(name, "reconnecting in \(Int(wait)) s")
                progress.log(name, "connection lost (\(e.message)); reconnecting in \(Int(wait)) s")
                sleepInterruptibly(wait)
                continue
            }

            if status.state == .running {
                switch try follow(run, pid: status.pid, stopSent: &stopSent) {
                case .ended: drained = true
                case .dropped(let e): try dropped(e)
                }
                continue
            }
            // Not running: collect whatever is left (unless following it to its end did), then
            // judge how it ended.
            if !drained {
                if case .dropped(let e) = try follow(run, pid: nil, stopSent: &stopSent) { try dropped(e); continue }
            }
            drained = false
            if stopSent || Interruption.requested { return true }
            switch (status.state, status.exitStatus) {
            case (.exited, 0?):
                return false
            case (.exited, 130?):
                progress.log(name, "the sweep on the board was interrupted there")
                return true
            case (.exited, let code?) where code < 128:
                let last = status.logTail.last(where: { $0.contains("error") }) ?? status.logTail.last ?? "no message"
                throw RemoteError(.remoteFailed, "the sweep on \(name) failed (exit \(code)): \(last.replacingOccurrences(of: "sandglass: error: ", with: "")) (log: \(run.directory)/sweep.log on the board)")
            default:
                restarts += 1
                let why = status.rebooted ? "the board rebooted" : (status.exitStatus.map { "it ended with status \($0)" } ?? "it was killed")
                guard restarts <= request.restartLimit else {
                    throw RemoteError(.remoteFailed, "the sweep on \(name) stopped without finishing \(restarts) times (last: \(why)); see \(run.directory)/sweep.log on the board")
                }
                progress.log(name, "the sweep on the board is not running and did not finish (\(why)); restarting it there with --resume")
                try run.start(arguments(run.binary, resume: true))
            }
        }
    }

    /// A follow that dropped: go on after a pause unless the cause is not the link's, or the
    /// stream keeps failing while the board itself answers.
    func dropped(_ e: RemoteError) throws {
        if !e.isTransient { throw e }
        fruitless += 1
        if fruitless > 10 {
            throw RemoteError(e.kind, "streaming from \(name) failed 10 times in a row (\(e.message)); the sweep goes on there: run the same command with --resume to collect its results")
        }
        progress.log(name, "stream interrupted (\(e.message))")
        sleepInterruptibly(Double(min(fruitless, 5)))
    }

    /// Follows the board's results file after the records held here, appending each record as
    /// it arrives, until the follower ends or the link drops.
    func follow(_ run: RemoteRun, pid: Int32?, stopSent: inout Bool) throws -> FollowEnd {
        let follower = try run.follow(skip: results.count(board: name), pid: pid)
        defer { follower.terminate(grace: 1) }
        var buffer = Data()
        var stderr = Data()
        var lastData = Date()
        var receivedRecord = false
        defer { if receivedRecord { fruitless = 0 } }
        let total = request.totalPoints
        progress.state(name, "\(results.completedPoints(board: name).count)/\(total) points")
        while follower.hasOpenPipes {
            if Interruption.requested && !stopSent && pid != nil {
                do {
                    try run.stop()
                    stopSent = true
                    progress.log(name, "stopping the sweep on the board (Ctrl-C); collecting what completed")
                } catch let e as RemoteError where e.isTransient {
                    return .dropped(e)
                }
            }
            for chunk in follower.read(timeout: 0.25) {
                switch chunk {
                case .stderr(let d): stderr.append(d)
                case .stdout(let d):
                    lastData = Date()
                    buffer.append(d)
                    while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = Data(buffer[buffer.startIndex..<newline])
                        buffer.removeSubrange(buffer.startIndex...newline)
                        if !line.isEmpty { try receive(line); receivedRecord = true }
                    }
                }
            }
            if Date().timeIntervalSince(lastData) > request.silenceTimeout {
                return .dropped(RemoteError(.timeout, "no record and no heartbeat from \(name) for \(Int(request.silenceTimeout)) s"))
            }
        }
        let code = follower.wait()
        let message = String(decoding: stderr, as: UTF8.self)
        switch code {
        case 0:
            return .ended
        case 255:
            return .dropped(SSHFailureClassifier.classify(status: 255, stderr: message, destination: run.connection.destination)
                            ?? RemoteError(.unreachable, "the connection to \(name) dropped"))
        case ResultsFollower.Exit.shrank.rawValue:
            throw RemoteError(.remoteFailed, "the results file on \(name) (\(run.directory)/results.jsonl) got shorter while it was followed: something else rewrote it; run again with --force")
        case 128...:
            // The ssh client was killed (or the remote follower was): the same as a dropped link.
            return .dropped(RemoteError(.unreachable, "the stream from \(name) was cut (ssh ended with status \(code))"))
        default:
            if let e = SSHFailureClassifier.classify(status: code, stderr: message, destination: run.connection.destination) { throw e }
            let line = SSHFailureClassifier.lastMeaningfulLine(message)
            throw RemoteError(.remoteFailed, "streaming the results from \(name) failed (exit \(code)): \(line.isEmpty ? "no message" : line)")
        }
    }

    struct Probe: Decodable {
        var type: String?
        var board: String?
        var id: String?
    }

    /// One record line from the board: checked, appended locally, reported.
    func receive(_ line: Data) throws {
        guard let probe = try? JSONDecoder().decode(Probe.self, from: line), probe.type != nil else {
            throw RemoteError(.remoteFailed, "\(name) sent a line that is not a results record: \(String(decoding: line.prefix(120), as: UTF8.self))")
        }
        guard probe.board == name else {
            throw RemoteError(.remoteFailed, "\(name) sent a \(probe.type ?? "") record for board '\(probe.board ?? "none")': is the sandglass on the board (--binary?) older than this one?")
        }
        try results.append(line: line, board: name, type: probe.type, pointID: probe.id)
        guard probe.type == "point" else { return }
        let done = results.completedPoints(board: name).count
        if let record = RemoteSweep.decodePoint(line) {
            let l = record.latencyMs
            progress.log(name, "[\(done)/\(request.totalPoints)] \(record.point.label): median \(RemoteSweep.fixed(l.median, 3)) ms ±\(RemoteSweep.fixed(l.ciRelativeHalfWidth * 100, 1))% (\(record.stopReason))")
        }
        progress.state(name, "\(done)/\(request.totalPoints) points")
    }

    static func decodePoint(_ line: Data) -> PointRecord? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(PointRecord.self, from: line)
    }

    static func fixed(_ x: Double, _ digits: Int) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "n/a"
    }
}
