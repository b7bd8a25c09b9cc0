import XCTest
import SandglassProbes

/// Reading callgrind's dumps and choosing a geometry it accepts (the end-to-end sim backend is
/// tested through the CLI in SandglassCLITests).
final class CallgrindTests: XCTestCase {
    private func dump(step: Int, totals: String) -> String {
        """
        # callgrind format
        version: 1
        creator: callgrind-3.19.0
        pid: 4242
        cmd:  /x/sandglass bench --counters sim
        part: \(step + 1)

        desc: I1 cache: 32768 B, 64 B, 8-way associative
        desc: Timerange: Basic block 100 - 200
        desc: Trigger: Client Request: step-\(step)

        positions: line
        events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
        summary: \(totals)

        fl=(1) main.swift
        fn=(1) main
        1 5 2 1
        totals: \(totals)
        """
    }

    func testDumpsSumPerStepWithAggregates() throws {
        var dumps = CallgrindDumps()
        try dumps.add(dump: dump(step: 0, totals: "1000 300 100 2 40 10 1 5 3"))
        try dumps.add(dump: dump(step: 0, totals: "1000 300 100 2 40 10 1 5 3"))
        try dumps.add(dump: dump(step: 1, totals: "500 100 50 1 8"))   // trailing zeros left out
        // A dump of another trigger (e.g. at exit) is ignored.
        try dumps.add(dump: dump(step: 0, totals: "1").replacingOccurrences(of: "Client Request: step-0", with: "Program termination"))
        XCTAssertEqual(dumps.events, ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"])
        XCTAssertEqual(dumps.dumps[0], 2)
        let s0 = dumps.readings(step: 0)
        XCTAssertEqual(s0["instructions"], .value(1000, .simulated))
        XCTAssertEqual(s0["L1-misses"], .value(52, .simulated))
        XCTAssertEqual(s0["LL-misses"], .value(9, .simulated))
        XCTAssertEqual(s0["D1mr"], .value(40, .simulated))
        let s1 = dumps.readings(step: 1)
        XCTAssertEqual(s1["L1-misses"], .value(9, .simulated))
        XCTAssertEqual(s1["DLmw"], .value(0, .simulated))
        XCTAssertNotNil(dumps.readings(step: 7)["instructions"]?.unavailableReason)
        XCTAssertEqual(CallgrindDumps.reportedEvents(dumps.events).prefix(3), ["instructions", "L1-misses", "LL-misses"])
    }

    func testMismatchedEventsAreAnError() throws {
        var dumps = CallgrindDumps()
        try dumps.add(dump: dump(step: 0, totals: "1 2 3"))
        XCTAssertThrowsError(try dumps.add(dump: dump(step: 1, totals: "1").replacingOccurrences(of: "events: Ir Dr", with: "events: Ir")))
    }

    func testGeometryValgrindAccepts() {
        typealias C = CallgrindCacheGeometry.Cache
        // Zen 5 here: already power-of-two sets.
        XCTAssertEqual(C.simulable(sizeBytes: 48 << 10, associativity: 12, lineBytes: 64), C(sizeBytes: 48 << 10, associativity: 12, lineBytes: 64))
        XCTAssertEqual(C.simulable(sizeBytes: 32 << 20, associativity: 16, lineBytes: 64), C(sizeBytes: 32 << 20, associativity: 16, lineBytes: 64))
        // 30 MiB 20-way (24,576 sets): same size, 15 ways, 32,768 sets.
        XCTAssertEqual(C.simulable(sizeBytes: 30 << 20, associativity: 20, lineBytes: 64), C(sizeBytes: 30 << 20, associativity: 15, lineBytes: 64))
        // Unknown associativity: 8-way where that gives power-of-two sets.
        XCTAssertEqual(C.simulable(sizeBytes: 32 << 10, associativity: 0, lineBytes: 64).associativity, 8)
        for (size, ways) in [(48 << 10, 0), (30 << 20, 20), (1_310_720, 10), (3 << 20, 12), (40_000, 7), (512 << 10, -1)] {
            let c = C.simulable(sizeBytes: size, associativity: ways, lineBytes: 64)
            let sets = c.sizeBytes / c.lineBytes / c.associativity
            XCTAssertEqual(c.sizeBytes % (c.lineBytes * c.associativity), 0, "\(size) \(ways)")
            XCTAssertEqual(sets & (sets - 1), 0, "\(size) \(ways): \(sets) sets")
            XCTAssertLessThanOrEqual(c.sizeBytes, size)
        }
    }

    func testGeometryFromThisMachine() throws {
        let topology = try HwlocTopology.load()
        let g = try CallgrindCacheGeometry.from(topology, cpu: topology.cpus[0])
        let l1 = try XCTUnwrap(topology.dataCache(level: 1, forCPU: topology.cpus[0]))
        XCTAssertEqual(g.data.lineBytes, l1.lineBytes)
        XCTAssertLessThanOrEqual(g.data.sizeBytes, l1.sizeBytes)
        XCTAssertEqual(g.options.count, 3)
        XCTAssertTrue(g.options[2].hasPrefix("--LL="))
    }
}
