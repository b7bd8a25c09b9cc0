import CPfm
import XCTest
import SandglassProbes

/// libpfm4 turns event names into perf_event_attr encodings (no PMU needed for that).
final class PfmEncodingTests: XCTestCase {
    func testNamedGenericEvents() throws {
        let library = PfmLibrary.shared
        XCTAssertNil(library.initializationError)
        let cycles = try library.encode("cycles")
        XCTAssertEqual(cycles.type, PERF_TYPE_HARDWARE.rawValue)
        XCTAssertEqual(cycles.config, UInt64(PERF_COUNT_HW_CPU_CYCLES.rawValue))
        XCTAssertTrue(cycles.canonicalName.contains("PERF_COUNT_HW_CPU_CYCLES"), cycles.canonicalName)
        XCTAssertTrue(cycles.isHardware)
        let instructions = try library.encode("instructions")
        XCTAssertEqual(instructions.config, UInt64(PERF_COUNT_HW_INSTRUCTIONS.rawValue))
        let misses = try library.encode("cache-misses")
        XCTAssertEqual(misses.config, UInt64(PERF_COUNT_HW_CACHE_MISSES.rawValue))
        let l1 = try library.encode("L1-dcache-load-misses")
        XCTAssertEqual(l1.type, PERF_TYPE_HW_CACHE.rawValue)
    }

    func testRawCode() throws {
        let raw = try PfmLibrary.shared.encode("r0c0")
        XCTAssertEqual(raw.type, PERF_TYPE_RAW.rawValue)
        XCTAssertEqual(raw.config, 0xc0)
    }

    func testUnknownEventIsAnErrorWithLibpfmsMessage() {
        XCTAssertThrowsError(try PfmLibrary.shared.encode("NO_SUCH_EVENT_ANYWHERE")) { error in
            let e = error as? PfmError
            XCTAssertEqual(e?.message, "event not found")
        }
    }

    func testAttrCarriesSizeAndGroupSettings() throws {
        let spec = try PfmLibrary.shared.encode("instructions")
        let leader = spec.attr(readFormat: GroupReadFormat.readFormat, leader: true)
        XCTAssertEqual(Int(leader.size), MemoryLayout<perf_event_attr>.size)
        XCTAssertEqual(leader.disabled, 1)
        XCTAssertEqual(leader.exclude_kernel, 1)
        XCTAssertEqual(leader.read_format, UInt64(PERF_FORMAT_GROUP.rawValue | PERF_FORMAT_TOTAL_TIME_ENABLED.rawValue | PERF_FORMAT_TOTAL_TIME_RUNNING.rawValue))
        XCTAssertEqual(spec.attr(readFormat: 0, leader: false).disabled, 0)
    }

    func testTargetingOneCorePMUOfAHybrid() {
        let raw = PerfEventSpec(name: "L2D_CACHE_REFILL", canonicalName: "arm_ac76::L2D_CACHE_REFILL", pmu: "arm_ac76",
                                type: PERF_TYPE_RAW.rawValue, config: 0x17)
        XCTAssertEqual(raw.targeting(pmuType: 9).type, 9)
        XCTAssertEqual(raw.targeting(pmuType: 9).config, 0x17)
        let generic = PerfEventSpec(name: "cycles", canonicalName: "cycles", pmu: "perf", type: PERF_TYPE_HARDWARE.rawValue, config: 0)
        let aimed = generic.targeting(pmuType: 8)
        XCTAssertEqual(aimed.type, PERF_TYPE_HARDWARE.rawValue)
        XCTAssertEqual(aimed.config, 8 << 32)
        let software = PerfEventSpec.software("task-clock")!
        XCTAssertEqual(software.targeting(pmuType: 8), software)
    }

    func testPresetsNameKnownFamiliesAndFallBackToGeneric() {
        XCTAssertEqual(CounterPresets.preset(forPMU: "amd64_fam1ah_zen5").family, "AMD Zen 5")
        XCTAssertEqual(CounterPresets.preset(forPMU: "arm_ac55").family, "Arm Cortex-A55/A76, Neoverse N1 (DynamIQ)")
        XCTAssertEqual(CounterPresets.preset(forPMU: "skl").family, "Intel Skylake and later")
        XCTAssertEqual(CounterPresets.preset(forPMU: nil), CounterPresets.generic)
        XCTAssertEqual(CounterPresets.preset(forPMU: "some_future_pmu"), CounterPresets.generic)
        for preset in CounterPresets.all {
            XCTAssertLessThanOrEqual(preset.memory.count, PerfCounterSource.maxGroupSize, preset.family)
            XCTAssertLessThanOrEqual(preset.compute.count, PerfCounterSource.maxGroupSize, preset.family)
            // Every traffic event is counted by the memory preset itself.
            for rule in preset.traffic {
                for event in rule.fills + rule.writeBacks { XCTAssertTrue(preset.memory.contains(event), "\(preset.family): \(event)") }
            }
        }
        XCTAssertEqual(CounterPresets.qualified("LONGEST_LAT_CACHE:MISS", pmu: "skl"), "skl::LONGEST_LAT_CACHE:MISS")
        XCTAssertEqual(CounterPresets.qualified("cycles", pmu: "skl"), "cycles")
    }

    func testCounterSelectionParsing() throws {
        XCTAssertEqual(try CounterSelection(parsing: "none"), CounterSelection.none)
        XCTAssertEqual(try CounterSelection(parsing: "software"), .software)
        XCTAssertEqual(try CounterSelection(parsing: "sim"), .sim)
        XCTAssertEqual(try CounterSelection(parsing: "perf:cycles,instructions"), .perf(["cycles", "instructions"]))
        XCTAssertEqual(try CounterSelection(parsing: "perf:memory"), .perf(["memory"]))
        XCTAssertEqual(try CounterSelection(parsing: "perf:LONGEST_LAT_CACHE:MISS,r0c0"), .perf(["LONGEST_LAT_CACHE:MISS", "r0c0"]))
        for bad in ["perf", "perf:", "perf:cycles,,instructions", "papi:cycles", "hardware"] {
            XCTAssertThrowsError(try CounterSelection(parsing: bad), bad)
        }
    }
}
