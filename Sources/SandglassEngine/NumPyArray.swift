// NumPy .npy files of float32 tensors: parse (header versions 1.0, 2.0 and 3.0) and write
// (version 1.0, as numpy.save does). Only little-endian float32 in C order is accepted; other
// dtypes and Fortran order are rejected with a message that says how to convert. The header is
// a Python dict literal; a small parser reads exactly the subset numpy writes.

public struct NumPyError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct NumPyArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// "(1, 3, 224, 224)", as Python prints a shape.
    public static func describe(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]   // "\x93NUMPY"

    /// Parses the bytes of a .npy file; `name` (the path) is used in errors.
    public init(npyBytes b: [UInt8], name: String = "array") throws {
        func fail(_ problem: String) -> NumPyError { NumPyError("\(name): \(problem)") }
        guard b.count >= 10, Array(b[0..<6]) == NumPyArray.magic else {
            throw fail("not a NumPy .npy file (it does not start with \\x93NUMPY); save it with numpy.save")
        }
        let major = b[6], minor = b[7]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(b[8]) | Int(b[9]) << 8
            headerStart = 10
        case 2, 3:
            guard b.count >= 12 else { throw fail("the .npy header is cut off") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            headerStart = 12
        default:
            throw fail(".npy format version \(major).\(minor) is not supported (only 1.0, 2.0 and 3.0)")
        }
        guard headerLength <= b.count - headerStart else {
            throw fail("the .npy header claims \(headerLength) bytes but the file has only \(b.count - headerStart) after the preamble")
        }
        let headerBytes = b[headerStart..<(headerStart + headerLength)]
        guard major == 3 || headerBytes.allSatisfy({ $0 < 0x80 }) else {
            throw fail("the .npy header of a version \(major).0 file must be ASCII")
        }
        let header = String(decoding: headerBytes, as: UTF8.self)
        let dict: [String: PythonLiteral]
        do {
            var parser = PythonLiteralParser(Array(header.unicodeScalars))
            guard case let .dict(d) = try parser.parseTopLevel() else { throw NumPyError("the header is not a dict") }
            dict = d
        } catch let e as NumPyError {
            throw fail("malformed .npy header \(header.debugDescription): \(e.message)")
        }
        guard case let .string(descr)? = dict["descr"] else {
            throw fail("the .npy header has no 'descr' string (structured arrays are not supported)")
        }
        guard descr == "<f4" || (descr == "=f4" && NumPyArray.isLittleEndianHost) else {
            throw fail("holds \(NumPyArray.dtypeName(descr)) data; Sandglass reads float32 (little-endian '<f4'): convert with numpy.save(path, x.astype(numpy.float32))")
        }
        guard case let .bool(fortran)? = dict["fortran_order"] else { throw fail("the .npy header has no 'fortran_order'") }
        guard !fortran else {
            throw fail("is stored in Fortran (column-major) order; save a C-order array: numpy.save(path, numpy.ascontiguousarray(x))")
        }
        guard case let .tuple(dims)? = dict["shape"] else { throw fail("the .npy header has no 'shape' tuple") }
        var shape: [Int] = [], count = 1
        for d in dims {
            guard case let .int(n) = d, n >= 0 else { throw fail("the .npy shape has an entry that is not a non-negative integer") }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int(Int32.max) else { throw fail("the .npy shape \(NumPyArray.describe(shape + [n])) is too large") }
            shape.append(n)
            count = product
        }
        let dataStart = headerStart + headerLength
        let available = b.count - dataStart
        guard available == count * 4 else {
            throw fail("shape \(NumPyArray.describe(shape)) needs \(count * 4) bytes of float32 data, the file has \(available)")
        }
        self.shape = shape
        values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let p = dataStart + 4 * i
            let b0: UInt32 = UInt32(b[p]), b1: UInt32 = UInt32(b[p + 1]) << 8
            let b2: UInt32 = UInt32(b[p + 2]) << 16, b3: UInt32 = UInt32(b[p + 3]) << 24
            values[i] = Float(bitPattern: b0 | b1 | b2 | b3)
        }
    }

    /// The .npy bytes (version 1.0, header padded to a multiple of 64 bytes as numpy writes).
    public func npyBytes() -> [UInt8] {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(NumPyArray.describe(shape)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = header.utf8.count
        var out = NumPyArray.magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        out.reserveCapacity(out.count + 4 * values.count)
        for v in values {
            let bits = v.bitPattern
            out += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return out
    }

    public static func read(_ path: String) throws -> NumPyArray {
        try NumPyArray(npyBytes: try BinaryFile.read(path), name: path)
    }

    public func write(to path: String) throws {
        try BinaryFile.write(npyBytes(), to: path)
    }

    static var isLittleEndianHost: Bool { 1.littleEndian == 1 }

    static func dtypeName(_ descr: String) -> String {
        let names = ["f2": "float16", "f4": "float32", "f8": "float64", "i1": "int8", "i2": "int16", "i4": "int32",
                     "i8": "int64", "u1": "uint8", "u2": "uint16", "u4": "uint32", "u8": "uint64", "b1": "bool"]
        let order = descr.first.map { $0 == ">" ? "big-endian " : "" } ?? ""
        let code = String(descr.drop { "<>|=".contains($0) })
        return names[code].map { order + $0 + " ('\(descr)')" } ?? "'\(descr)'"
    }
}

/// The Python literals a .npy header uses.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([String: PythonLiteral])
}

