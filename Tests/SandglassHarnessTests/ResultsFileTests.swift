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

    /// Bytes that were never a results file are not described as one torn by an interrupted
    /// write, and commands that read results refuse them (and an empty file) with one line.
    func testRandomBytesAreNotCalledATornRecord() throws {
        var state: UInt64 = 0x5EED
        var bytes = (0..<4096).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        bytes[100] = UInt8(ascii: "\n")
        bytes[bytes.count - 1] = UInt8(ascii: "x")
        let c = ResultsFile.parse(Data(bytes), name: "noise.bin")
        XCTAssertGreaterThan(c.tornBytes, 0)
        XCTAssertFalse(c.holdsRecords)
        XCTAssertFalse(c.warnings.contains { $0.contains("interrupted write") }, "\(c.warnings)")
        XCTAssertTrue(c.warnings.contains { $0.contains("incomplete") }, "\(c.warnings)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-noise-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let noise = dir.appendingPathComponent("noise.jsonl").path
        let empty = dir.appendingPathComponent("empty.jsonl").path
        XCTAssertTrue(FileManager.default.createFile(atPath: noise, contents: Data(bytes)))
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        for path in [noise, empty] {
            XCTAssertThrowsError(try ResultsFile.readRecords(path)) { error in
                let message = (error as? ResultsError)?.message ?? "\(error)"
                XCTAssertTrue(message.hasPrefix("\(path) is not a Sandglass results file: "), message)
                XCTAssertFalse(message.contains("\n"), message)
                XCTAssertFalse(message.contains("interrupted write"), message)
            }
        }
    }

    /// After whole records, an incomplete last line is what an interrupted write leaves.
    func testTornTailAfterRecordsIsCalledAnInterruptedWrite() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SandglassReportTests/Fixtures/fixture-widths.jsonl")
        let header = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")[0]
        let c = ResultsFile.parse(Data((header + "\n" + #"{"type":"point","schemaVersion":1,"id":"mob"#).utf8), name: "r.jsonl")
        XCTAssertEqual(c.headers.count, 1)
        XCTAssertTrue(c.holdsRecords)
        XCTAssertTrue(c.warnings.contains { $0.contains("a record torn by an interrupted write") }, "\(c.warnings)")
    }

    /// Every reason a results folder cannot be made (permission, read-only file system, a
    /// parent that is a file) goes through one formatter: one line with the folder, the
    /// system's reason and what to do, never Foundation's error dump.
    func testFolderFailureIsOneActionableLineForEveryErrno() {
        for (code, reason) in [(EACCES, "Permission denied"), (EROFS, "Read-only file system"), (ENOTDIR, "Not a directory")] {
            let message = ResultsWriter.folderFailure("/data/ro/sub", errno: code).message
            XCTAssertTrue(message.hasPrefix("cannot create folder /data/ro/sub: \(reason)"), message)
            XCTAssertTrue(message.hasSuffix("; fix: choose a writable --out path"), message)
            XCTAssertFalse(message.contains("\n") || message.contains("NSCocoaErrorDomain"), message)
        }
    }

    /// A parent that is a regular file stops even root (ENOTDIR), unlike a read-only folder.
    func testWriterUnderAFileSaysWhichFolderAndWhy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sg-notdir-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain").path
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        XCTAssertThrowsError(try ResultsWriter(path: file + "/sub/r.jsonl")) { error in
            let message = (error as? ResultsError)?.message ?? "\(error)"
            XCTAssertEqual(message, "cannot create folder \(file)/sub: Not a directory (\(file) is a file); fix: choose a writable --out path")
        }
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
