// Puts a runnable sandglass on the board, once per commit:
//   source build  builds/<commit>/  the bundle (SourceBundle) extracted, built there with the
//                 board's own swift (`swift build -c release --product sandglass`: only what runs
//                 on the board), detached so that a dropped link does not stop it; a marker file
//                 says the build completed, so the next sweep of that commit starts at once.
//                 The three most recently used builds are kept.
//   --binary      binaries/<content hash>/sandglass, uploaded once.
// The build runs with HOME and TMPDIR inside Sandglass's directory, so SwiftPM's caches and the
// compiler's temporary files stay there too.
import Foundation
import SandglassHarness
#if canImport(Glibc)
import Glibc
#endif

public struct DeploymentRequest: Sendable {
    /// A prebuilt binary to deploy instead of building from source.
    public var binary: String?
    /// The local source checkout for a source build.
    public var sourceRoot: String?
    /// The swift command on the board.
    public var swift = "swift"
    /// Longest a board build may take.
    public var buildTimeout: TimeInterval = 4 * 3600

    public init() {}
}

public struct Deployment {
    let connection: SSHConnection
    let facts: BoardFacts
    let board: String
    let request: DeploymentRequest
    let status: (String) -> Void
    let log: (String) -> Void

    static let buildMarker = ".sandglass-build-ok"
    static let keptBuilds = 3

    var root: String { facts.root }

    /// Deploys and returns the absolute path of the sandglass binary on the board. Two entries of
    /// a boards file can name the same board (same boot id and directory): they deploy one at a
    /// time, and the second finds the first one's binary or build.
    func ensureBinary() throws -> String {
        try DeploymentLocks.shared.withLock(facts.bootID + "\u{0}" + facts.root) { try deploy() }
    }

    func deploy() throws -> String {
        if let binary = request.binary { return try deployBinary(binary) }
        guard let sourceRoot = request.sourceRoot else {
            throw RemoteError(.usage, "no source checkout to deploy from: run the sandglass built in a Sandglass checkout, or deploy a prebuilt binary with --binary PATH")
        }
        return try buildFromSource(sourceRoot)
    }

    // MARK: - Prebuilt binary

