// Which sandglass binary is running, for the caches whose contents depend on its kernels: the
// self-test outcome and the tuning choices. A rebuild with changed kernels must not reuse what
// the old ones measured, so the identity is the executable's path, size and modification time
// (any rebuild changes it; nothing is read from git, which a deployed binary has not).
import Foundation

public enum BinaryIdentity {
    /// A hash of this executable's path, size and modification time; nil when /proc/self/exe
    /// cannot be read (then nothing is cached by build).
    public static let current: String? = {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: exe),
              let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date else { return nil }
        return hash("\(exe)|\(size)|\(modified.timeIntervalSince1970)")
    }()

    /// FNV-1a, 64 bits, in hexadecimal: stable across runs (Swift's Hasher is seeded per process).
    public static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}
