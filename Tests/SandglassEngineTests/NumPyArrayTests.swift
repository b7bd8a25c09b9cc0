import SandglassEngine
import XCTest

/// .npy round trips, the header versions numpy writes, and rejection (as errors) of what
/// Sandglass does not read: other dtypes, Fortran order, bad headers, short data, random bytes.
final class NumPyArrayTests: XCTestCase {
    func npy(major: UInt8, header: String, data: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [major, 0]
        if major == 1 {
            out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8)]
        } else {
            out += [UInt8(h.count & 0xFF), UInt8(h.count >> 8 & 0xFF), 0, 0]
        }
        h += data
        return out + h
    }

    func testRoundTrip() throws {
        let a = NumPyArray(shape: [1, 3, 2, 2], values: (0..<12).map { Float($0) * 0.5 - 1 })
        let bytes = a.npyBytes()
        XCTAssertEqual((bytes.count - 12 * 4) % 64, 0, "header padded to 64 bytes")
        XCTAssertEqual(try NumPyArray(npyBytes: bytes), a)
        let vector = NumPyArray(shape: [5], values: [1, 2, 3, 4, 5])
        XCTAssertEqual(try NumPyArray(npyBytes: vector.npyBytes()), vector)
        XCTAssertEqual(NumPyArray.describe([5]), "(5,)")
    }

    func testHeaderVersionsAndForms() throws {
        let data: [UInt8] = [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]   // 1.0, 2.0
        for major: UInt8 in [1, 2, 3] {
            let a = try NumPyArray(npyBytes: npy(major: major, header: "{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": False}\n", data: data))
            XCTAssertEqual(a.values, [1, 2])
        }
        let scalar = try NumPyArray(npyBytes: npy(major: 1, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", data: [0, 0, 0x80, 0x3F]))
        XCTAssertEqual(scalar.shape, [])
        XCTAssertEqual(scalar.values, [1])
    }

    func testRejections() {
        let cases: [([UInt8], String)] = [
            (npy(major: 1, header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)), "float64"),
            (npy(major: 1, header: "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]), "big-endian"),
            (npy(major: 1, header: "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)), "int64"),
            (npy(major: 1, header: "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", data: [0, 0, 0, 0]), "Fortran"),
            (npy(major: 1, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: [0, 0, 0, 0]), "needs 8 bytes"),
            (npy(major: 1, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0, 0]), "has 5"),
            (npy(major: 1, header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", data: []), "shape"),
            (npy(major: 1, header: "{'descr': '<f4', 'shape': (1,) ", data: [0, 0, 0, 0]), "malformed"),
            (npy(major: 1, header: "[1, 2]", data: []), "malformed"),
            (npy(major: 4, header: "{}", data: []), "version 4.0"),
            (Array("hello".utf8), "not a NumPy"),
            ([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF], "header claims"),
        ]
        for (bytes, word) in cases {
            XCTAssertThrowsError(try NumPyArray(npyBytes: bytes, name: "t.npy")) { e in
                XCTAssertTrue("\(e)".contains(word), "'\(word)' not in \(e)")
                XCTAssertTrue("\(e)".hasPrefix("t.npy: "), "\(e)")
            }
        }
    }

    func testMutatedFilesNeverTrap() {
        let base = NumPyArray(shape: [1, 2, 3], values: [1, 2, 3, 4, 5, 6]).npyBytes()
        var random = SeededRandom(seed: 3)
        for _ in 0..<2000 {
            var b = base
            switch random.next() % 3 {
            case 0: for _ in 0..<3 { b[Int(random.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: random.next()) }
            case 1: b = Array(b[0..<Int(random.next() % UInt64(b.count))])
            default: b[Int(random.next() % 70)] = UInt8(truncatingIfNeeded: random.next())   // inside the header
            }
            _ = try? NumPyArray(npyBytes: b)
        }
    }
}
