// The cache geometry callgrind simulates (--I1, --D1, --LL = size,associativity,line), taken
// from hwloc for the CPU the benchmark runs on. Set explicitly because valgrind misreads some
// CPUIDs (it simulated a 512 MiB 2-way LL on this VM). Callgrind models only L1 and the last
// level, and needs a power-of-two number of sets: sizes such as 30 MiB 20-way get their
// associativity adjusted (same size) or, failing that, their size rounded down; the report
// shows the geometry actually simulated.

public struct CallgrindCacheGeometry: Codable, Sendable, Equatable {
    public struct Cache: Codable, Sendable, Equatable {
        public var sizeBytes: Int
        public var associativity: Int
        public var lineBytes: Int

        public init(sizeBytes: Int, associativity: Int, lineBytes: Int) {
            self.sizeBytes = sizeBytes; self.associativity = associativity; self.lineBytes = lineBytes
        }

        public var option: String { "\(sizeBytes),\(associativity),\(lineBytes)" }

        /// The nearest geometry valgrind accepts: power-of-two line size and number of sets.
        public static func simulable(sizeBytes: Int, associativity: Int, lineBytes: Int) -> Cache {
            let line = lineBytes > 0 && lineBytes & (lineBytes - 1) == 0 ? lineBytes : 64
            let lines = max(sizeBytes / line, 1)
            // Unknown (0) or fully associative (-1) associativity: 8-way, or fewer lines.
            let ways = associativity > 0 ? min(associativity, lines) : min(8, lines)
            let sets = lines / ways
            if lines % ways == 0 && sets & (sets - 1) == 0 {
                return Cache(sizeBytes: lines * line, associativity: ways, lineBytes: line)
            }
            // The power-of-two set counts around lines/ways that keep the size: take the one whose
            // associativity is closest to the real one.
            var below = 1
            while below * 2 <= lines / ways { below *= 2 }
            let keeping = [below, below * 2].filter { lines % $0 == 0 && lines / $0 >= 1 }
            if let best = keeping.min(by: { abs(lines / $0 - ways) < abs(lines / $1 - ways) }) {
                return Cache(sizeBytes: lines * line, associativity: lines / best, lineBytes: line)
            }
            // Otherwise shrink to the power-of-two sets below, at the real associativity.
            return Cache(sizeBytes: below * ways * line, associativity: ways, lineBytes: line)
        }
    }

    public var instruction: Cache
    public var data: Cache
    public var lastLevel: Cache
    /// Where it came from, e.g. "hwloc, CPU 1".
    public var source: String

    /// valgrind options for this geometry.
    public var options: [String] {
        ["--I1=\(instruction.option)", "--D1=\(data.option)", "--LL=\(lastLevel.option)"]
    }

    /// The geometry of the caches serving `cpu`. Without an L1 instruction cache in the
    /// topology the data cache's geometry is used for it, which the source says.
    public static func from(_ topology: Topology, cpu: Int) throws -> CallgrindCacheGeometry {
        let caches = topology.dataCaches(forCPU: cpu)
        guard let l1 = caches.first(where: { $0.level == 1 }), let last = caches.last, last.level > 1 else {
            throw TopologyError(description: "hwloc reports no L1 data and last-level cache for CPU \(cpu), so the cache simulation has no geometry; check 'sandglass topology'")
        }
        func simulable(_ c: Topology.Cache) -> Cache {
            Cache.simulable(sizeBytes: c.sizeBytes, associativity: c.associativity, lineBytes: c.lineBytes)
        }
        var source = "hwloc, CPU \(cpu): L1d \(l1.sizeBytes / 1024) KiB, L\(last.level) \(last.sizeBytes / 1024) KiB"
        let i1 = topology.instructionCache(forCPU: cpu)
        if i1 == nil { source += "; no L1i reported, L1d geometry used for it" }
        return CallgrindCacheGeometry(instruction: simulable(i1 ?? l1), data: simulable(l1), lastLevel: simulable(last),
                                      source: source)
    }
}
