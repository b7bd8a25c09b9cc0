// The CPU architecture of a local ELF binary, compared with the board's `uname -m` before a
// prebuilt binary (--binary) is deployed, so that an x86-64 build sent to an ARM board fails
// here with a clear message instead of "Exec format error" there.
import Foundation

enum BinaryArchitecture {
    /// uname -m style name of an ELF file's machine, or nil if it is not ELF.
    static func of(file path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let header = [UInt8](handle.readData(ofLength: 20))
        guard header.count == 20, header[0] == 0x7f, header[1] == UInt8(ascii: "E"), header[2] == UInt8(ascii: "L"),
              header[3] == UInt8(ascii: "F") else { return nil }
        let little = header[5] == 1
        let machine = little ? UInt16(header[18]) | UInt16(header[19]) << 8 : UInt16(header[19]) | UInt16(header[18]) << 8
        switch machine {
        case 0x3e: return "x86_64"
        case 0xb7: return "aarch64"
        case 0x28: return "armv7l"
        case 0xf3: return "riscv64"
        case 0x03: return "i686"
        default: return "ELF machine \(machine)"
        }
    }

    /// Whether a binary for `binary` runs on a board reporting `uname -m` = `board`.
    static func compatible(binary: String, board: String) -> Bool {
        if binary == board { return true }
        switch (binary, board) {
        case ("aarch64", "arm64"), ("armv7l", "armv8l"), ("i686", "x86_64"): return true
        default: return false
        }
    }
}
