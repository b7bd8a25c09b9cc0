// `sandglass sweep --target ssh://… | --targets boards.yaml`: the same sweep on one or more
// boards in parallel, every record streamed into the local results file as it completes.
import ArgumentParser
import Foundation
import SandglassHarness
import SandglassRemote

extension Sandglass.Sweep {
    func runOnBoards(_ s: SweepSpec) throws {
        var boards: [BoardSpec]
        if let targets {
            do { boards = try BoardsFile.load(targets) } catch let e as RemoteError { throw e.commandFailure }
            for i in boards.indices where boards[i].remoteRoot == nil { boards[i].remoteRoot = remote.remoteDir.map(RemotePath.init) }
        } else {
            boards = [try remote.targetBoard(name: board)]
        }

        var request = RemoteSweepRequest()
        if let preset { request.arguments += ["--preset", preset] }
        if let path = spec { request.specFile = FileManager.default.contents(atPath: path) }
        if quick { request.arguments.append("--quick") }
        if let rounds { request.arguments += ["--rounds", String(rounds)] }
        if let seed { request.arguments += ["--seed", String(seed)] }
        if noCalibrate { request.arguments.append("--no-calibrate") }
        if skipSelftest { request.arguments.append("--skip-selftest") }
        request.pin = pin
        request.totalPoints = s.points.count
        request.resume = resume
        request.force = force
        request.reconnectTimeout = remote.reconnectTimeout
        request.localOutput = output

        let results: LocalResultsFile
        do { results = try LocalResultsFile(path: output, resume: resume, force: force) } catch let e as RemoteError {
            throw e.commandFailure
        }
        let progressStyle = BoardsProgress.Style(rawValue: progress) ?? .auto
        let display = BoardsProgress(style: progressStyle, boards: boards.map(\.name))
        results.warnings.forEach { display.log(nil, "warning: \($0)") }
        let deployment = remote.deployment
        if deployment.binary == nil && deployment.sourceRoot == nil && boards.contains(where: { $0.binary == nil }) {
            throw CommandFailure.usage("cannot find the Sandglass checkout this binary was built in, to deploy its sources: run the sandglass built in a checkout (.build/release/sandglass), or deploy a prebuilt binary with --binary PATH")
        }
        let controls: ControlDirectory
        do { controls = try ControlDirectory() } catch let e as RemoteError { throw e.commandFailure }
        defer { controls.remove() }
        Interruption.install()

        display.log(nil, "\(s.name): \(s.points.count) points on \(boards.count) board\(boards.count == 1 ? "" : "s") → \(output)")
        // One thread per board: each board measures its own points one at a time.
        final class Outcomes: @unchecked Sendable {
            let lock = NSLock()
            var byBoard: [String: BoardOutcome] = [:]
            func set(_ o: BoardOutcome) { lock.lock(); byBoard[o.board] = o; lock.unlock() }
        }
        let outcomes = Outcomes()
        let group = DispatchGroup()
        for b in boards {
            group.enter()
            let sweep = RemoteSweep(board: b, request: request, deployment: deployment, settings: remote.sshSettings,
                                    results: results, progress: display, controlDirectory: controls)
            let thread = Thread {
                outcomes.set(sweep.run())
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
        display.done()

        // Summary: per board, the points held locally (in the spec's order).
        let contents = try ResultsFile.read(output)
        for b in boards {
            let mine = contents.points.filter { $0.board == b.name }
            if mine.isEmpty { continue }
            let byID = Dictionary(mine.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
            let ordered = mine.map(\.id).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.compactMap { byID[$0] }
            if boards.count > 1 { print("\(b.name):") }
            print(SweepSummary.table(ordered))
        }
        let outcomeList = boards.compactMap { outcomes.byBoard[$0.name] }
        let done = outcomeList.reduce(0) { $0 + $1.completedPoints }
        if done > 0 {
            print("\(done) of \(s.points.count * boards.count) points on \(boards.count) board\(boards.count == 1 ? "" : "s") → \(output)")
        }

        let failures = outcomeList.filter { $0.error != nil && $0.error?.kind != .interrupted }
        if boards.count > 1 {
            for f in failures { FileHandle.standardError.write(Data("sandglass: error: [\(f.board)] \(f.error!.message)\n".utf8)) }
        }
        if let first = failures.first?.error {
            if boards.count == 1 { throw first.commandFailure }
            throw CommandFailure("\(failures.count) of \(boards.count) boards failed (\(failures.map(\.board).joined(separator: ", "))); what completed is in \(output), continue with --resume",
                                 exitCode: first.kind.exitCode)
        }
        if outcomeList.contains(where: { $0.interrupted }) {
            throw CommandFailure("interrupted: \(done) of \(s.points.count * boards.count) points are in \(output); continue with --resume", exitCode: 130)
        }
    }
}
