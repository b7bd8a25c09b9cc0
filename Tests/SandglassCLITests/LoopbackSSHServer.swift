import Foundation
import SandglassRemote
import XCTest

/// "The board" for the remote tests: Debian's OpenSSH server on 127.0.0.1 and a free port,
/// started here as a non-daemon (`sshd -D`) with a generated host key, a generated user key in
/// authorized_keys, and a temporary HOME for the sessions (sshd's SetEnv), so that a test can
/// see everything the board side wrote. Also writes an ssh_config with a host alias `board`.
final class LoopbackSSHServer {
    let dir: String
    let port: Int
    let home: String
    var userKey: String { dir + "/user_key" }
    var knownHosts: String { dir + "/known_hosts" }
    var sshConfig: String { dir + "/ssh_config" }
    let alias = "board"
    // Started with posix_spawn rather than Foundation's Process: Foundation waits for its children
    // one at a time, so a long-lived sshd started through it would hide every later child's exit.
    private var sshd: ChildProcess?

    /// Skips the test where there is no sshd, or where it cannot run as a server (not root).
    init(name: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else {
            throw XCTSkip("no /usr/sbin/sshd (apt install openssh-server; Scripts/setup.sh does)")
        }
        guard getuid() == 0 else { throw XCTSkip("the loopback sshd tests run as root (as CI does)") }
        // Short: ssh control sockets live below the sandglass process's TMPDIR, which tests set here.
        dir = "/tmp/sgr\(getpid())\(name.filter(\.isLetter).prefix(8))"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        home = dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        port = try LoopbackSSHServer.freePort()
        for key in ["host_key", "user_key"] { try Self.sh("ssh-keygen -q -t ed25519 -N '' -C sandglass-test -f \(dir)/\(key)") }
        try FileManager.default.copyItem(atPath: dir + "/user_key.pub", toPath: dir + "/authorized_keys")
        let hostKey = try String(contentsOfFile: dir + "/host_key.pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(hostKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try """
        ListenAddress 127.0.0.1:\(port)
        HostKey \(dir)/host_key
        PidFile none
        AuthorizedKeysFile \(dir)/authorized_keys
        StrictModes no
        PermitRootLogin prohibit-password
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        MaxSessions 50
        MaxStartups 50
        SetEnv HOME=\(home)

        """.write(toFile: dir + "/sshd_config", atomically: true, encoding: .utf8)
        try """
        Host \(alias)
          HostName 127.0.0.1
          Port \(port)
          User \(NSUserName())
          IdentityFile \(userKey)
          IdentitiesOnly yes
          UserKnownHostsFile \(knownHosts)
          StrictHostKeyChecking yes

        """.write(toFile: sshConfig, atomically: true, encoding: .utf8)
        // sshd checks for its privilege separation directory even in the foreground.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let logFD = open(dir + "/sshd.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(logFD) }
        // -E: sshd's log goes to the file, so no pipe needs draining.
        let p = try ChildProcess(["/usr/sbin/sshd", "-D", "-E", dir + "/sshd.log", "-f", dir + "/sshd_config"], stdout: logFD, stderr: logFD)
        sshd = p
        let deadline = Date().addingTimeInterval(20)
        while !LoopbackSSHServer.accepts(port) {
            guard p.exitStatus == nil, Date() < deadline else {
                let log = (try? String(contentsOfFile: dir + "/sshd.log", encoding: .utf8)) ?? ""
                throw XCTSkip("sshd did not start: \(log)")
            }
            usleep(50_000)
        }
    }

    func stop() {
        sshd?.terminate()
        sshd = nil
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Arguments that make sandglass reach this board through the alias.
    var aliasArguments: [String] { ["--target", "ssh://\(alias)", "--ssh-config", sshConfig] }

    /// Everything below the board's HOME, relative to it.
    func homeContents() -> [String] {
        (FileManager.default.subpaths(atPath: home) ?? []).sorted()
    }

    /// Processes whose command line contains `text` (e.g. the ssh mux master of a control dir).
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw XCTSkip("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func sh(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("setup command failed: \(command)") }
    }
}

extension URL {
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
