import Foundation
import SandglassHarness
import XCTest

final class ResultsFileTests: XCTestCase {
    func testTornLastLineIsDetectedAndIgnored() throws {
        let good = #"{"type":"end","schemaVersion":1,"finishedAt":"x","completedPoints":1,"totalPoints":2,"interrupted":true}"#
        let data = Data((good + "\n" + good + "\n" + #"{"type":"point","schemaVersion":1,"id":"mob"#).utf8)
        let c = ResultsFile.parse(data, name: "r.jsonl")
        XCTAssertEqual(c.ends.count, 2)
        XCTAssertEqual(c.tornBytes, #"{"type":"point","schemaVersion":1,"id":"mob"#.utf8.count)
        XCTAssertEqual(c.validLength, (good.utf8.count + 1) * 2)
        XCTAssertTrue(c.warnings.contains { $0.contains("incomplete") })
    }

    func testWriterAppendsWholeLinesAndTruncatesTornTail() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-results-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        let path = dir.appendingPathComponent("r.jsonl").path
        let w = try ResultsWriter(path: path)
        try w.append(EndRecord(finishedAt: "a", completedPoints: 0, totalPoints: 1, interrupted: false, loadAverage: nil))
        // Simulate a power cut in the middle of the next record.
        try w.appendRaw(Data(#"{"type":"end","finish"#.utf8))
        var c = try ResultsFile.read(path)
        XCTAssertEqual(c.ends.count, 1)
        XCTAssertGreaterThan(c.tornBytes, 0)
        let w2 = try ResultsWriter(path: path, truncateTo: c.validLength)
        try w2.append(EndRecord(finishedAt: "b", completedPoints: 1, totalPoints: 1, interrupted: false, loadAverage: nil))
        c = try ResultsFile.read(path)
        XCTAssertEqual(c.ends.map(\.finishedAt), ["a", "b"])
        XCTAssertEqual(c.tornBytes, 0)
        XCTAssertTrue(c.warnings.isEmpty, "\(c.warnings)")
    }

    func testUnknownAndNewerRecordsAreIgnoredWithWarnings() {
        let text = #"{"type":"mystery","schemaVersion":1}"# + "\n" + #"{"type":"point","schemaVersion":99}"# + "\nnot json\n"
        let c = ResultsFile.parse(Data(text.utf8))
        XCTAssertEqual(c.warnings.count, 3, "\(c.warnings)")
        XCTAssertTrue(c.points.isEmpty)
    }

    func testCSVEscaping() {
        XCTAssertEqual(CSVExport.escape("plain"), "plain")
        XCTAssertEqual(CSVExport.escape("a,b"), "\"a,b\"")
        XCTAssertEqual(CSVExport.escape("say \"hi\""), "\"say \"\"hi\"\"\"")
    }

    func testCPUModelFromCPUInfo() {
        // x86: the model name line.
        XCTAssertEqual(Environment.cpuModel(cpuinfo: "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9R45\n"),
                       "AMD EPYC 9R45")
        // arm64 has no model name: cores from their part numbers, distinct, in processor order.
        let bigLittle = (0..<8).map { cpu in
            "processor\t: \(cpu)\nBogoMIPS\t: 48.00\nCPU implementer\t: 0x41\nCPU part\t: \(cpu < 4 ? "0xd05" : "0xd0b")\n"
        }.joined(separator: "\n")
        XCTAssertEqual(Environment.cpuModel(cpuinfo: bigLittle), "Cortex-A55 (part 0xd05) + Cortex-A76 (part 0xd0b)")
        XCTAssertEqual(Environment.cpuModel(cpuinfo: "processor\t: 0\nCPU part\t: 0xfff\n"), "Arm core (part 0xfff)")
        XCTAssertNil(Environment.cpuModel(cpuinfo: "processor\t: 0\nflags\t: fpu\n"))
    }

    func testEnvironmentHasTheFieldsAReportNeeds() {
        let env = Environment.capture()
        XCTAssertFalse(env.cpuModel.isEmpty)
        XCTAssertFalse(env.hostname.isEmpty)
        XCTAssertNotNil(env.kernel)
        XCTAssertGreaterThan(env.logicalCPUs, 0)
        XCTAssertFalse(env.caches.isEmpty, "no caches from /sys")
        XCTAssertTrue(env.caches.contains { $0.level == 1 && $0.sizeBytes ?? 0 > 0 })
        XCTAssertNotNil(env.loadAverage)
        XCTAssertFalse(env.isaAvailable.isEmpty)
        XCTAssertNotNil(env.perfEventParanoid)
        XCTAssertEqual(env.build.configuration, "release")
        XCTAssertFalse(env.coreKinds.isEmpty)
        XCTAssertEqual(Environment.parseCPUList("0-3,6,8-9\n"), [0, 1, 2, 3, 6, 8, 9])
    }
}