/// Recursive-descent parser of dicts, tuples, lists, strings, integers and booleans.
struct PythonLiteralParser {
    let s: [Unicode.Scalar]
    var i = 0
    var depth = 0

    init(_ s: [Unicode.Scalar]) { self.s = s }

    mutating func parseTopLevel() throws -> PythonLiteral {
        let v = try value()
        skipSpace()
        guard i == s.count else { throw NumPyError("unexpected text after the dict at character \(i)") }
        return v
    }

    mutating func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" || s[i] == "\r" { i += 1 } }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard i < s.count, s[i] == c else { throw NumPyError("expected '\(c)' at character \(i)") }
        i += 1
    }

    mutating func value() throws -> PythonLiteral {
        skipSpace()
        guard i < s.count else { throw NumPyError("unexpected end of header") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 16 else { throw NumPyError("nested too deep") }
        switch s[i] {
        case "{":
            i += 1
            var d: [String: PythonLiteral] = [:]
            while true {
                skipSpace()
                if i < s.count, s[i] == "}" { i += 1; return .dict(d) }
                guard case let .string(key) = try value() else { throw NumPyError("dict keys must be strings") }
                try expect(":")
                d[key] = try value()
                skipSpace()
                if i < s.count, s[i] == "," { i += 1; continue }
                try expect("}")
                return .dict(d)
            }
        case "(", "[":
            let close: Unicode.Scalar = s[i] == "(" ? ")" : "]"
            let isTuple = s[i] == "("
            i += 1
            var items: [PythonLiteral] = []
            while true {
                skipSpace()
                if i < s.count, s[i] == close { i += 1; break }
                items.append(try value())
                skipSpace()
                if i < s.count, s[i] == "," { i += 1; continue }
                try expect(close)
                break
            }
            return isTuple ? .tuple(items) : .list(items)
        case "'", "\"":
            let quote = s[i]
            i += 1
            var text = ""
            while i < s.count, s[i] != quote {
                guard s[i] != "\\" else { throw NumPyError("escapes in strings are not supported") }
                text.unicodeScalars.append(s[i])
                i += 1
            }
            try expect(quote)
            return .string(text)
        default:
            var word = ""
            while i < s.count, s[i].properties.isAlphabetic || ("0"..."9").contains(s[i]) || s[i] == "-" || s[i] == "_" {
                word.unicodeScalars.append(s[i])
                i += 1
            }
            // numpy 1.x may write long integers with an "L" suffix in old files.
            if word.hasSuffix("L"), let n = Int(word.dropLast()) { return .int(n) }
            if let n = Int(word) { return .int(n) }
            if word == "True" { return .bool(true) }
            if word == "False" { return .bool(false) }
            throw NumPyError("unexpected '\(word.isEmpty ? String(s[i]) : word)' at character \(i)")
        }
    }
}
