// Resident memory of this process from /proc/self/status (Linux): current and peak RSS, and the
// anonymous part of it (heap and mappings: where a model's weights and arena live, apart from
// the file-backed pages of code and libraries that running more kernels pages in).
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

public struct ProcessMemory: Codable, Sendable {
    /// VmRSS in bytes, nil where unreadable.
    public var residentBytes: Int?
    /// VmHWM (peak resident set) in bytes, nil where unreadable.
    public var peakResidentBytes: Int?
    /// RssAnon (resident anonymous memory) in bytes, nil where unreadable (Linux before 4.5).
    public var anonymousResidentBytes: Int?

    /// Returns freed heap memory to the kernel (glibc malloc_trim), so that resident memory
    /// measured afterwards reflects what is still in use.
    public static func trim() {
        sg_malloc_trim()
    }

    public static func current() -> ProcessMemory {
        guard let text = readTextFile("/proc/self/status") else { return ProcessMemory() }
        func field(_ name: String) -> Int? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
                let digits = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                return digits.flatMap { Int($0) }.map { $0 * 1024 }
            }
            return nil
        }
        return ProcessMemory(residentBytes: field("VmRSS"), peakResidentBytes: field("VmHWM"),
                             anonymousResidentBytes: field("RssAnon"))
    }
}

/// Reads a whole (small) text file without Foundation; nil if it cannot be opened.
public func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