    func deployBinary(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RemoteError(.usage, "--binary \(path): cannot read that file")
        }
        if let arch = BinaryArchitecture.of(file: path), !BinaryArchitecture.compatible(binary: arch, board: facts.architecture) {
            throw RemoteError(.usage, "--binary \(path) is built for \(arch), but the board \(board) is \(facts.architecture): cross-compile for the board (Scripts/cross-build-arm64.sh for an arm64 Debian board) or let sandglass build it there (omit --binary)")
        }
        let key = RecordHash.hex(data) + "-\(data.count)"
        let dir = root + "/binaries/" + key
        let binary = dir + "/sandglass"
        let q = ShellQuoting.quote
        let present = try connection.run("test -x \(q(binary))", timeout: 60, what: "checking for a deployed binary")
        if present.status == 0 {
            log("binary \(key) already on the board")
            _ = try? connection.run("touch \(q(binary))", timeout: 60, what: "touch")
            return binary
        }
        status("uploading the binary (\(data.count / 1_048_576) MB)")
        // The commit of the binary, when it was built in a checkout, for the results' header.
        let (commit, _) = BuildInfo.sandglassCommit(executable: path)
        let commitLine = commit.map { "printf '%s\\n' \(q($0)) > \(q(dir + "/.sandglass-commit"))" } ?? ":"
        let script = """
        set -e
        mkdir -p \(q(dir))
        tmp=\(q(binary)).upload-$$
        cat > "$tmp"
        chmod 755 "$tmp"
        \(commitLine)
        mv "$tmp" \(q(binary))
        """
        try connection.check(script, stdin: .data(data), timeout: max(300, Double(data.count) / 100_000), what: "uploading the binary")
        evictOld(in: root + "/binaries", marker: "sandglass", keeping: key)
        return binary
    }

    // MARK: - Source build

    func buildFromSource(_ sourceRoot: String) throws -> String {
        let (commit, dirty) = try SourceBundle.headCommit(of: sourceRoot)
        if dirty { log("warning: \(sourceRoot) has uncommitted changes; the board builds the committed HEAD \(commit.prefix(12))") }
        let q = ShellQuoting.quote
        let dir = root + "/builds/" + commit
        let binary = dir + "/.build/release/sandglass"
        let job = RemoteJob(directory: dir, name: "build")

        var state = try connection.check("""
            if [ -f \(q(dir + "/" + Deployment.buildMarker)) ] && [ -x \(q(binary)) ]; then touch \(q(dir + "/" + Deployment.buildMarker)); echo cached; exit 0; fi
            \(job.statusScript())
            """, timeout: 60, what: "checking the build cache")
        if state.hasPrefix("cached") {
            log("build of \(commit.prefix(12)) is cached on the board")
            return binary
        }
        var jobStatus = JobStatus(parsing: state)
        if jobStatus.state != .running {
            try upload(sourceRoot: sourceRoot, commit: commit)
            status("building on the board (swift build -c release; first builds take minutes, ~20x more under emulation)")
            let home = root + "/home", tmp = root + "/tmp"
            let env = ["env", "HOME=\(home)", "XDG_CACHE_HOME=\(home)/.cache", "TMPDIR=\(tmp)"]
            let build = env + ["/bin/sh", "-c", "mkdir -p \"$HOME\" \"$TMPDIR\" && \"$0\" build -c release --product sandglass && test -x .build/release/sandglass && touch \(Deployment.buildMarker)", request.swift]
            try connection.check(job.startScript(build), timeout: 120, what: "starting the build")
            log("build of \(commit.prefix(12)) started on the board (log: \(dir)/build.log)")
        } else {
            log("a build of \(commit.prefix(12)) is already running on the board; waiting for it")
        }

        // Poll until the build ends; reconnect if the link drops meanwhile (the build goes on).
        let started = Date()
        var backoff = Backoff()
        while true {
            if Interruption.requested {
                throw RemoteError(.interrupted, "interrupted while the board was building; the build goes on there (log: \(dir)/build.log) and the next sweep of this commit uses it")
            }
            if Date().timeIntervalSince(started) > request.buildTimeout {
                throw RemoteError(.timeout, "the build on \(board) did not finish within \(Int(request.buildTimeout / 60)) minutes (log: \(dir)/build.log on the board)")
            }
            do {
                state = try connection.check(job.statusScript(logLines: 20), timeout: 120, what: "checking the build")
                backoff.reset()
            } catch let e as RemoteError where e.isTransient {
                let wait = backoff.next()
                log("lost the connection during the build (\(e.message)); the build goes on; retrying in \(Int(wait)) s")
                if backoff.elapsed > 600 { throw e }
                sleepInterruptibly(wait)
                continue
            }
            jobStatus = JobStatus(parsing: state)
            let elapsed = Int(Date().timeIntervalSince(started))
            switch jobStatus.state {
            case .running:
                // SwiftPM's progress lines ("[12/80] Compiling …"), not the compiler's warnings.
                let last = (jobStatus.logTail.last { $0.hasPrefix("[") } ?? "").prefix(70)
                status("building on the board \(elapsed / 60)m\(String(format: "%02d", elapsed % 60))s: \(last)")
                sleepInterruptibly(5)
                continue
            case .exited where jobStatus.exitStatus == 0:
                log("build of \(commit.prefix(12)) finished on the board in \(elapsed / 60)m\(String(format: "%02d", elapsed % 60))s")
                evictOldBuilds(keeping: commit)
                return binary
            case .exited, .dead, .absent:
                throw try buildFailure(dir: dir, status: jobStatus)
            }
        }
    }

    /// Sends the bundle and unpacks it into builds/<commit> (replacing an unfinished tree).
    func upload(sourceRoot: String, commit: String) throws {
        status("staging sources and dependencies")
        let bundle = try SourceBundle.stage(sourceRoot: sourceRoot)
        defer { bundle.remove() }
        guard bundle.commit == commit else {
            throw RemoteError(.localFailed, "HEAD of \(sourceRoot) moved from \(commit.prefix(12)) to \(bundle.commit.prefix(12)) during the deployment: run the sweep again")
        }
        let archive = try bundle.archive()
        let size = (try? FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int) ?? 0
        status("uploading sources (\(size / 1024) KB, with \(bundle.vendored.joined(separator: ", ")))")
        let fd = open(archive, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw RemoteError(.localFailed, "cannot read \(archive)") }
        defer { close(fd) }
        let q = ShellQuoting.quote
        let builds = root + "/builds"
        let script = """
        set -e
        mkdir -p \(q(builds))
        cd \(q(builds))
        tmp=.upload-$$
        rm -rf "$tmp"
        mkdir "$tmp"
        tar -xzf - -C "$tmp"
        rm -rf \(q(commit))
        mv "$tmp" \(q(commit))
        """
        try connection.check(script, stdin: .fileDescriptor(fd), timeout: max(600, Double(size) / 50_000), what: "uploading the sources")
    }

    func buildFailure(dir: String, status: JobStatus) throws -> RemoteError {
        let tail = (try? connection.check("tail -n 60 \(ShellQuoting.quote(dir + "/build.log")) 2>/dev/null || true", timeout: 60, what: "reading the build log")) ?? ""
        let logHint = "see \(dir)/build.log on the board"
        if tail.contains("No space left on device") {
            return RemoteError(.diskFull, "the build on \(board) ran out of disk space (\(logHint)): free space there or use --remote-dir on a larger file system")
        }
        for prerequisite in BuildPrerequisite.all {
            if case .header(let h) = prerequisite.check, tail.contains("'\(h)' file not found") {
                return RemoteError(.boardSetup, "the build on \(board) is missing \(prerequisite.name): install it there with: sudo apt install \(prerequisite.debianPackage)")
            }
        }
        if status.state == .dead {
            return RemoteError(.buildFailed, "the build on \(board) stopped without finishing (\(status.rebooted ? "the board rebooted" : "killed")); run the sweep again to rebuild (\(logHint))")
        }
        let lines = tail.split(separator: "\n").map(String.init)
        let firstError = lines.first { $0.contains("error:") } ?? lines.last ?? "no output"
        return RemoteError(.buildFailed, "swift build failed on \(board) (exit \(status.exitStatus.map(String.init) ?? "?")): \(firstError.trimmingCharacters(in: .whitespaces)) (\(logHint))")
    }

    /// Keeps the most recently used builds (and the one just made); older ones go.
    func evictOldBuilds(keeping commit: String) {
        evictOld(in: root + "/builds", marker: Deployment.buildMarker, keeping: commit)
    }

    /// Removes all but the `keptBuilds` entries of `directory` whose `marker` file was touched
    /// last (deployments touch it on every use); only names sandglass made (hex, '-') qualify.
    func evictOld(in directory: String, marker: String, keeping current: String) {
        let q = ShellQuoting.quote
        let script = """
        cd \(q(directory)) || exit 0
        ls -1t */\(marker) 2>/dev/null | tail -n +\(Deployment.keptBuilds + 1) | while read -r m; do
          d=${m%/\(marker)}
          case "$d" in *[!0-9a-f-]*|'') continue ;; esac
          [ "$d" = \(q(current)) ] || rm -rf "./$d"
        done
        """
        _ = try? connection.run(script, timeout: 120, what: "removing old deployments")
    }
}

/// In-process locks per board (boot id + directory), so parallel boards that are one machine
/// never upload or build into the same directory at once.
final class DeploymentLocks: @unchecked Sendable {
    static let shared = DeploymentLocks()
    private let lock = NSLock()
    private var locks: [String: NSLock] = [:]

    func withLock<T>(_ key: String, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        let l = locks[key] ?? NSLock()
        locks[key] = l
        lock.unlock()
        l.lock()
        defer { l.unlock() }
        return try body()
    }
}
