import CSandglassSupport
import Glibc
import SandglassEngine
import XCTest
import SandglassProbes

/// hwloc's view against the kernel's own files, and pinning checked with sched_getcpu.
final class TopologyTests: XCTestCase {
    /// Every cache in /sys/devices/system/cpu/cpu0/cache appears in hwloc's topology for CPU 0
    /// with the same level, type, size, line size and associativity.
    func testCachesMatchSysfs() throws {
        let topology = try HwlocTopology.load()
        let root = "/sys/devices/system/cpu/cpu0/cache"
        let indices = directoryEntries(root).filter { $0.hasPrefix("index") }.sorted()
        try XCTSkipIf(indices.isEmpty, "no cache information in sysfs here")
        for index in indices {
            func field(_ name: String) -> String? {
                readTextFile("\(root)/\(index)/\(name)")?.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init)
            }
            let level = try XCTUnwrap(field("level").flatMap { Int($0) })
            let sysType = try XCTUnwrap(field("type"))
            let type = ["Data": "data", "Instruction": "instruction", "Unified": "unified"][sysType] ?? sysType
            let size = try XCTUnwrap(field("size").flatMap(parseSize), "\(index) size")
            let line = field("coherency_line_size").flatMap { Int($0) }
            let ways = field("ways_of_associativity").flatMap { Int($0) }
            let match = topology.caches.first { $0.level == level && $0.type == type && $0.cpus.contains(0) }
            let cache = try XCTUnwrap(match, "hwloc has no L\(level) \(type) cache for CPU 0")
            XCTAssertEqual(cache.sizeBytes, size, "L\(level) \(type) size")
            if let line { XCTAssertEqual(cache.lineBytes, line, "L\(level) \(type) line") }
            if let ways, ways > 0 { XCTAssertEqual(cache.associativity, ways, "L\(level) \(type) ways") }
        }
        XCTAssertEqual(topology.cpus.count, topology.processingUnits)
        XCTAssertGreaterThanOrEqual(topology.packages, 1)
        XCTAssertNotNil(topology.dataCache(level: 1, forCPU: 0))
    }

    /// "48K" -> 49152
    private func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        if let last = text.last, let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }

    /// Each core in turn: the thread lands on the CPU it was pinned to.
    func testPinningIsVerifiedWithSchedGetcpu() throws {
        let topology = try HwlocTopology.load()
        for core in topology.cores {
            let cpus = try XCTUnwrap(try PinRequest.core(core.index).cpus(threads: 1, topology: topology))
            XCTAssertEqual(cpus, [core.cpus[0]])
            var observed: [Int32] = []
            var failure: Error?
            onFreshThread {
                do {
                    try ThreadPinning.bindCurrentThread(to: cpus[0])
                    // Still there after some work and a yield.
                    var x = 0.0
                    for i in 0..<200_000 { x += Double(i).squareRoot() }
                    sched_yield()
                    observed = [sg_sched_getcpu(), x > 0 ? sg_sched_getcpu() : -1]
                } catch { failure = error }
            }
            XCTAssertNil(failure)
            XCTAssertEqual(observed, [Int32(cpus[0]), Int32(cpus[0])], "core \(core.index)")
        }
    }

    func testPinRequests() throws {
        let topology = try HwlocTopology.load()
        XCTAssertEqual(try PinRequest(parsing: "core:1"), .core(1))
        XCTAssertEqual(try PinRequest(parsing: "kind:big"), .kind("big"))
        XCTAssertEqual(try PinRequest(parsing: "none"), PinRequest.none)
        for bad in ["core:", "core:-1", "kind:medium", "cpu:0", "big"] {
            XCTAssertThrowsError(try PinRequest(parsing: bad), bad)
        }
        XCTAssertThrowsError(try PinRequest.core(topology.cores.count).cpus(threads: 1, topology: topology))
        XCTAssertThrowsError(try PinRequest.core(0).cpus(threads: topology.cores.count + 1, topology: topology))
        // Consecutive cores for the workers, wrapping around.
        if topology.cores.count >= 2 {
            let last = topology.cores.count - 1
            XCTAssertEqual(try PinRequest.core(last).cpus(threads: 2, topology: topology),
                           [topology.cores[last].cpus[0], topology.cores[0].cpus[0]])
        }
        let big = try XCTUnwrap(try PinRequest.kind("big").cpus(threads: 1, topology: topology))
        XCTAssertEqual(big.count, 1)
        if topology.kinds.count <= 1 {
            XCTAssertThrowsError(try PinRequest.kind("little").cpus(threads: 1, topology: topology)) { error in
                XCTAssertTrue("\(error)".contains("single core kind"), "\(error)")
            }
        }
    }

    /// Kinds ranked by hwloc's efficiency: most powerful is big, least is little.
    func testKindLabels() {
        var kinds = [Topology.CoreKind(index: 0, efficiency: 0, label: "", cpus: [0, 1, 2, 3], info: [:]),
                     Topology.CoreKind(index: 1, efficiency: 1, label: "", cpus: [4, 5], info: [:]),
                     Topology.CoreKind(index: 2, efficiency: 2, label: "", cpus: [6, 7], info: [:])]
        HwlocTopology.label(&kinds)
        XCTAssertEqual(kinds.map(\.label), ["little", "medium", "big"])
        let cores = (0..<8).map { Topology.Core(index: $0, cpus: [$0], kind: $0 < 4 ? 0 : $0 < 6 ? 1 : 2) }
        let t = Topology(hwlocVersion: "test", packages: 1, cores: cores, processingUnits: 8, kinds: kinds, caches: [])
        XCTAssertEqual(try PinRequest.kind("big").cpus(threads: 2, topology: t), [6, 7])
        XCTAssertEqual(try PinRequest.kind("little").cpus(threads: 3, topology: t), [0, 1, 2])
        XCTAssertThrowsError(try PinRequest.kind("big").cpus(threads: 3, topology: t))
    }

    /// The identity tensor of each shortcut add against L1/L2 (the paper's α argument).
    func testShortcutResidency() throws {
        let l1 = Topology.Cache(level: 1, type: "data", sizeBytes: 48 << 10, lineBytes: 64, associativity: 12, cpus: [0])
        let l2 = Topology.Cache(level: 2, type: "unified", sizeBytes: 1 << 20, lineBytes: 64, associativity: 16, cpus: [0])
        let t = Topology(hwlocVersion: "test", packages: 1, cores: [Topology.Core(index: 0, cpus: [0], kind: nil)],
                         processingUnits: 1, kinds: [], caches: [l1, l2])
        let full = ShortcutResidency.blocks(of: try plannedModel(resolution: 224), topology: t, cpu: 0)
        let sixth = ShortcutResidency.blocks(of: try plannedModel(resolution: 224, alpha: try IdentityMultiplier(parsing: "1/6")),
                                             topology: t, cpu: 0)
        XCTAssertEqual(full.count, 12)
        XCTAssertEqual(full.map(\.layer), sixth.map(\.layer))
        for (a, b) in zip(full, sixth) {
            XCTAssertLessThan(b.identityBytes, a.identityBytes)
            XCTAssertEqual(a.fitsL1, a.identityBytes <= 48 << 10)
            XCTAssertEqual(a.fitsL2, a.identityBytes <= 1 << 20)
        }
        // s3 at α = 1: 28·28·192 channels · 4 B = 588 KiB: in L2, not L1; at α = 1/6, 98 KiB.
        XCTAssertEqual(full[0].identityBytes, 28 * 28 * 192 * 4)
        XCTAssertEqual(full[0].fits, "L2")
        XCTAssertEqual(sixth.filter { $0.fits == "L1" }.count, 7)
        XCTAssertEqual(ShortcutResidency.blocks(of: try plannedModel(width: 0.35, resolution: 64), topology: nil, cpu: 0).first?.fits, "unknown")
    }
}
