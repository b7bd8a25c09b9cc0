// A small, strict reader of the Protocol Buffers wire format, for the few ONNX messages the
// importer needs. swift-protobuf needs Swift tools 6.2 and the package must build with 6.0,
// so this reads the wire format directly. Every read is bounds-checked against the enclosing
// message: varints are at most 10 bytes and must fit 64 bits, lengths must lie inside the
// message, wire types are validated, unknown fields are skipped by their wire type, and
// nesting is limited. Every failure is a thrown ProtobufError naming the byte offset and the
// message path; nothing here traps or reads outside the buffer.

/// A malformed protobuf: where (byte offset, message path) and what.
public struct ProtobufError: Error, CustomStringConvertible, Sendable {
    /// Offset in the file of the byte where the problem was found.
    public let offset: Int
    /// Message path, e.g. "ModelProto.graph.node[12].attribute[0] (AttributeProto)".
    public let path: String
    public let problem: String

    public var description: String { "malformed protobuf at byte \(offset), in \(path): \(problem)" }
}

/// Protobuf wire types (groups, 3 and 4, are deprecated and never used by ONNX).
public enum WireType: UInt8, Sendable, CustomStringConvertible {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5

    public var description: String {
        switch self {
        case .varint: return "varint (0)"
        case .fixed64: return "64-bit (1)"
        case .lengthDelimited: return "length-delimited (2)"
        case .startGroup: return "start-group (3)"
        case .endGroup: return "end-group (4)"
        case .fixed32: return "32-bit (5)"
        }
    }
}

/// Reads one message: fields in [position, end) of a shared byte buffer.
public struct ProtobufReader {
    /// Deepest nesting of messages accepted (ONNX needs 7 for the fields read here).
    public static let maximumDepth = 32

    public let bytes: [UInt8]
    public private(set) var position: Int
    public let end: Int
    public let depth: Int
    /// Path of this message, for errors: "ModelProto.graph.node[3]".
    public let path: String
    /// Message type, for errors: "NodeProto".
    public let messageType: String

    /// A reader of the whole buffer as one message of type `messageType`.
    public init(bytes: [UInt8], messageType: String) {
        self.init(bytes: bytes, range: 0..<bytes.count, depth: 0, path: messageType, messageType: messageType)
    }

