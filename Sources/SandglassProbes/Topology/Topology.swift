// The machine as a profiler needs it: packages, cores and their kinds (big.LITTLE), and every
// cache instance with its size, line size, associativity and the CPUs that share it. Loaded
// from hwloc (HwlocTopology); plain data here so reports and sweeps can store it.

public struct Topology: Codable, Sendable, Equatable {
    public struct Core: Codable, Sendable, Equatable {
        /// hwloc's logical index (0, 1, … in topology order): what `--pin core:N` means.
        public var index: Int
        /// The operating system's CPU numbers of its hardware threads (PUs).
        public var cpus: [Int]
        /// Index into `kinds`, nil where hwloc reports no kinds.
        public var kind: Int?

        public init(index: Int, cpus: [Int], kind: Int?) {
            self.index = index; self.cpus = cpus; self.kind = kind
        }
    }

    public struct CoreKind: Codable, Sendable, Equatable {
        public var index: Int
        /// hwloc's ranking: higher is more powerful (0 = the most energy-efficient kind).
        public var efficiency: Int
        /// "big", "little", "medium", or "uniform" where there is only one kind.
        public var label: String
        public var cpus: [Int]
        /// hwloc's info attributes, e.g. CoreType, FrequencyMaxMHz.
        public var info: [String: String]

        public init(index: Int, efficiency: Int, label: String, cpus: [Int], info: [String: String]) {
            self.index = index; self.efficiency = efficiency; self.label = label; self.cpus = cpus; self.info = info
        }
    }

    public struct Cache: Codable, Sendable, Equatable {
        public var level: Int
        /// "data", "instruction" or "unified".
        public var type: String
        public var sizeBytes: Int
        public var lineBytes: Int
        /// Ways; 0 unknown, -1 fully associative.
        public var associativity: Int
        /// CPUs sharing this instance.
        public var cpus: [Int]

        public init(level: Int, type: String, sizeBytes: Int, lineBytes: Int, associativity: Int, cpus: [Int]) {
            self.level = level; self.type = type; self.sizeBytes = sizeBytes; self.lineBytes = lineBytes
            self.associativity = associativity; self.cpus = cpus
        }
    }

    /// One cache level summarised over its instances.
    public struct CacheLevel: Codable, Sendable, Equatable {
        public var level: Int
        public var type: String
        public var sizeBytes: Int
        public var lineBytes: Int
        public var associativity: Int
        public var instances: Int
        public var cpusPerInstance: Int
    }

    /// hwloc's API version (hwloc_get_api_version), e.g. "2.8.0" for hwloc 2.9.
    public var hwlocVersion: String
    public var packages: Int
    public var cores: [Core]
    public var processingUnits: Int
    public var kinds: [CoreKind]
    public var caches: [Cache]

    public init(hwlocVersion: String, packages: Int, cores: [Core], processingUnits: Int, kinds: [CoreKind], caches: [Cache]) {
        self.hwlocVersion = hwlocVersion; self.packages = packages; self.cores = cores
        self.processingUnits = processingUnits; self.kinds = kinds; self.caches = caches
    }

    /// Cache levels with identical instances merged, L1d/L1i first.
    public var cacheLevels: [CacheLevel] {
        var result: [CacheLevel] = []
        for c in caches {
            if let i = result.firstIndex(where: { $0.level == c.level && $0.type == c.type && $0.sizeBytes == c.sizeBytes
                                                  && $0.lineBytes == c.lineBytes && $0.associativity == c.associativity }) {
                result[i].instances += 1
            } else {
                result.append(CacheLevel(level: c.level, type: c.type, sizeBytes: c.sizeBytes, lineBytes: c.lineBytes,
                                         associativity: c.associativity, instances: 1, cpusPerInstance: c.cpus.count))
            }
        }
        return result.sorted { ($0.level, $0.type) < ($1.level, $1.type) }
    }

    /// The data or unified caches that serve `cpu`, innermost first.
    public func dataCaches(forCPU cpu: Int) -> [Cache] {
        caches.filter { $0.type != "instruction" && $0.cpus.contains(cpu) }.sorted { $0.level < $1.level }
    }

    /// The instruction cache of `cpu` at level 1, if hwloc reports one.
    public func instructionCache(forCPU cpu: Int) -> Cache? {
        caches.first { $0.type == "instruction" && $0.level == 1 && $0.cpus.contains(cpu) }
    }

    /// The data/unified cache at `level` of `cpu`; level 0 means the last level.
    public func dataCache(level: Int, forCPU cpu: Int) -> Cache? {
        let list = dataCaches(forCPU: cpu)
        return level == 0 ? list.last : list.first { $0.level == level }
    }

    /// The L2 size of the first core's data cache, if hwloc reports one (the planner fits its
    /// row bands into it).
    public var l2Bytes: Int? { cpus.first.flatMap { dataCache(level: 2, forCPU: $0)?.sizeBytes } }

    /// All CPUs (PUs) in core order.
    public var cpus: [Int] { cores.flatMap(\.cpus) }
}
