import SandglassONNX
import XCTest

/// The wire-format reader on hand-made bytes: varint limits, lengths, wire types, unknown
/// fields, nesting depth, and error positions.
final class ProtobufReaderTests: XCTestCase {
    func reader(_ bytes: [UInt8]) -> ProtobufReader { ProtobufReader(bytes: bytes, messageType: "Test") }

    func testVarints() throws {
        for value: UInt64 in [0, 1, 127, 128, 300, 1 << 32, UInt64(Int64.max), UInt64.max] {
            var r = reader(ProtoWriter.varintBytes(value))
            XCTAssertEqual(try r.readVarint(), value)
            XCTAssertTrue(r.isAtEnd)
        }
        XCTAssertEqual(ProtoWriter.varintBytes(UInt64.max).count, 10)
    }

    func testVarintErrors() {
        func problem(_ bytes: [UInt8]) -> ProtobufError? {
            var r = reader(bytes)
            do { _ = try r.readVarint(); return nil } catch { return error as? ProtobufError }
        }
        // 11 bytes with continuation bits: longer than 10.
        XCTAssertNotNil(problem([UInt8](repeating: 0xFF, count: 10) + [0x01]))
        // 10th byte above 1 overflows 64 bits.
        XCTAssertTrue(problem([UInt8](repeating: 0xFF, count: 9) + [0x02])?.problem.contains("64 bits") ?? false)
        // Cut off.
        XCTAssertTrue(problem([0x80, 0x80])?.problem.contains("cut off") ?? false)
        XCTAssertNotNil(problem([]))
    }

    func testLengthsMustStayInsideTheMessage() throws {
        var r = reader([0x0A, 0x05, 1, 2, 3])   // field 1, length 5, only 3 bytes
        let (field, type) = try r.readTag()
        XCTAssertEqual(field, 1)
        XCTAssertEqual(type, .lengthDelimited)
        XCTAssertThrowsError(try r.readLengthDelimited()) { e in
            let p = e as! ProtobufError
            XCTAssertEqual(p.offset, 1)
            XCTAssertTrue(p.description.contains("runs past the end"), p.description)
        }
        // A huge length (close to 2^64) is compared without overflow.
        var big = reader([0x0A] + ProtoWriter.varintBytes(UInt64.max - 3) + [1])
        _ = try big.readTag()
        XCTAssertThrowsError(try big.readLengthDelimited())
    }

    func testWireTypesAndFieldNumbers() {
        for key: UInt8 in [0x0B, 0x0C, 0x0E, 0x0F, 0x00, 0x02] {   // groups 3/4, invalid 6/7, field 0
            var r = reader([key, 0, 0, 0, 0, 0, 0, 0, 0])
            XCTAssertThrowsError(try r.readTag(), "key \(key)")
        }
    }

    func testUnknownFieldsAreSkippedByWireType() throws {
        var w = ProtoWriter()
        w.int(100, -5)                    // varint (negative: 10 bytes)
        w.tag(101, 1); w.bytes += [UInt8](repeating: 7, count: 8)
        w.string(102, "skipped")
        w.float(103, 1.5)
        w.int(1, 42)
        var r = reader(w.bytes)
        var found: Int64?
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            if field == 1 { found = try r.int64(type, field: "x") } else { try r.skip(type, field: field) }
        }
        XCTAssertEqual(found, 42)
    }

    func testWrongWireTypeForAKnownField() throws {
        var w = ProtoWriter()
        w.int(2, 7)   // a varint where a string is declared
        var r = reader(w.bytes)
        let (_, type) = try r.readTag()
        XCTAssertThrowsError(try r.string(type, field: "name")) { e in
            XCTAssertTrue("\(e)".contains("'name' has wire type varint"), "\(e)")
        }
    }

    func testPackedAndUnpackedRepeatedFields() throws {
        var w = ProtoWriter()
        w.packedInt64s(1, [1, -2, 300])
        w.int(1, 4)
        w.packedFloats(2, [0.5, -1])
        w.float(2, 2)
        var r = reader(w.bytes)
        var ints: [Int64] = [], floats: [Float] = []
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            if field == 1 { try r.appendInt64s(type, field: "i", to: &ints) } else { try r.appendFloats(type, field: "f", to: &floats) }
        }
        XCTAssertEqual(ints, [1, -2, 300, 4])
        XCTAssertEqual(floats, [0.5, -1, 2])
        // A packed float run whose length is not a multiple of 4.
        var bad = reader([0x12, 0x03, 0, 0, 0])
        let (_, type) = try bad.readTag()
        var f: [Float] = []
        XCTAssertThrowsError(try bad.appendFloats(type, field: "f", to: &f))
    }

    func testInt32FieldsRejectValuesBeyond32Bits() throws {
        var w = ProtoWriter()
        w.int(1, 1 << 40)
        var r = reader(w.bytes)
        let (_, type) = try r.readTag()
        XCTAssertThrowsError(try r.int32(type, field: "data_type"))
        var negative = ProtoWriter()
        negative.int(1, -1)
        var n = reader(negative.bytes)
        let (_, t2) = try n.readTag()
        XCTAssertEqual(try n.int32(t2, field: "x"), -1)
    }

    func testNestingDepthIsLimited() throws {
        // A message nested 40 deep.
        var payload: [UInt8] = []
        for _ in 0..<40 {
            var w = ProtoWriter()
            w.lengthDelimited(1, payload)
            payload = w.bytes
        }
        func descend(_ r: inout ProtobufReader, _ depth: Int) throws -> Int {
            guard !r.isAtEnd else { return depth }
            let (_, type) = try r.readTag()
            var child = try r.message(type, field: "m", messageType: "Test")
            return try descend(&child, depth + 1)
        }
        var r = reader(payload)
        XCTAssertThrowsError(try descend(&r, 0)) { e in
            XCTAssertTrue("\(e)".contains("nested more than \(ProtobufReader.maximumDepth)"), "\(e)")
        }
    }

    func testErrorNamesThePath() throws {
        var (m, _) = try tinyMobileNeXt()
        m.opset = 13
        var bytes = m.encode().bytes
        // Cut the file inside the graph: the error names ModelProto and a byte offset.
        bytes = Array(bytes[0..<(bytes.count / 2)])
        XCTAssertThrowsError(try ModelProto(decoding: bytes)) { e in
            let p = e as! ProtobufError
            XCTAssertTrue(p.path.hasPrefix("ModelProto"), p.path)
            XCTAssertLessThanOrEqual(p.offset, bytes.count)
        }
    }
}
