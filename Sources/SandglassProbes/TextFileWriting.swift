// Writes a small text file without Foundation (readTextFile's counterpart).
#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` to `path`, replacing it; false if the file cannot be written.
@discardableResult
public func writeTextFile(_ path: String, _ text: String) -> Bool {
    guard let f = fopen(path, "w") else { return false }
    defer { fclose(f) }
    return fputs(text, f) >= 0
}
