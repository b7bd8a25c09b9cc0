// Per-machine tuning, the remembering half: the choices KernelTuner measured, one JSON file per
// CPU model under ~/.cache/sandglass/tuning/ ($XDG_CACHE_HOME, or $SANDGLASS_TUNING_DIR, take
// precedence), so that the next run on the same kind of CPU reuses them and a board keeps its own.
import Foundation
import SandglassEngine

public struct TuningCacheFile: Codable, Sendable, Equatable {
    public var format = 1
    /// The CPU the entries were measured on (TuningCache.cpuIdentity).
    public var cpu: String
    /// By tuning key ("avx512 f32_gemm m=3136 k=96 n=24", …).
    public var entries: [String: TuningEntry]

    public init(cpu: String, entries: [String: TuningEntry] = [:]) {
        self.cpu = cpu; self.entries = entries
    }
}

public struct TuningCache {
    public let directory: URL
    public let cpu: String

    public init(directory: URL = TuningCache.defaultDirectory(), cpu: String = TuningCache.cpuIdentity()) {
        self.directory = directory; self.cpu = cpu
    }

    public var fileURL: URL { directory.appendingPathComponent(Self.fileName(cpu: cpu)) }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let dir = environment["SANDGLASS_TUNING_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache")
        return base.appendingPathComponent("sandglass/tuning")
    }

    /// The CPU model as precisely as /proc/cpuinfo names it: a KVM guest may show only "AMD EPYC"
    /// for several generations, so x86 adds family, model and stepping, and Arm its core parts.
    public static func cpuIdentity(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String {
        guard let text = cpuinfo else { return Environment.cpuModel() }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, fields[kv[0]] == nil { fields[kv[0]] = kv[1] }
        }
        let name = Environment.cpuModel(cpuinfo: text) ?? "unknown CPU"
        if let family = fields["cpu family"], let model = fields["model"] {
            return "\(name) (family \(family), model \(model), stepping \(fields["stepping"] ?? "?"))"
        }
        if let implementer = fields["CPU implementer"] { return "\(name) (implementer \(implementer))" }
        return name
    }

    /// A file name from the CPU identity: letters, digits and dashes.
    public static func fileName(cpu: String) -> String {
        var slug = ""
        for ch in cpu.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { slug.append(ch) } else if !slug.hasSuffix("-") { slug.append("-") }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return (slug.isEmpty ? "unknown-cpu" : slug) + ".json"
    }

    /// The entries on file; empty when there is no file. A file that cannot be read is reported
    /// in `problem` (and will be rewritten), never fatal: tuning only ever costs time.
    public func load() -> (file: TuningCacheFile, problem: String?) {
        let empty = TuningCacheFile(cpu: cpu)
        guard FileManager.default.fileExists(atPath: fileURL.path) else { return (empty, nil) }
        do {
            let file = try JSONDecoder().decode(TuningCacheFile.self, from: Data(contentsOf: fileURL))
            guard file.format == 1 else {
                return (empty, "tuning cache \(fileURL.path) has format \(file.format), this build writes 1: measuring again")
            }
            return (file, nil)
        } catch {
            return (empty, "tuning cache \(fileURL.path) could not be read (\(error)): measuring again and rewriting it")
        }
    }

    /// Merges `entries` into the file (re-read first, so that other processes' entries stay) and
    /// replaces it atomically.
    public func save(_ entries: [String: TuningEntry]) throws {
        var file = load().file
        file.cpu = cpu
        for (key, entry) in entries { file.entries[key] = entry }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(file).write(to: fileURL, options: .atomic)
    }
}
