import Foundation
import XCTest

/// Sweeps on a board over SSH, the board being a real OpenSSH server on loopback
/// (LoopbackSSHServer). These tests deploy the binary under test with --binary; one test
/// deploys the sources and builds them on the "board".
final class RemoteCLITests: XCTestCase {
    var board: LoopbackSSHServer!
    var dir: URL!

    override func setUpWithError() throws {
        board = try LoopbackSSHServer(name: name)
        dir = URL(fileURLWithPath: board.dir).appendingPathComponent("local")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { board?.stop() }

    /// A sweep whose points take `seconds` each (time cap), so that faults land mid-sweep.
    func spec(points alphas: [String] = ["1", "1/2"], seconds: Double? = nil) throws -> String {
        let measurement = seconds.map { """
              repetitions: {min: 1000000, max: 1000000}
              max-seconds: \($0)
            """ } ?? "  repetitions: {min: 5, max: 5}"
        let text = """
        axes:
          model: mobilenext
          width: 0.35
          resolution: 64
          alpha: [\(alphas.joined(separator: ", "))]
        measurement:
          warmup: {runs: 2, seconds: 0}
          target-ci: 0
        \(measurement)
        """
        let url = dir.appendingPathComponent("spec-\(alphas.count)-\(seconds ?? 0).yaml")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    var env: [String: String] { ["TMPDIR": board.dir] }

    func sandglass(_ args: [String], timeout: TimeInterval = 300) throws -> CLI.Result {
        try CLI.run(args, environment: env, timeout: timeout)
    }

    func records(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func pointIDs(_ path: String, board name: String? = nil) -> [String] {
        records(path).filter { $0["type"] as? String == "point" && (name == nil || $0["board"] as? String == name) }
            .compactMap { $0["id"] as? String }
    }

    /// Starts sandglass in the background (for the tests that interrupt it).
    func background(_ args: [String], stderr: String) throws -> Process {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        e["TMPDIR"] = board.dir
        p.environment = e
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr).creatingFile())
        try p.run()
        return p
    }

    func waitFor(_ what: String, timeout: TimeInterval = 120, _ condition: () -> Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(condition(), "timed out waiting for \(what)")
    }

    // MARK: -

    func testSweepOverSSHLandsInTheLocalFileAndWritesOnlyTheRemoteDirectory() throws {
        let out = dir.appendingPathComponent("r.jsonl").path
        let r = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--progress", "plain"] + board.aliasArguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        let all = records(out)
        XCTAssertEqual(all.map { $0["type"] as? String }, ["header", "point", "point", "end"])
        XCTAssertTrue(all.allSatisfy { $0["board"] as? String == "board" }, "records without the board name")
        let env = try XCTUnwrap(all[0]["environment"] as? [String: Any])
        XCTAssertNotNil(env["hostname"])
        XCTAssertEqual(Set(pointIDs(out).map { $0.contains("alpha=1/2") }), [true, false])
        XCTAssertTrue(r.stdout.contains("2 of 2 points"), r.stdout)

        // The board's own copy is the same bytes; everything the board side wrote is under its directory.
        let written = board.homeContents()
        XCTAssertFalse(written.isEmpty)
        XCTAssertTrue(written.allSatisfy { $0 == ".cache" || $0.hasPrefix(".cache/sandglass") }, "written outside ~/.cache/sandglass: \(written)")
        let remote = try XCTUnwrap(written.first { $0.hasPrefix(".cache/sandglass/runs/") && $0.hasSuffix("/results.jsonl") })
        XCTAssertEqual(FileManager.default.contents(atPath: board.home + "/" + remote), FileManager.default.contents(atPath: out))

        // Again with --force: the binary is reused, the run starts over.
        let again = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--force", "--progress", "plain"] + board.aliasArguments)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("already on the board"), again.stderr)
        XCTAssertEqual(pointIDs(out).count, 2)
        // And without --force or --resume: refused, like a local sweep.
        let refused = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--binary", CLI.binary.path] + board.aliasArguments)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("--resume"), refused.stderr)
    }

    func testDroppedConnectionMidSweepLosesAndDuplicatesNothing() throws {
        let out = dir.appendingPathComponent("drop.jsonl").path
        let log = dir.appendingPathComponent("drop.err").path
        let specPath = try spec(points: ["1", "1/2", "1/3", "1/6"], seconds: 1)
        let p = try background(["sweep", specPath, "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--progress", "plain"] + board.aliasArguments, stderr: log)
        waitFor("the first point") { !pointIDs(out).isEmpty || !p.isRunning }
        // Kill the multiplexed master connection (and with it the stream).
        let masters = LoopbackSSHServer.processes(containing: board.dir + "/sgssh-")
        XCTAssertFalse(masters.isEmpty, "no ssh master found")
        masters.forEach { kill($0, SIGKILL) }
        p.waitUntilExit()
        let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("stream interrupted") || stderr.contains("connection lost"), stderr)
        let ids = pointIDs(out)
        XCTAssertEqual(ids.count, 4, stderr)
        XCTAssertEqual(Set(ids).count, 4, "duplicated: \(ids)")
        XCTAssertEqual(records(out).filter { $0["type"] as? String == "header" }.count, 1)
    }

