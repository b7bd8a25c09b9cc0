// The sim backend from the outside: runs this same program again under
// `valgrind --tool=callgrind --cache-sim=yes` with the cache geometry from hwloc and
// SWIFT_DETERMINISTIC_HASHING=1 (per-process hash seeds would change instruction counts), lets
// it dump one file per step (CallgrindProbe), and reads the dumps back. The child knows it is
// the measured process from SANDGLASS_SIM_CHILD. Requirements: a build without AVX-512 on the
// executed path (valgrind 3.19 cannot decode it: --isa avx2) and no DWARF 5 debug info (valgrind
// 3.19 gives up on it, and dependencies such as Yams' C part are built with it): the child runs a
// copy of this executable with its debug info stripped (objcopy --strip-debug; the symbol table
// stays), one thread (callgrind serialises threads; the pool's spin-waits would make
// counts differ from run to run).
#if canImport(Glibc)
import Glibc
#endif

public struct CallgrindSession {
    /// Set in the child's environment to the dump directory.
    public static let childVariable = "SANDGLASS_SIM_CHILD"

    /// The dump directory if this process is the measured child, else nil.
    public static var childDirectory: String? {
        getenv(childVariable).map { String(cString: $0) }
    }

    public struct Result {
        public var dumps: CallgrindDumps
        public var geometry: CallgrindCacheGeometry
        public var valgrindVersion: String
        public var wallSeconds: Double
        /// Step names as the child planned them (its `steps` file), to check they match.
        public var stepNames: [String]
    }

    /// Where the child writes the names of its plan's steps.
    public static func stepsFile(in directory: String) -> String { directory + "/steps" }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `valgrind --version`, or nil when valgrind is not installed.
    public static func valgrindVersion() -> String? {
        guard let valgrind = ChildProcess.which("valgrind") else { return nil }
        let dir = temporaryDirectory()
        defer { removeDirectory(dir) }
        guard let status = try? ChildProcess.run(valgrind, arguments: ["valgrind", "--version"],
                                                 environment: ChildProcess.currentEnvironment,
                                                 stdoutPath: dir + "/out", stderrPath: dir + "/err"),
              status == 0 else { return nil }
        return readTextFile(dir + "/out")?.trimmingWhitespace()
    }

    /// Runs `arguments` (without argv[0]) of this executable under callgrind and returns the
    /// per-step dumps.
    public static func run(arguments: [String], geometry: CallgrindCacheGeometry) throws -> Result {
        guard CallgrindProbe.isCompiledIn else {
            throw Failure(description: "this build has no callgrind client requests (valgrind's headers were missing when it was built); install valgrind (apt install valgrind) and rebuild")
        }
        guard let valgrind = ChildProcess.which("valgrind") else {
            throw Failure(description: "the sim backend needs valgrind, which is not on PATH; install it (apt install valgrind)")
        }
        guard let executable = ChildProcess.currentExecutable else {
            throw Failure(description: "cannot find this program's executable (/proc/self/exe) to run it under valgrind")
        }
        let version = valgrindVersion() ?? "valgrind"
        let dir = temporaryDirectory()
        let measured = strippedCopy(of: executable, in: dir) ?? executable
        let argv = ["valgrind", "--tool=callgrind", "--cache-sim=yes"] + geometry.options
            + ["--collect-atstart=no", "--callgrind-out-file=\(dir)/callgrind.out.%p", "--log-file=\(dir)/valgrind.log",
               measured] + arguments
        var environment = ChildProcess.currentEnvironment.filter {
            !$0.hasPrefix("SWIFT_DETERMINISTIC_HASHING=") && !$0.hasPrefix(childVariable + "=")
        }
        environment += ["SWIFT_DETERMINISTIC_HASHING=1", "\(childVariable)=\(dir)"]
        let start = MonotonicClock.nanoseconds()
        let status = try ChildProcess.run(valgrind, arguments: argv, environment: environment,
                                          stdoutPath: dir + "/stdout", stderrPath: dir + "/stderr")
        let seconds = Double(MonotonicClock.nanoseconds() - start) / 1e9
        guard status == 0 else {
            let log = (readTextFile(dir + "/stderr") ?? "") + (readTextFile(dir + "/valgrind.log") ?? "")
            let tail = log.split(separator: "\n").suffix(6).joined(separator: " | ")
            throw Failure(description: "the measured process failed under callgrind (exit \(status)); files kept in \(dir); last lines: \(tail)")
        }
        let dumps = try CallgrindDumps.read(directory: dir)
        let steps = readTextFile(stepsFile(in: dir))?.split(separator: "\n").map(String.init) ?? []
        removeDirectory(dir)
        return Result(dumps: dumps, geometry: geometry, valgrindVersion: version, wallSeconds: seconds, stepNames: steps)
    }

    /// A copy of `executable` without debug sections (nil when no objcopy is installed).
    public static func strippedCopy(of executable: String, in dir: String) -> String? {
        guard let objcopy = ChildProcess.which("objcopy") ?? ChildProcess.which("llvm-objcopy") else { return nil }
        let copy = dir + "/sandglass-nodebug"
        let status = try? ChildProcess.run(objcopy, arguments: [objcopy, "--strip-debug", executable, copy],
                                           environment: ChildProcess.currentEnvironment,
                                           stdoutPath: "/dev/null", stderrPath: "/dev/null")
        return status == 0 ? copy : nil
    }

    static func temporaryDirectory() -> String {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/sandglass-sim-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer -> String in
            guard let p = mkdtemp(buffer.baseAddress!) else { return "\(base)/sandglass-sim-\(getpid())" }
            return String(cString: p)
        }
    }

    static func removeDirectory(_ dir: String) {
        for name in directoryEntries(dir) { unlink(dir + "/" + name) }
        rmdir(dir)
    }
}
