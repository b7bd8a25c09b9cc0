// Loads a Topology through hwloc: objects by type for packages, cores, PUs and caches, and
// hwloc's CPU kinds (from the OS's core capacities or max frequencies) for big.LITTLE.
import CHwloc

public struct TopologyError: Error, CustomStringConvertible {
    public let description: String
}

public enum HwlocTopology {
    /// hwloc's API version at run time (2.9 reports API 2.8.0).
    public static var version: String {
        let v = hwloc_get_api_version()
        return "\(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)"
    }

    public static func load() throws -> Topology {
        var handle: hwloc_topology_t?
        guard hwloc_topology_init(&handle) == 0, let topology = handle else {
            throw TopologyError(description: "hwloc_topology_init failed")
        }
        defer { hwloc_topology_destroy(topology) }
        // hwloc drops instruction caches by default; callgrind's --I1 needs the L1i geometry.
        _ = hwloc_topology_set_icache_types_filter(topology, HWLOC_TYPE_FILTER_KEEP_ALL)
        guard hwloc_topology_load(topology) == 0 else {
            throw TopologyError(description: "hwloc_topology_load failed (is /sys mounted?)")
        }

        func objects(_ type: hwloc_obj_type_t) -> [hwloc_obj_t] {
            let n = hwloc_get_nbobjs_by_type(topology, type)
            guard n > 0 else { return [] }
            return (0..<UInt32(n)).compactMap { hwloc_get_obj_by_type(topology, type, $0) }
        }

        var kinds: [Topology.CoreKind] = []
        let kindCount = Int(hwloc_cpukinds_get_nr(topology, 0))
        if kindCount > 0, let set = hwloc_bitmap_alloc() {
            defer { hwloc_bitmap_free(set) }
            for k in 0..<kindCount {
                var efficiency: Int32 = -1
                var infoCount: UInt32 = 0
                var infos: UnsafeMutablePointer<hwloc_info_s>?
                guard hwloc_cpukinds_get_info(topology, UInt32(k), set, &efficiency, &infoCount, &infos, 0) == 0 else { continue }
                var info: [String: String] = [:]
                for i in 0..<Int(infoCount) {
                    if let entry = infos?[i], let name = entry.name, let value = entry.value {
                        info[String(cString: name)] = String(cString: value)
                    }
                }
                kinds.append(Topology.CoreKind(index: k, efficiency: Int(efficiency), label: "", cpus: members(set), info: info))
            }
        }
        label(&kinds)

        let cores = objects(HWLOC_OBJ_CORE).map { obj -> Topology.Core in
            let cpus = members(obj.pointee.cpuset)
            let kind = kinds.first { k in cpus.allSatisfy(k.cpus.contains) }?.index
            return Topology.Core(index: Int(obj.pointee.logical_index), cpus: cpus, kind: kind)
        }

        let cacheTypes: [hwloc_obj_type_t] = [HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE, HWLOC_OBJ_L4CACHE,
                                              HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3ICACHE]
        var caches: [Topology.Cache] = []
        for type in cacheTypes {
            for obj in objects(type) {
                guard let attr = obj.pointee.attr else { continue }
                let c = attr.pointee.cache
                let kind: String
                switch c.type {
                case HWLOC_OBJ_CACHE_DATA: kind = "data"
                case HWLOC_OBJ_CACHE_INSTRUCTION: kind = "instruction"
                default: kind = "unified"
                }
                caches.append(Topology.Cache(level: Int(c.depth), type: kind, sizeBytes: Int(c.size),
                                             lineBytes: Int(c.linesize), associativity: Int(c.associativity),
                                             cpus: members(obj.pointee.cpuset)))
            }
        }

        return Topology(hwlocVersion: version, packages: Int(hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PACKAGE)),
                        cores: cores, processingUnits: Int(hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU)),
                        kinds: kinds, caches: caches)
    }

    /// The OS CPU numbers in a bitmap (hwloc_bitmap_foreach is a macro Swift cannot use).
    static func members(_ set: hwloc_const_bitmap_t?) -> [Int] {
        guard let set else { return [] }
        var result: [Int] = []
        var cpu = hwloc_bitmap_first(set)
        while cpu >= 0 {
            result.append(Int(cpu))
            cpu = hwloc_bitmap_next(set, cpu)
        }
        return result
    }

    /// Names kinds by rank: one kind is "uniform"; otherwise the most powerful is "big", the
    /// most efficient "little", anything between "medium".
    public static func label(_ kinds: inout [Topology.CoreKind]) {
        guard kinds.count > 1 else {
            for i in kinds.indices { kinds[i].label = "uniform" }
            return
        }
        let ranked = kinds.sorted { $0.efficiency < $1.efficiency }.map(\.index)
        for i in kinds.indices {
            kinds[i].label = kinds[i].index == ranked.last ? "big" : kinds[i].index == ranked.first ? "little" : "medium"
        }
    }
}