    func testHostKilledAndBoardSweepKilledThenResumeCompletesExactlyOnce() throws {
        let out = dir.appendingPathComponent("kill.jsonl").path
        let specPath = try spec(points: ["1", "1/2", "1/3", "1/6"], seconds: 1)
        let args = ["sweep", specPath, "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--progress", "plain"] + board.aliasArguments
        let p = try background(args, stderr: dir.appendingPathComponent("kill.err").path)
        waitFor("the first point") { !pointIDs(out).isEmpty || !p.isRunning }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let before = pointIDs(out)
        XCTAssertGreaterThanOrEqual(before.count, 1)
        // As if the board rebooted: its sweep dies without finishing.
        let runs = board.home + "/.cache/sandglass/runs"
        for run in (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [] {
            for file in ["sweep.child", "sweep.pid"] {
                if let text = try? String(contentsOfFile: "\(runs)/\(run)/\(file)", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    kill(pid, SIGKILL)
                }
            }
        }
        let r = try sandglass(args + ["--resume"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let after = pointIDs(out)
        XCTAssertEqual(after.count, 4, r.stderr)
        XCTAssertEqual(Set(after).count, 4, "duplicated: \(after)")
        for id in before { XCTAssertTrue(after.contains(id)) }
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertEqual(records(out).count, text.split(separator: "\n").count, "a line of the local file is not a record")
    }

    func testCtrlCStopsTheBoardSweepAndKeepsWhatCompleted() throws {
        let out = dir.appendingPathComponent("int.jsonl").path
        let log = dir.appendingPathComponent("int.err").path
        let specPath = try spec(points: ["1", "1/2", "1/3", "1/6"], seconds: 1)
        let p = try background(["sweep", specPath, "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--progress", "plain"] + board.aliasArguments, stderr: log)
        waitFor("the first point") { !pointIDs(out).isEmpty || !p.isRunning }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let stderr = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(p.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("--resume"), stderr)
        let end = try XCTUnwrap(records(out).last)
        XCTAssertEqual(end["type"] as? String, "end")
        XCTAssertEqual(end["interrupted"] as? Bool, true)
        XCTAssertLessThan(pointIDs(out).count, 4)
        // Nothing of that sweep runs on the board any more.
        XCTAssertTrue(LoopbackSSHServer.processes(containing: "--board board --progress plain").isEmpty)
        let resumed = try sandglass(["sweep", specPath, "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--resume", "--progress", "plain"] + board.aliasArguments)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(Set(pointIDs(out)).count, 4)
        XCTAssertEqual(pointIDs(out).count, 4)
    }

    func testConnectionFailuresEachHaveTheirMessage() throws {
        let out = dir.appendingPathComponent("f.jsonl").path
        let base = ["sweep", try spec(), "--no-calibrate", "--out", out, "--force", "--binary", CLI.binary.path, "--progress", "quiet"]
        func attempt(port: Int, key: String, knownHosts: String) throws -> CLI.Result {
            try sandglass(base + ["--target", "ssh://root@127.0.0.1:\(port)", "--ssh-option", "IdentityFile=\(key)",
                                  "--ssh-option", "IdentitiesOnly=yes", "--ssh-option", "UserKnownHostsFile=\(knownHosts)"], timeout: 120)
        }
        func oneLine(_ r: CLI.Result) { XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr) }

        let unreachable = try attempt(port: try LoopbackSSHServer.freePort(), key: board.userKey, knownHosts: board.knownHosts)
        XCTAssertEqual(unreachable.status, 3, unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.contains("unreachable: connection refused"), unreachable.stderr)
        oneLine(unreachable)

        try LoopbackSSHServer.sh("ssh-keygen -q -t ed25519 -N '' -f \(board.dir)/stranger_key")
        let refused = try attempt(port: board.port, key: board.dir + "/stranger_key", knownHosts: board.knownHosts)
        XCTAssertEqual(refused.status, 4, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("refused authentication"), refused.stderr)
        oneLine(refused)

        try LoopbackSSHServer.sh("ssh-keygen -q -t ed25519 -N '' -f \(board.dir)/impostor && printf '[127.0.0.1]:%s %s\\n' \(board.port) \"$(cut -d' ' -f1,2 \(board.dir)/impostor.pub)\" > \(board.dir)/changed_known_hosts")
        let changed = try attempt(port: board.port, key: board.userKey, knownHosts: board.dir + "/changed_known_hosts")
        XCTAssertEqual(changed.status, 5, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("has CHANGED"), changed.stderr)
        oneLine(changed)

        _ = FileManager.default.createFile(atPath: board.dir + "/empty_known_hosts", contents: nil)
        let unknown = try attempt(port: board.port, key: board.userKey, knownHosts: board.dir + "/empty_known_hosts")
        XCTAssertEqual(unknown.status, 5, unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("not in known_hosts"), unknown.stderr)
        XCTAssertTrue(try String(contentsOfFile: board.dir + "/empty_known_hosts", encoding: .utf8).isEmpty, "the unknown key was recorded")
        oneLine(unknown)

        // No swift on the board's PATH (sshd's default PATH): a build cannot happen there.
        let noSwift = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--force", "--progress", "quiet", "--remote-swift", "no-such-swift"] + board.aliasArguments)
        XCTAssertEqual(noSwift.status, 6, noSwift.stderr)
        XCTAssertTrue(noSwift.stderr.contains("no 'no-such-swift' on the board"), noSwift.stderr)
        // Nothing reached the board in any of these.
        XCTAssertTrue(board.homeContents().allSatisfy { $0.hasPrefix(".cache") }, "\(board.homeContents())")
    }

    func testArgumentsWithSpacesAndShellMetacharactersArriveIntact() throws {
        let canary = board.dir + "/pwned"
        let name = #"b o'a"r$d;|&*`touch \#(canary)`$(touch \#(canary))\~ !#%{x}"#
        let remoteDir = board.home + #"/dir with spaces/$HOME/`x`;'y'"#
        let out = dir.appendingPathComponent("meta.jsonl").path
        let r = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--binary", CLI.binary.path, "--board", name,
                               "--remote-dir", remoteDir, "--progress", "plain"] + board.aliasArguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: canary), "a metacharacter was interpreted by a shell")
        XCTAssertEqual(Set(records(out).compactMap { $0["board"] as? String }), [name])
        XCTAssertEqual(pointIDs(out, board: name).count, 2)
        XCTAssertTrue(FileManager.default.fileExists(atPath: remoteDir + "/runs"), "nothing in \(remoteDir)")
    }

    func testBoardsFileRunsEveryBoardInParallel() throws {
        let boards = dir.appendingPathComponent("boards.yaml").path
        try """
        boards:
          - name: first
            target: ssh://\(board.alias)
          - name: second
            target: ssh://root@127.0.0.1:\(board.port)
            pin: core:0
            ssh-options: [IdentityFile=\(board.userKey), UserKnownHostsFile=\(board.knownHosts)]
        """.write(toFile: boards, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("many.jsonl").path
        let r = try sandglass(["sweep", try spec(), "--no-calibrate", "--out", out, "--targets", boards, "--ssh-config", board.sshConfig,
                               "--binary", CLI.binary.path, "--progress", "plain"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(pointIDs(out, board: "first").count, 2)
        XCTAssertEqual(pointIDs(out, board: "second").count, 2)
        XCTAssertTrue(pointIDs(out, board: "second").allSatisfy { $0.contains("pin=core:0") })
        XCTAssertEqual(records(out).filter { $0["type"] as? String == "header" }.compactMap { $0["board"] as? String }.sorted(), ["first", "second"])
        XCTAssertTrue(r.stdout.contains("first:") && r.stdout.contains("second:"), r.stdout)
        XCTAssertTrue(r.stderr.contains("[first]") && r.stderr.contains("[second]"), r.stderr)
        // compare tells the boards apart (points match by parameters and board).
        XCTAssertEqual(try CLI.run(["export", out, "--csv", "-"]).stdout.split(separator: "\n").count, 5)
    }

    func testBenchOnTheBoard() throws {
        let r = try sandglass(["bench", "--width", "0.35", "--resolution", "64", "--warmup", "1", "--iterations", "3",
                               "--format", "json", "--binary", CLI.binary.path] + board.aliasArguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        let latency = try XCTUnwrap(r.json?["latencyMs"] as? [String: Any], r.stdout)
        XCTAssertEqual(latency["count"] as? Int, 3)
        let bad = try sandglass(["bench", "--threads", "0", "--binary", CLI.binary.path] + board.aliasArguments)
        XCTAssertEqual(bad.status, 2)
    }

    func testSelfTestOnTheBoard() throws {
        let r = try sandglass(["selftest", "--kernels-only", "--format", "json", "--binary", CLI.binary.path] + board.aliasArguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.json?["passed"] as? Bool, true, r.stdout)
        let checks = try XCTUnwrap(r.json?["checks"] as? [[String: Any]], r.stdout)
        XCTAssertTrue(checks.contains { $0["kernel"] as? String == "f32_dwconv3x3_s2" }, r.stdout)
        // The board, not this machine, says which ISAs it runs; a misspelt one fails here first.
        let misspelt = try sandglass(["selftest", "--isa", "sse9", "--binary", CLI.binary.path] + board.aliasArguments)
        XCTAssertNotEqual(misspelt.status, 0)
        XCTAssertTrue(misspelt.stderr.contains("sse9"), misspelt.stderr)
    }

    /// The real path: sources at HEAD plus vendored dependencies, built on the board with its own
    /// swift (here this machine's), then cached per commit. Takes a few minutes (a release build).
    func testSourceDeployBuildsOnTheBoardOnceAndCaches() throws {
        if ProcessInfo.processInfo.environment["SANDGLASS_SKIP_BOARD_BUILD_TEST"] == "1" {
            throw XCTSkip("SANDGLASS_SKIP_BOARD_BUILD_TEST=1")
        }
        guard let swift = try? CLI.which("swift") else { throw XCTSkip("no swift on PATH") }
        let out = dir.appendingPathComponent("built.jsonl").path
        let args = ["sweep", try spec(points: ["1/3"]), "--no-calibrate", "--out", out, "--remote-swift", swift, "--progress", "plain"] + board.aliasArguments
        let first = try sandglass(args, timeout: 1800)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("build of") && first.stderr.contains("finished on the board"), first.stderr)
        let header = try XCTUnwrap(records(out).first)
        let build = (header["environment"] as? [String: Any])?["build"] as? [String: Any]
        let head = try CLI.git(["rev-parse", "HEAD"])
        XCTAssertEqual(build?["commit"] as? String, head, "the board's binary does not know its commit")
        // Only the remote directory was written, and it holds the vendored dependencies.
        let written = board.homeContents()
        XCTAssertTrue(written.allSatisfy { $0 == ".cache" || $0.hasPrefix(".cache/sandglass") }, "\(written.filter { !$0.hasPrefix(".cache/sandglass") })")
        XCTAssertTrue(written.contains(".cache/sandglass/builds/\(head)/Vendor/Yams/Package.swift"))
        // Second sweep of the same commit: no build.
        let second = try sandglass(args + ["--force"], timeout: 600)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("cached on the board"), second.stderr)
        XCTAssertEqual(pointIDs(out).count, 1)
    }
}

extension CLI {
    static func which(_ command: String) throws -> String {
        let r = try shell("command -v \(command)")
        guard !r.isEmpty else { throw XCTSkip("\(command) not found") }
        return r
    }

    static func git(_ args: [String]) throws -> String {
        try shell("git -C '\(root.path)' " + args.joined(separator: " "))
    }

    static func shell(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
