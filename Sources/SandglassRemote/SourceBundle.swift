// What a source deployment ships, staged in a local temporary directory and sent as one tar
// stream: the package at the current commit (`git archive HEAD`: the manifest, Sources and
// Tests, which SwiftPM needs to load the manifest's targets), the sources of every dependency
// at the revision pinned in Package.resolved (taken from .build/checkouts, so no network is
// needed on either side), manifests rewritten to use those copies, and `.sandglass-commit`,
// which BuildInfo reads on the board to record the commit.
import Foundation

public struct SourceBundle {
    public let sourceRoot: String
    public let commit: String
    /// Uncommitted changes that the deployment leaves out.
    public let dirty: Bool
    public let directory: String
    public let vendored: [String]

    /// Paths of the package the board build needs.
    static let packagePaths = ["Package.swift", "Sources", "Tests"]
    static let vendorDirectory = "Vendor"

    /// Finds the source checkout: the one the running binary was built in (…/.build/<config>/sandglass),
    /// else the git work tree around the current directory.
    public static func locateSourceRoot(executable: String) -> String? {
        var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: dir.appendingPathComponent(".git").path) {
                return dir.path
            }
            dir = dir.deletingLastPathComponent()
        }
        if let out = try? ChildProcess.run(["git", "rev-parse", "--show-toplevel"], timeout: 30), out.status == 0 {
            let top = out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            if FileManager.default.fileExists(atPath: top + "/Package.swift") { return top }
        }
        return nil
    }

    /// The commit a source deployment of `root` would carry.
    public static func headCommit(of root: String) throws -> (commit: String, dirty: Bool) {
        let head = try git(["-C", root, "rev-parse", "HEAD"], what: "reading the current commit of \(root)")
        let status = (try? git(["-C", root, "status", "--porcelain", "--untracked-files=no"], what: "git status")) ?? ""
        return (head.trimmingCharacters(in: .whitespacesAndNewlines), !status.isEmpty)
    }

    /// Stages the bundle in a new temporary directory.
    public static func stage(sourceRoot root: String) throws -> SourceBundle {
        let (commit, dirty) = try headCommit(of: root)
        let staging = NSTemporaryDirectory() + "sandglass-deploy-\(getpid())-\(commit.prefix(12))"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        do {
            try extract(repository: root, paths: packagePaths, into: staging)
            let pins = try resolvedPins(root: root)
            var names: [String] = []
            for pin in pins {
                let name = OfflineManifest.vendorName(forURL: pin.location)
                let checkout = root + "/.build/checkouts/" + name
                guard FileManager.default.fileExists(atPath: checkout + "/Package.swift") else {
                    throw RemoteError(.localFailed, "the dependency \(pin.location) is not checked out in \(root)/.build/checkouts: run 'swift package resolve' (or build once) in \(root) first; the board gets its sources from there")
                }
                if let revision = pin.revision {
                    let head = (try? git(["-C", checkout, "rev-parse", "HEAD"], what: "git rev-parse"))?.trimmingCharacters(in: .whitespacesAndNewlines)
                    if let head, head != revision {
                        throw RemoteError(.localFailed, "\(checkout) is at \(head.prefix(12)), but Package.resolved pins \(revision.prefix(12)): run 'swift package resolve' in \(root) first")
                    }
                }
                let target = "\(staging)/\(vendorDirectory)/\(name)"
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                try extract(repository: checkout, paths: [], into: target)
                names.append(name)
            }
            let available = Set(names)
            try rewriteManifest("\(staging)/Package.swift", prefix: "\(vendorDirectory)/", available: available)
            for name in names {
                let dir = "\(staging)/\(vendorDirectory)/\(name)"
                for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                where file.hasPrefix("Package") && file.hasSuffix(".swift") {
                    try rewriteManifest("\(dir)/\(file)", prefix: "../", available: available)
                }
            }
            try (commit + "\n").write(toFile: staging + "/.sandglass-commit", atomically: true, encoding: .utf8)
            return SourceBundle(sourceRoot: root, commit: commit, dirty: dirty, directory: staging, vendored: names)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Writes the bundle as a gzip'ed tar file and returns its path.
    public func archive() throws -> String {
        let path = directory + ".tar.gz"
        let out = try ChildProcess.run(["tar", "-C", directory, "-czf", path, "."], timeout: 300)
        guard out.status == 0 else {
            throw RemoteError(.localFailed, "tar of the deployment failed: \(SSHFailureClassifier.lastMeaningfulLine(out.stderrText))")
        }
        return path
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: directory + ".tar.gz")
    }

    struct Pin { var location: String; var revision: String? }

    /// The pins of Package.resolved (versions 1 to 3).
    static func resolvedPins(root: String) throws -> [Pin] {
        let path = root + "/Package.resolved"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RemoteError(.localFailed, "\(path) does not exist: run 'swift package resolve' (or build once) in \(root) first, so that the dependencies' exact revisions can be shipped to the board")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RemoteError(.localFailed, "\(path) is not valid JSON")
        }
        let pins = (json["pins"] as? [[String: Any]]) ?? ((json["object"] as? [String: Any])?["pins"] as? [[String: Any]]) ?? []
        return pins.compactMap { pin in
            guard let location = (pin["location"] ?? pin["repositoryURL"]) as? String else { return nil }
            let state = pin["state"] as? [String: Any]
            return Pin(location: location, revision: state?["revision"] as? String)
        }
    }

    static func rewriteManifest(_ path: String, prefix: String, available: Set<String>) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rewritten = try OfflineManifest.rewrite(text, pathPrefix: prefix, available: available)
        if rewritten != text { try rewritten.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    @discardableResult
    static func git(_ args: [String], what: String) throws -> String {
        let out = try ChildProcess.run(["git"] + args, timeout: 120)
        guard out.status == 0 else {
            throw RemoteError(.localFailed, "\(what) failed: \(SSHFailureClassifier.lastMeaningfulLine(out.stderrText))")
        }
        return out.stdoutText
    }

    /// `git archive HEAD [paths]` of a repository, extracted into `directory`.
    static func extract(repository: String, paths: [String], into directory: String) throws {
        let tarPath = directory + "/.sandglass-archive.tar"
        defer { try? FileManager.default.removeItem(atPath: tarPath) }
        try git(["-C", repository, "archive", "--format=tar", "-o", tarPath, "HEAD"] + paths, what: "git archive of \(repository)")
        let out = try ChildProcess.run(["tar", "-xf", tarPath, "-C", directory], timeout: 300)
        guard out.status == 0 else {
            throw RemoteError(.localFailed, "extracting the git archive of \(repository) failed: \(SSHFailureClassifier.lastMeaningfulLine(out.stderrText))")
        }
    }
}
