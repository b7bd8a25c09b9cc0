import SandglassEngine
import SandglassONNX
import XCTest

/// Thousands of mutated models through the importer in-process: random byte overwrites,
/// truncations, corrupted length prefixes, insertions and deletions. Each must either import
/// (and then plan and run) or throw an ONNXImportError; a trap would kill the test process.
final class ImporterFuzzTests: XCTestCase {
    func testMutatedModelsThrowOrImportNeverTrap() throws {
        let (model, _) = try tinyMobileNeXt()
        let base = model.encode()
        XCTAssertGreaterThan(base.lengthOffsets.count, 100)
        var random = SeededRandom(seed: 2024)
        func below(_ n: Int) -> Int { Int(random.next() % UInt64(max(n, 1))) }
        var imported = 0, rejected = 0
        var kinds = [Int](repeating: 0, count: 5)
        let iterations = 10_000
        for i in 0..<iterations {
            var bytes = base.bytes
            let kind = i % 5
            kinds[kind] += 1
            switch kind {
            case 0:   // overwrite 1 to 8 bytes
                for _ in 0...below(8) { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            case 1:   // truncate
                bytes = Array(bytes[0..<below(bytes.count)])
            case 2:   // corrupt a length prefix: small change, zero, huge, or a long varint
                let at = base.lengthOffsets[below(base.lengthOffsets.count)]
                let replacement: [UInt8]
                switch below(4) {
                case 0: replacement = [UInt8(truncatingIfNeeded: Int(bytes[at]) + below(5) - 2) & 0x7F]
                case 1: replacement = [0]
                case 2: replacement = ProtoWriter.varintBytes(random.next())
                default: replacement = [UInt8](repeating: 0xFF, count: 1 + below(12))
                }
                var end = at
                while end < bytes.count, bytes[end] & 0x80 != 0 { end += 1 }
                bytes.replaceSubrange(at...min(end, bytes.count - 1), with: replacement)
            case 3:   // insert random bytes
                let at = below(bytes.count)
                bytes.insert(contentsOf: (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            default:  // delete a range
                let at = below(bytes.count)
                bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(16)))
            }
            do {
                let m = try ONNXImporter.load(bytes: bytes, name: "fuzz.onnx", directory: nil)
                imported += 1
                // What imports must also plan and run (weights may now be anything, even NaN).
                if m.graph.values.allSatisfy({ $0.elements <= 1 << 16 }) {
                    if let plan = try? Planner.plan(m.graph) {
                        plan.setRandomInput(seed: UInt64(i))
                        Executor(plan: plan).run()
                        _ = plan.readOutput(nchw: true)
                    }
                }
            } catch let e as ONNXImportError {
                rejected += 1
                XCTAssertFalse(e.message.isEmpty)
            } catch {
                XCTFail("iteration \(i): unexpected error type \(type(of: error)): \(error)")
            }
        }
        print("fuzz: \(iterations) mutated models, \(imported) imported, \(rejected) rejected with an error")
        XCTAssertEqual(imported + rejected, iterations)
        XCTAssertGreaterThan(rejected, iterations / 4)
        XCTAssertGreaterThan(imported, 50)   // weight-only damage still imports: both paths are exercised
    }

    func testRandomBytes() {
        var random = SeededRandom(seed: 7)
        for i in 0..<500 {
            let bytes = (0..<Int(random.next() % 4096)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            do { _ = try ONNXImporter.load(bytes: bytes, name: "r.onnx", directory: nil) } catch is ONNXImportError {
            } catch { XCTFail("iteration \(i): \(type(of: error))") }
        }
    }
}