    private init(bytes: [UInt8], range: Range<Int>, depth: Int, path: String, messageType: String) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
        self.depth = depth
        self.path = path
        self.messageType = messageType
    }

    public var isAtEnd: Bool { position >= end }

    /// An error at `offset` (by default the current position) in this message.
    public func error(_ problem: String, at offset: Int? = nil) -> ProtobufError {
        let where_ = path == messageType ? path : "\(path) (\(messageType))"
        return ProtobufError(offset: offset ?? position, path: where_, problem: problem)
    }

    // MARK: - Primitive reads

    public mutating func readVarint() throws -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for i in 0..<10 {
            guard position < end else {
                throw error(i == 0 ? "expected a varint, but the message ends here" : "varint is cut off by the end of the message", at: start)
            }
            let byte = bytes[position]
            position += 1
            if i == 9 && byte > 1 {
                throw error("varint does not fit in 64 bits (its 10th byte is 0x\(String(byte, radix: 16)))", at: start)
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw error("varint is longer than 10 bytes", at: start)
    }

    public mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw error("32-bit value is cut off by the end of the message") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    public mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw error("64-bit value is cut off by the end of the message") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// A length prefix and the range of bytes it covers, checked to lie inside this message.
    public mutating func readLengthDelimited() throws -> Range<Int> {
        let start = position
        let length = try readVarint()
        let remaining = end - position
        guard length <= UInt64(remaining) else {
            throw error("length \(length) runs past the end of the enclosing message (\(remaining) bytes left, message ends at byte \(end))", at: start)
        }
        let range = position..<(position + Int(length))
        position = range.upperBound
        return range
    }

    /// A field key: field number (≥ 1) and a wire type this reader knows.
    public mutating func readTag() throws -> (field: Int, wireType: WireType) {
        let start = position
        let key = try readVarint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else {
            throw error("field number \(number) is invalid (must be 1 to 2^29-1)", at: start)
        }
        guard let type = WireType(rawValue: UInt8(key & 7)) else {
            throw error("field \(number) has invalid wire type \(key & 7)", at: start)
        }
        if type == .startGroup || type == .endGroup {
            throw error("field \(number) uses the deprecated group wire type, which ONNX never writes", at: start)
        }
        return (Int(number), type)
    }

    /// Skips a field of an unknown number by its wire type.
    public mutating func skip(_ type: WireType, field: Int) throws {
        switch type {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup:
            throw error("field \(field) uses the deprecated group wire type")
        }
    }

    // MARK: - Typed field reads (the caller names the field for errors)

    /// Checks that a known field arrived with the wire type its declaration implies.
    public func expect(_ type: WireType, _ expected: WireType, field: String) throws {
        guard type == expected else {
            throw error("field '\(field)' has wire type \(type), expected \(expected)")
        }
    }

    public mutating func int64(_ type: WireType, field: String) throws -> Int64 {
        try expect(type, .varint, field: field)
        return Int64(bitPattern: try readVarint())
    }

    /// int32 and enum fields: varints whose value must fit 32 bits (negative ones are sign-extended).
    public mutating func int32(_ type: WireType, field: String) throws -> Int32 {
        try expect(type, .varint, field: field)
        let start = position
        let v = Int64(bitPattern: try readVarint())
        guard let r = Int32(exactly: v) else {
            throw error("field '\(field)' value \(v) does not fit in 32 bits", at: start)
        }
        return r
    }

    public mutating func float(_ type: WireType, field: String) throws -> Float {
        try expect(type, .fixed32, field: field)
        return Float(bitPattern: try readFixed32())
    }

    public mutating func bytes(_ type: WireType, field: String) throws -> ArraySlice<UInt8> {
        try expect(type, .lengthDelimited, field: field)
        return bytes[try readLengthDelimited()]
    }

    /// A string field; invalid UTF-8 is replaced (ONNX's proto2 strings are not validated).
    public mutating func string(_ type: WireType, field: String) throws -> String {
        String(decoding: try bytes(type, field: field), as: UTF8.self)
    }

    /// A nested message: a reader of its bytes, one level deeper. `label` names the field
    /// (with an index for repeated fields) in error paths.
    public mutating func message(_ type: WireType, field label: String, messageType: String) throws -> ProtobufReader {
        try expect(type, .lengthDelimited, field: label)
        guard depth + 1 <= ProtobufReader.maximumDepth else {
            throw error("messages are nested more than \(ProtobufReader.maximumDepth) deep")
        }
        let range = try readLengthDelimited()
        return ProtobufReader(bytes: bytes, range: range, depth: depth + 1, path: "\(path).\(label)",
                              messageType: messageType)
    }

    // MARK: - Repeated scalars: packed (one length-delimited run) or one value per key

    public mutating func appendInt64s(_ type: WireType, field: String, to values: inout [Int64]) throws {
        if type == .lengthDelimited {
            var run = subReader(try readLengthDelimited())
            while !run.isAtEnd { values.append(Int64(bitPattern: try run.readVarint())) }
        } else {
            values.append(try int64(type, field: field))
        }
    }

    public mutating func appendInt32s(_ type: WireType, field: String, to values: inout [Int32]) throws {
        if type == .lengthDelimited {
            var run = subReader(try readLengthDelimited())
            while !run.isAtEnd {
                let start = run.position
                let v = Int64(bitPattern: try run.readVarint())
                guard let r = Int32(exactly: v) else {
                    throw run.error("field '\(field)' value \(v) does not fit in 32 bits", at: start)
                }
                values.append(r)
            }
        } else {
            values.append(try int32(type, field: field))
        }
    }

    public mutating func appendFloats(_ type: WireType, field: String, to values: inout [Float]) throws {
        if type == .lengthDelimited {
            let range = try readLengthDelimited()
            guard range.count % 4 == 0 else {
                throw error("packed field '\(field)' has \(range.count) bytes, not a multiple of 4", at: range.lowerBound)
            }
            values.reserveCapacity(values.count + range.count / 4)
            var run = subReader(range)
            while !run.isAtEnd { values.append(Float(bitPattern: try run.readFixed32())) }
        } else {
            values.append(try float(type, field: field))
        }
    }

    public mutating func appendDoubles(_ type: WireType, field: String, to values: inout [Double]) throws {
        if type == .lengthDelimited {
            let range = try readLengthDelimited()
            guard range.count % 8 == 0 else {
                throw error("packed field '\(field)' has \(range.count) bytes, not a multiple of 8", at: range.lowerBound)
            }
            var run = subReader(range)
            while !run.isAtEnd { values.append(Double(bitPattern: try run.readFixed64())) }
        } else {
            try expect(type, .fixed64, field: field)
            values.append(Double(bitPattern: try readFixed64()))
        }
    }

    public mutating func appendUInt64s(_ type: WireType, field: String, to values: inout [UInt64]) throws {
        if type == .lengthDelimited {
            var run = subReader(try readLengthDelimited())
            while !run.isAtEnd { values.append(try run.readVarint()) }
        } else {
            try expect(type, .varint, field: field)
            values.append(try readVarint())
        }
    }

    /// A reader over a packed run inside this message (same path and depth).
    private func subReader(_ range: Range<Int>) -> ProtobufReader {
        ProtobufReader(bytes: bytes, range: range, depth: depth, path: path, messageType: messageType)
    }
}
