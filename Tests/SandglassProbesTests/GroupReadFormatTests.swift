import XCTest
import SandglassProbes

/// The group read layout and the multiplexing arithmetic, on synthetic reads (this machine has
/// no PMU to multiplex).
final class GroupReadFormatTests: XCTestCase {
    func testParsesAGroupRead() throws {
        let read: [UInt64] = [3, 1_000, 900, 11, 22, 33]
        let s = try XCTUnwrap(GroupReadFormat.parse(read, expectedEvents: 3))
        XCTAssertEqual(s.enabled, 1_000)
        XCTAssertEqual(s.running, 900)
        XCTAssertEqual(s.values, [11, 22, 33])
        XCTAssertNil(GroupReadFormat.parse(read, expectedEvents: 2), "nr says 3 events")
        XCTAssertNil(GroupReadFormat.parse([3, 1, 1, 5], expectedEvents: 3), "short read")
        XCTAssertEqual(GroupReadFormat.words(events: 4), 7)
    }

    func testFullyRunningGroupIsMeasured() {
        let r = GroupReadFormat.reading(valueSum: 3_000, enabledSum: 500, runningSum: 500, occurrences: 3)
        XCTAssertEqual(r, .value(1_000, .measured))
    }

    func testMultiplexedGroupIsScaledAndFlagged() {
        // Counted 1/4 of the time: 2,000 events over 2 runs -> 1,000 per run observed,
        // 4,000 per run estimated.
        let r = GroupReadFormat.reading(valueSum: 2_000, enabledSum: 800, runningSum: 200, occurrences: 2)
        XCTAssertEqual(r.provenance, .scaled)
        XCTAssertEqual(r.value ?? 0, 4_000, accuracy: 1e-9)
        guard case let .value(_, _, fraction) = r else { return XCTFail() }
        XCTAssertEqual(fraction ?? 0, 0.25, accuracy: 1e-12)
    }

    func testNeverScheduledGroupIsUnavailableNotZero() {
        let r = GroupReadFormat.reading(valueSum: 0, enabledSum: 800, runningSum: 0, occurrences: 2)
        XCTAssertNil(r.value)
        XCTAssertTrue(r.unavailableReason?.contains("never scheduled") == true, "\(r)")
        let never = GroupReadFormat.reading(valueSum: 0, enabledSum: 0, runningSum: 0, occurrences: 1)
        XCTAssertNotNil(never.unavailableReason)
    }

    func testReadingsEncodeAsValueAndProvenanceOrUnavailable() throws {
        var readings = CounterReadings()
        readings["cycles"] = .value(12, .scaled, runningFraction: 0.5)
        readings["instructions"] = .unavailable("no PMU")
        readings["task-clock"] = .value(7, .measured)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(readings)) as? [String: [String: Any]]
        XCTAssertEqual(json?["cycles"]?["value"] as? Double, 12)
        XCTAssertEqual(json?["cycles"]?["provenance"] as? String, "scaled")
        XCTAssertEqual(json?["cycles"]?["runningFraction"] as? Double, 0.5)
        XCTAssertEqual(json?["instructions"]?["unavailable"] as? String, "no PMU")
        XCTAssertNil(json?["instructions"]?["value"])
        XCTAssertNil(json?["task-clock"]?["runningFraction"])
        XCTAssertEqual(readings.names, ["cycles", "instructions", "task-clock"])
        let decoded = try JSONDecoder().decode(CounterReadings.self, from: JSONEncoder().encode(readings))
        XCTAssertEqual(decoded["cycles"], readings["cycles"])
        XCTAssertEqual(decoded["instructions"], readings["instructions"])
    }
}
