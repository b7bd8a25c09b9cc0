import Foundation
import SandglassEngine
import SandglassHarness
import XCTest

/// Per-machine tuning, measured for real on this CPU: the cache per CPU model, the three
/// modes, and what a bad cache file does (it is measured again, never fatal).
final class TuningTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sg-tuning-\(getpid())-\(name.hashValue)")
        try? FileManager.default.removeItem(at: directory)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    /// A small model with both kinds of tunable shape: 1×1 convolutions and a depthwise map of several bands.
    func graph() throws -> Graph {
        try ModelSpec(architecture: .mobilenetv2, width: 0.35, resolution: 96).build()
    }

    func testCachedMeasuresOnceThenReusesAndFreshMeasuresAgain() throws {
        let g = try graph()
        let cache = TuningCache(directory: directory, cpu: "Test CPU (family 1, model 2, stepping 3)")
        let shapes = try KernelTuning.tunableLayers(g, options: PlanOptions()).count
        XCTAssertGreaterThan(shapes, 3)

        let (_, first) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(first.shapes, shapes)
        XCTAssertEqual(first.measured, shapes, "an empty cache: every shape is measured")
        XCTAssertTrue(first.warnings.isEmpty, "\(first.warnings)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.fileURL.path))
        let file = cache.load()
        XCTAssertNil(file.problem)
        XCTAssertEqual(file.file.entries.count, shapes)
        XCTAssertEqual(file.file.cpu, cache.cpu)
        for (key, entry) in file.file.entries {
            XCTAssertGreaterThan(entry.ratioToBuiltIn, 0, key)
            // Layers timed alone; chains in the network (rounds 0: no step-for-step comparison).
            if entry.trial == "network" {
                XCTAssertTrue([0, KernelTuner.networkRounds].contains(entry.rounds), key)
            } else {
                XCTAssertEqual(entry.rounds, KernelTuner.rounds, key)
            }
            // A tuned choice was measured faster than the built-in one by the adoption margin.
            if !entry.choice.isDefault { XCTAssertLessThan(entry.ratioToBuiltIn, KernelTuner.adoptBelow, key) }
        }

        let (table, second) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(second.measured, 0, "the cache answers every shape")
        XCTAssertEqual(second.tuned.count, table.choices.count)
        XCTAssertEqual(Set(table.choices.keys), Set(file.file.entries.filter { !$0.value.choice.isDefault }.keys))

        let (_, fresh) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .fresh, cache: cache)
        XCTAssertEqual(fresh.measured, shapes)

        let (offTable, off) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .off, cache: TuningCache(directory: directory.appendingPathComponent("never"), cpu: "x"))
        XCTAssertTrue(offTable.isEmpty)
        XCTAssertEqual(off.mode, .off)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("never").path), "off touches no cache")
    }

    /// Chains are decided inside the network, step against steps, including those whose shortcut
    /// add reads the block's input from before the chain (MobileNeXt's), which have no graph of
    /// their own; a chain entry from a cache that timed chains alone is measured again.
    func testChainsAreDecidedInTheNetworkAndAnOldChainEntryIsMeasuredAgain() throws {
        let g = try ModelSpec(architecture: .mobilenext, width: 1.0, resolution: 96).build()
        let options = PlanOptions(fusion: .auto, l2Bytes: 96 * 1024)
        let cache = TuningCache(directory: directory, cpu: "Test CPU")
        let chains = try KernelTuning.tunableLayers(g, options: options).filter { $0.key.contains(" chain ") }
        XCTAssertTrue(chains.contains { $0.key.contains("add>") }, "a chain ending in a shortcut add: \(chains.map(\.key))")
        let chainSteps = try Planner.plan(g, options: options).steps.filter { $0.chain != nil }
        let (table, outcome) = try PlanTuning.resolve(g, options: options, mode: .fresh, cache: cache)
        XCTAssertEqual(outcome.shapes, try KernelTuning.tunableLayers(g, options: options).count)
        let entries = cache.load().file.entries
        for chain in chains {
            let entry = try XCTUnwrap(entries[chain.key], chain.key)
            XCTAssertEqual(entry.trial, "network", chain.key)
            XCTAssertEqual(entry.rounds, KernelTuner.networkRounds, "\(chain.key) compared step for step")
            // The entry names every chain step of that key; the choice follows the ratio.
            let names = chainSteps.filter { KernelTuning.chainKey(g, layers: $0.layers, isa: try! ISASelection.best(), l2Bytes: options.l2Bytes, threads: 1) == chain.key }.map(\.name)
            XCTAssertEqual(entry.layer, names.joined(separator: ", "))
            XCTAssertGreaterThan(entry.bestAlternativeRatio, 0.2, chain.key)
            XCTAssertLessThan(entry.bestAlternativeRatio, 5, chain.key)
            XCTAssertEqual(!entry.choice.isDefault, entry.bestAlternativeRatio < KernelTuner.adoptBelow, chain.key)
            XCTAssertTrue(chain.candidates.contains(entry.choice), "\(entry.choice) is one of \(chain.key)'s candidates")
            XCTAssertEqual(table[chain.key], entry.choice.isDefault ? nil : entry.choice)
        }

        // A chain entry without the network mark (a cache from before): measured again, with its neighbours.
        var old = entries
        old[chains[0].key]?.trial = nil
        try cache.save(old)
        let (_, again) = try PlanTuning.resolve(g, options: options, mode: .cached, cache: cache)
        XCTAssertEqual(again.measured, chains.count, "every chain, none of the layers")
        XCTAssertEqual(cache.load().file.entries[chains[0].key]?.trial, "network")
        let (_, settled) = try PlanTuning.resolve(g, options: options, mode: .cached, cache: cache)
        XCTAssertEqual(settled.measured, 0)

        // Two threads: the chains are decided again at that count (keys of their own), the layers' choices reused.
        var two = options
        two.threads = 2
        let twoChains = try KernelTuning.tunableLayers(g, options: two).filter { $0.key.contains(" chain ") }
        XCTAssertEqual(twoChains.count, chains.count)
        XCTAssertTrue(twoChains.allSatisfy { $0.key.contains(" chain t2 ") }, "\(twoChains.map(\.key))")
        let (_, twoThreads) = try PlanTuning.resolve(g, options: two, mode: .cached, cache: cache)
        XCTAssertEqual(twoThreads.measured, twoChains.count)
        for chain in twoChains {
            let entry = try XCTUnwrap(cache.load().file.entries[chain.key], chain.key)
            XCTAssertEqual(entry.trial, "network", chain.key)
            XCTAssertEqual(entry.rounds, KernelTuner.networkRounds, chain.key)
        }
        XCTAssertNotNil(cache.load().file.entries[chains[0].key], "the one-thread entries stay")
    }

    func testACachedChoiceReachesThePlanAndAStaleOneIsIgnored() throws {
        let g = try graph()
        let cache = TuningCache(directory: directory, cpu: "Test CPU")
        let layers = try KernelTuning.tunableLayers(g, options: PlanOptions())
        let gemm = try XCTUnwrap(layers.first { $0.candidates.contains { $0.gemmMaxPanelWidth != nil } })
        let narrow = gemm.candidates.first { $0.gemmMaxPanelWidth != nil }!
        var entries: [String: TuningEntry] = [:]
        for layer in layers {
            entries[layer.key] = TuningEntry(choice: TunedChoice(), ratioToBuiltIn: 1, bestAlternativeRatio: 1,
                                             candidates: layer.candidates.count, rounds: 1, layer: layer.layerName, measuredAt: "then")
        }
        entries[gemm.key]?.choice = narrow
        // Not among this shape's candidates (a cache written by another build): ignored.
        let dw = try XCTUnwrap(layers.first { $0.candidates.contains { $0.bandBytes != nil } })
        entries[dw.key]?.choice = TunedChoice(bandBytes: 7777)
        try cache.save(entries)

        let (table, outcome) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(outcome.measured, 0)
        XCTAssertEqual(table.choices, [gemm.key: narrow])
        let tuned = try Planner.plan(g, options: PlanOptions(fusion: .none, tuning: table))
        let builtIn = try Planner.plan(g, options: PlanOptions(fusion: .none))
        let step = try XCTUnwrap(tuned.steps.first { $0.name == gemm.layerName })
        let before = try XCTUnwrap(builtIn.steps.first { $0.name == gemm.layerName })
        XCTAssertNotEqual(step.kernel, before.kernel, "the cached choice is the plan's")

        // An entry measured over another set of candidates (an older build's) is measured again.
        entries[gemm.key]?.candidates = gemm.candidates.count + 1
        try cache.save(entries)
        let (_, again) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(again.measured, 1)
        XCTAssertEqual(cache.load().file.entries[gemm.key]?.candidates, gemm.candidates.count)

        // An entry of another build (its kernels may rank otherwise), or one that names no build
        // (a cache from before entries did), is measured again and then names this one.
        entries[gemm.key]?.candidates = gemm.candidates.count
        entries[gemm.key]?.build = "another build"
        entries[dw.key]?.build = nil
        try cache.save(entries)
        let (_, rebuilt) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(rebuilt.measured, 2)
        XCTAssertNotNil(BinaryIdentity.current, "the test binary can be identified")
        XCTAssertEqual(cache.load().file.entries[gemm.key]?.build, BinaryIdentity.current)
        XCTAssertEqual(cache.load().file.entries[dw.key]?.build, BinaryIdentity.current)
        let (_, settled) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(settled.measured, 0, "this build's entries are reused")
    }

    func testAnUnreadableCacheIsMeasuredAgainAndRewritten() throws {
        let g = try graph()
        let cache = TuningCache(directory: directory, cpu: "Test CPU")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: cache.fileURL)
        let (_, outcome) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: cache)
        XCTAssertEqual(outcome.measured, outcome.shapes)
        XCTAssertTrue(outcome.warnings.contains { $0.contains(cache.fileURL.path) && $0.contains("measuring again") }, "\(outcome.warnings)")
        XCTAssertNil(cache.load().problem, "rewritten whole")

        // A directory that cannot be created: the choices hold for this run, with a warning.
        let blocked = TuningCache(directory: cache.fileURL.appendingPathComponent("sub"), cpu: "Test CPU")
        let (_, unwritable) = try PlanTuning.resolve(g, options: PlanOptions(), mode: .cached, cache: blocked)
        XCTAssertTrue(unwritable.warnings.contains { $0.contains("could not be written") }, "\(unwritable.warnings)")
    }

    func testTheCPUIdentityNamesTheModelPreciselyAndMakesAFileName() {
        let x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\n"
        XCTAssertEqual(TuningCache.cpuIdentity(cpuinfo: x86), "AMD EPYC (family 26, model 2, stepping 1)")
        XCTAssertEqual(TuningCache.fileName(cpu: "AMD EPYC (family 26, model 2, stepping 1)"), "amd-epyc-family-26-model-2-stepping-1.json")
        let arm = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0b\n\nprocessor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd05\n"
        let armID = TuningCache.cpuIdentity(cpuinfo: arm)
        XCTAssertTrue(armID.contains("Cortex-A76") && armID.contains("implementer 0x41"), armID)
        XCTAssertEqual(TuningCache.fileName(cpu: "///"), "unknown-cpu.json")
        let env = ["HOME": "/home/u"]
        XCTAssertEqual(TuningCache.defaultDirectory(environment: env).path, "/home/u/.cache/sandglass/tuning")
        XCTAssertEqual(TuningCache.defaultDirectory(environment: env.merging(["XDG_CACHE_HOME": "/c"]) { $1 }).path, "/c/sandglass/tuning")
        XCTAssertEqual(TuningCache.defaultDirectory(environment: ["SANDGLASS_TUNING_DIR": "/t", "HOME": "/h"]).path, "/t")
    }

    func testTheTuningAxisParsesAndKeepsOldIds() throws {
        var p = SweepPoint()
        let before = p.id
        XCTAssertEqual(p.tuning, .cached)
        try p.set("tuning", "off")
        XCTAssertEqual(p.tuning, .off)
        XCTAssertTrue(p.id.hasSuffix(" tuning=off"), p.id)
        p.tuning = .cached
        XCTAssertEqual(p.id, before, "the default leaves ids as they were")
        XCTAssertThrowsError(try p.set("tuning", "sometimes")) { error in
            XCTAssertTrue("\(error)".contains("off, cached or fresh"), "\(error)")
        }
        // A point written before the axis existed reads as cached.
        let old = #"{"model":"mobilenext","width":1,"alpha":"1","resolution":224,"threads":1,"add":"fused","counters":"none","pin":"none","isa":"auto"}"#
        let decoded = try JSONDecoder().decode(SweepPoint.self, from: Data(old.utf8))
        XCTAssertEqual(decoded.tuning, .cached)
    }
}
