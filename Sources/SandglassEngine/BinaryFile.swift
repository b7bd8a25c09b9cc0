// Whole-file and ranged binary reads and writes with the C library (no Foundation in the
// engine), for .npy tensors and ONNX models. Failures are thrown with the path and the
// system's reason.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct FileError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum BinaryFile {
    private static func reason() -> String { String(cString: strerror(errno)) }

    private static func open(_ path: String, _ mode: String) throws -> UnsafeMutablePointer<FILE> {
        guard let f = fopen(path, mode) else { throw FileError("cannot open '\(path)': \(reason())") }
        return f
    }

    /// The whole file. `limit` guards against reading something absurd (a device, a huge file).
    public static func read(_ path: String, limit: Int = 1 << 34) throws -> [UInt8] {
        let f = try open(path, "rb")
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if bytes.count > limit { throw FileError("'\(path)' is larger than \(limit) bytes") }
            if n < chunk.count {
                if ferror(f) != 0 { throw FileError("cannot read '\(path)': \(reason())") }
                break
            }
        }
        return bytes
    }

    /// `count` bytes at `offset`; fails if the file is shorter.
    public static func read(_ path: String, offset: Int, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0 else { throw FileError("cannot read '\(path)': negative offset or length") }
        let f = try open(path, "rb")
        defer { fclose(f) }
        guard fseeko(f, off_t(offset), SEEK_SET) == 0 else {
            throw FileError("cannot seek to byte \(offset) of '\(path)': \(reason())")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = count == 0 ? 0 : bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        guard n == count else {
            if ferror(f) != 0 { throw FileError("cannot read '\(path)': \(reason())") }
            throw FileError("'\(path)' ends before byte \(offset + count) (wanted \(count) bytes at offset \(offset), got \(n))")
        }
        return bytes
    }

    /// Writes (creating or truncating) the file.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let f = try open(path, "wb")
        let n = bytes.isEmpty ? 0 : bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        let closed = fclose(f)
        guard n == bytes.count, closed == 0 else { throw FileError("cannot write '\(path)': \(reason())") }
    }
}
