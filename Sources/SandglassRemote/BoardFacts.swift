// The health check run on every board before anything is deployed: who and what the board is
// (architecture, OS, boot id), where Sandglass's own directory is, free space there, the Swift
// toolchain and the headers and tools a build needs. Checked up front so that a board that
// cannot build says exactly what to install, instead of failing 20 minutes into a build.
import Foundation

/// Something the board build needs, with the Debian package that provides it.
public struct BuildPrerequisite: Sendable {
    public enum Check: Sendable {
        case header(String)   // found under /usr/include or /usr/local/include (multiarch too)
        case command(String)  // on PATH
    }
    public var name: String
    public var check: Check
    public var debianPackage: String

    /// What building Sandglass on a board needs besides Swift. libpfm4 and hwloc are there for
    /// the hardware counters (and the topology) that the harness reads where the board has them.
    public static let all: [BuildPrerequisite] = [
        BuildPrerequisite(name: "C library headers (stdio.h)", check: .header("stdio.h"), debianPackage: "libc6-dev"),
        BuildPrerequisite(name: "libpfm4 headers (perfmon/pfmlib.h)", check: .header("perfmon/pfmlib.h"), debianPackage: "libpfm4-dev"),
        BuildPrerequisite(name: "hwloc headers (hwloc.h)", check: .header("hwloc.h"), debianPackage: "libhwloc-dev"),
        BuildPrerequisite(name: "pkg-config", check: .command("pkg-config"), debianPackage: "pkg-config"),
    ]

    var key: String {
        switch check {
        case .header(let h): return "header:" + h
        case .command(let c): return "command:" + c
        }
    }
}

public struct BoardFacts: Sendable {
    public var root: String = ""
    public var architecture: String = ""
    public var kernel: String = ""
    public var hostname: String = ""
    public var os: String = ""
    public var bootID: String = ""
    public var freeKilobytes: Int?
    public var swiftPath: String?
    public var swiftVersionLine: String?
    public var missingTools: [String] = []
    /// Prerequisite keys found missing.
    public var missing: Set<String> = []
    public var rootError: String?

    /// Free space needed in the remote directory: a release build with its dependencies
    /// (~100 MB here, more with debug info) or just a binary and results.
    public static let kilobytesForBuild = 600 * 1024
    public static let kilobytesForBinary = 64 * 1024

    /// The health-check script: `key=value` lines.
    public static func script(root: RemotePath, swift: String?, prerequisites: [BuildPrerequisite]) -> String {
        var lines = [
            "root=\(root.shell)",
            #"if ! mkdir -p "$root" 2>/dev/null || ! cd "$root" 2>/dev/null; then echo "root_error=cannot create or enter $root"; exit 0; fi"#,
            #"echo "root=$(pwd -P)""#,
            #"echo "arch=$(uname -m)""#,
            #"echo "kernel=$(uname -r)""#,
            #"echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null)""#,
            #"[ -r /etc/os-release ] && (. /etc/os-release && echo "os=${PRETTY_NAME:-$ID}")"#,
            #"echo "boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)""#,
            #"echo "free_kb=$(df -Pk . 2>/dev/null | awk 'NR==2 {print $4}')""#,
            #"for t in tar setsid nohup df awk; do command -v "$t" >/dev/null 2>&1 || echo "missing_tool=$t"; done"#,
        ]
        if let swift {
            lines += [
                "swift=\(ShellQuoting.quote(swift))",
                #"if p=$(command -v "$swift" 2>/dev/null); then echo "swift_path=$p"; echo "swift_version=$("$swift" --version 2>&1 | grep -i -m1 'swift version')"; else echo "swift_path="; fi"#,
            ]
            for p in prerequisites {
                switch p.check {
                case .header(let h):
                    let q = ShellQuoting.quote(h)
                    lines.append("found=; for d in /usr/include /usr/local/include /usr/include/*-linux-gnu*; do [ -e \"$d\"/\(q) ] && found=1; done; [ -n \"$found\" ] || echo \(ShellQuoting.quote("missing=" + p.key))")
                case .command(let c):
                    lines.append("command -v \(ShellQuoting.quote(c)) >/dev/null 2>&1 || echo \(ShellQuoting.quote("missing=" + p.key))")
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    public init() {}

    public init(parsing text: String) {
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            switch key {
            case "root": root = value
            case "root_error": rootError = value
            case "arch": architecture = value
            case "kernel": kernel = value
            case "hostname": hostname = value
            case "os": os = value
            case "boot": bootID = value
            case "free_kb": freeKilobytes = Int(value)
            case "swift_path": swiftPath = value.isEmpty ? nil : value
            case "swift_version": swiftVersionLine = value
            case "missing_tool": missingTools.append(value)
            case "missing": missing.insert(value)
            default: break
            }
        }
    }

    /// (major, minor) from "Swift version 6.0.3 (swift-6.0.3-RELEASE)".
    public var swiftVersion: (Int, Int)? {
        guard let line = swiftVersionLine, let range = line.range(of: "version ", options: .caseInsensitive) else { return nil }
        let numbers = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        return (numbers[0], numbers[1])
    }

    /// Problems that stop a deployment, as one error (the first that applies).
    public func problems(board: String, building: Bool, swiftName: String, prerequisites: [BuildPrerequisite]) -> RemoteError? {
        if let rootError {
            return RemoteError(.boardSetup, "on \(board): \(rootError); choose another directory with --remote-dir")
        }
        if !missingTools.isEmpty {
            return RemoteError(.boardSetup, "the board \(board) lacks \(missingTools.joined(separator: ", ")), which sandglass needs there (Debian: sudo apt install coreutils util-linux tar gawk)")
        }
        if let free = freeKilobytes {
            let need = building ? BoardFacts.kilobytesForBuild : BoardFacts.kilobytesForBinary
            if free < need {
                return RemoteError(.diskFull, "the board \(board) has only \(free / 1024) MB free in \(root) and \(building ? "a build" : "a sweep") needs about \(need / 1024) MB: free space there or point --remote-dir at a larger file system")
            }
        }
        guard building else { return nil }
        guard let path = swiftPath else {
            return RemoteError(.boardSetup, "no '\(swiftName)' on the board \(board) (non-interactive ssh sessions do not read ~/.profile): install Swift 6.0 or newer there (Debian trixie: sudo apt install swiftlang), give its path with --remote-swift PATH, or cross-compile and deploy with --binary PATH")
        }
        guard let (major, minor) = swiftVersion else {
            return RemoteError(.boardSetup, "'\(path) --version' on the board \(board) printed no Swift version (\(swiftVersionLine ?? "nothing")): check that toolchain, or give another with --remote-swift PATH")
        }
        if major < 6 {
            return RemoteError(.boardSetup, "Swift on the board \(board) is \(major).\(minor) (\(path)); Sandglass needs Swift 6.0 or newer: on Debian trixie sudo apt install swiftlang (6.0.3), or a toolchain from swift.org, or deploy a cross-compiled binary with --binary PATH")
        }
        let lacking = prerequisites.filter { missing.contains($0.key) }
        if !lacking.isEmpty {
            let packages = lacking.map(\.debianPackage)
            return RemoteError(.boardSetup, "the board \(board) lacks what the Sandglass build needs: \(lacking.map(\.name).joined(separator: ", ")); install it there with: sudo apt install \(packages.joined(separator: " "))")
        }
        return nil
    }
}
