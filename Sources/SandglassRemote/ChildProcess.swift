// Runs a local program (ssh, tar, git) with posix_spawn: its own process group, so that the
// terminal's Ctrl-C reaches only sandglass (which then stops the board cleanly and drains what
// completed) and a timeout can end the child with everything it started; pipes with
// close-on-exec, so parallel boards never inherit each other's pipes; output read with poll()
// so that a deadline always holds.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public final class ChildProcess {
    public enum Input {
        case null
        case data(Data)
        case fileDescriptor(Int32)
    }

    public struct Output {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
        public var timedOut: Bool
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    public let pid: pid_t
    public let arguments: [String]
    private(set) var stdoutFD: Int32 = -1
    private(set) var stderrFD: Int32 = -1
    private var status: Int32?
    static let spawnLock = NSLock()

    /// Starts `arguments[0]` (searched on PATH) with the given stdin; stdout and stderr are pipes
    /// unless redirected to a descriptor.
    public init(_ arguments: [String], stdin: Input = .null, stdout: Int32? = nil, stderr: Int32? = nil,
                environment: [String: String]? = nil) throws {
        self.arguments = arguments
        // Pipes are made close-on-exec right after creation; the lock keeps another thread from
        // spawning a child in between (which would inherit them and hold them open).
        ChildProcess.spawnLock.lock()
        defer { ChildProcess.spawnLock.unlock() }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        var toClose: [Int32] = []
        defer { toClose.forEach { close($0) } }
        func makePipe() throws -> (Int32, Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else {
                throw RemoteError(.localFailed, "cannot create a pipe: \(String(cString: strerror(errno)))")
            }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return (fds[0], fds[1])
        }

        switch stdin {
        case .null:
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .fileDescriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, 0)
        case .data(let data):
            let fd = try ChildProcess.unlinkedTemporaryFile(holding: data)
            toClose.append(fd)
            posix_spawn_file_actions_adddup2(&actions, fd, 0)
        }
        var outRead: Int32 = -1
        if let fd = stdout {
            posix_spawn_file_actions_adddup2(&actions, fd, 1)
        } else {
            let (r, w) = try makePipe()
            outRead = r
            toClose.append(w)
            posix_spawn_file_actions_adddup2(&actions, w, 1)
        }
        var errRead: Int32 = -1
        if let fd = stderr {
            posix_spawn_file_actions_adddup2(&actions, fd, 2)
        } else {
            let (r, w) = try makePipe()
            errRead = r
            toClose.append(w)
            posix_spawn_file_actions_adddup2(&actions, w, 2)
        }

        // Own process group; default handlers and an empty mask for the signals we handle or ignore.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, s) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var envp: [UnsafeMutablePointer<CChar>?]
        if let environment {
            envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        } else {
            envp = []
            var p = environ
            while let entry = p.pointee { envp.append(strdup(entry)); p += 1 }
            envp.append(nil)
        }
        defer { envp.forEach { free($0) } }

        var child: pid_t = 0
        let rc = posix_spawnp(&child, arguments[0], &actions, &attributes, &argv, &envp)
        guard rc == 0 else {
            if outRead >= 0 { close(outRead) }
            if errRead >= 0 { close(errRead) }
            throw RemoteError(.localFailed, "cannot run \(arguments[0]): \(String(cString: strerror(rc)))\(rc == ENOENT ? " (is it installed and on PATH?)" : "")")
        }
        pid = child
        stdoutFD = outRead
        stderrFD = errRead
    }

    deinit {
        if stdoutFD >= 0 { close(stdoutFD) }
        if stderrFD >= 0 { close(stderrFD) }
        if status == nil {
            // Never leave a zombie or a stray child behind.
            kill(-pid, SIGKILL)
            var s: Int32 = 0
            waitpid(pid, &s, 0)
        }
    }

    /// The exit status (or 128 + signal) once the child has ended, without blocking.
    public var exitStatus: Int32? {
        if let status { return status }
        var s: Int32 = 0
        let r = waitpid(pid, &s, WNOHANG)
        if r == pid { status = ChildProcess.decode(s) }
        return status
    }

    /// Waits for the child to end.
    @discardableResult
    public func wait() -> Int32 {
        if let status { return status }
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        status = ChildProcess.decode(s)
        return status!
    }

    /// Signals the child's whole process group.
    public func signal(_ sig: Int32) {
        if status == nil { kill(-pid, sig) }
    }

    /// Ends the child: SIGTERM, then SIGKILL after a grace period.
    public func terminate(grace: TimeInterval = 2) {
        guard exitStatus == nil else { return }
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while exitStatus == nil && Date() < deadline { usleep(20_000) }
        if exitStatus == nil { signal(SIGKILL); wait() }
    }

    public enum Chunk {
        case stdout(Data)
        case stderr(Data)
    }

    /// Waits up to `timeout` seconds for output; returns what arrived (empty on timeout) and
    /// closes a pipe at its end of file.
    public func read(timeout: TimeInterval) -> [Chunk] {
        var fds: [pollfd] = []
        if stdoutFD >= 0 { fds.append(pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)) }
        if stderrFD >= 0 { fds.append(pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)) }
        guard !fds.isEmpty else {
            if timeout > 0 { usleep(UInt32(min(timeout, 1) * 1_000_000)) }
            return []
        }
        let n = poll(&fds, nfds_t(fds.count), Int32(max(0, timeout * 1000)))
        guard n > 0 else { return [] }
        var chunks: [Chunk] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for p in fds where p.revents != 0 {
            let count = Glibc.read(p.fd, &buffer, buffer.count)
            if count > 0 {
                let data = Data(buffer[0..<count])
                chunks.append(p.fd == stdoutFD ? .stdout(data) : .stderr(data))
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                close(p.fd)
                if p.fd == stdoutFD { stdoutFD = -1 } else { stderrFD = -1 }
            }
        }
        return chunks
    }

    /// True while a pipe is still open.
    public var hasOpenPipes: Bool { stdoutFD >= 0 || stderrFD >= 0 }

    /// Collects all output until the child ends, or kills it at the deadline.
    public func collect(timeout: TimeInterval?) -> Output {
        var out = Data(), err = Data()
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var timedOut = false
        while hasOpenPipes || exitStatus == nil {
            if let deadline, Date() >= deadline { timedOut = true; break }
            let wait = deadline.map { min(0.25, max(0.01, $0.timeIntervalSinceNow)) } ?? 0.25
            for chunk in read(timeout: wait) {
                switch chunk {
                case .stdout(let d): out.append(d)
                case .stderr(let d): err.append(d)
                }
            }
            if !hasOpenPipes && exitStatus == nil { usleep(5000) }
        }
        if timedOut { terminate() }
        return Output(status: wait(), stdout: out, stderr: err, timedOut: timedOut)
    }

    /// Runs to completion (or the deadline) and returns its output.
    public static func run(_ arguments: [String], stdin: Input = .null, timeout: TimeInterval? = nil,
                    environment: [String: String]? = nil) throws -> Output {
        try ChildProcess(arguments, stdin: stdin, environment: environment).collect(timeout: timeout)
    }

    static func decode(_ s: Int32) -> Int32 {
        let signal = s & 0x7f
        return signal == 0 ? (s >> 8) & 0xff : 128 + signal
    }

    /// A temporary file with `data` in it, already unlinked, positioned at its start.
    static func unlinkedTemporaryFile(holding data: Data) throws -> Int32 {
        var template = Array((NSTemporaryDirectory() + "/sandglass-stdin-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw RemoteError(.localFailed, "cannot create a temporary file: \(String(cString: strerror(errno)))") }
        unlink(String(cString: template))
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    close(fd)
                    throw RemoteError(.localFailed, "cannot write a temporary file: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
        lseek(fd, 0, SEEK_SET)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }
}
