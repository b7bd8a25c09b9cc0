// What binary is measuring: the Swift compiler it was built with, its build configuration and
// kernel flags, and the Sandglass commit (from git next to the binary, or from the
// .sandglass-commit file a board deployment writes, or SANDGLASS_COMMIT).
import Foundation
import SandglassProbes

public struct BuildInfo: Codable, Sendable {
    public var swiftVersion: String
    public var configuration: String
    public var kernelFlags: [String]
    public var commit: String?
    public var commitDirty: Bool?

    public static func current(executable: String = CommandLine.arguments.first ?? "") -> BuildInfo {
        #if compiler(>=6.3)
        let swift = "6.3 or newer"
        #elseif compiler(>=6.2)
        let swift = "6.2"
        #elseif compiler(>=6.1)
        let swift = "6.1"
        #elseif compiler(>=6.0)
        let swift = "6.0"
        #else
        let swift = "older than 6.0"
        #endif
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        #if arch(x86_64)
        let flags = ["SandglassKernelsAVX512: -Xcc -march=x86-64-v4", "SandglassKernelsAVX2: -Xcc -march=x86-64-v3",
                     "SandglassKernelsAVX512VNNI: + -mavx512vnni", "SandglassKernelsAVX2VNNI: + -mavxvnni"]
        #else
        let flags = ["SandglassKernelsNEON: base AArch64 (NEON, FMA)", "SandglassKernelsNEONDot: -Xcc -march=armv8.2-a+dotprod"]
        #endif
        let (commit, dirty) = sandglassCommit(executable: executable)
        return BuildInfo(swiftVersion: swift, configuration: configuration, kernelFlags: flags, commit: commit, commitDirty: dirty)
    }

    public static func sandglassCommit(executable: String) -> (String?, Bool?) {
        if let env = ProcessInfo.processInfo.environment["SANDGLASS_COMMIT"], !env.isEmpty { return (env, nil) }
        // The binary lives in <root>/.build/<config>/sandglass (or a symlink to it).
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        var dir = binary.deletingLastPathComponent()
        for _ in 0..<6 {
            let marker = dir.appendingPathComponent(".sandglass-commit")
            if let text = readTextFile(marker.path) {
                return (text.trimmingCharacters(in: .whitespacesAndNewlines), nil)
            }
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                let head = runGit(["rev-parse", "HEAD"], in: dir)
                let status = runGit(["status", "--porcelain", "--untracked-files=no"], in: dir)
                return (head, status.map { !$0.isEmpty })
            }
            dir = dir.deletingLastPathComponent()
        }
        return (nil, nil)
    }

    static func runGit(_ args: [String], in dir: URL) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
