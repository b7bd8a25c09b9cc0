// `perf:memory` and `perf:compute`: four events per CPU family that libpfm4 can name, and how
// the memory events become bytes. Families are matched by the libpfm4 core PMU detected here.
// Where libpfm4 has no table for the CPU (bookworm's 4.13 on Zen 5), the generic events the
// kernel maps itself (cache-misses, cycles…) are used, and the report says so.
// Event choice follows ../shared/notes/measurement-anchors.md §4: Intel LLC misses and L2 line
// fills/evictions, AMD L1D fills by source (DRAM) plus L2 prefetches that missed L3, Arm L2
// refills and write-backs (on DynamIQ cores L2 refills include L3 hits, hence L3D_CACHE_REFILL).

public struct CounterPreset: Sendable, Equatable {
    /// Who it is for, e.g. "Intel Skylake and later".
    public var family: String
    /// libpfm4 core PMU names it applies to.
    public var pmus: [String]
    public var memory: [String]
    public var compute: [String]
    /// How `memory`'s events become bytes.
    public var traffic: [TrafficRule]
}

public enum CounterPresets {
    private static let intelModern = CounterPreset(
        family: "Intel Skylake and later", pmus: ["skl", "skx", "clx", "icl", "icx", "spr"],
        memory: ["LONGEST_LAT_CACHE:MISS", "L2_LINES_IN:ALL", "L1D:REPLACEMENT", "L2_LINES_OUT:NON_SILENT"],
        compute: ["cycles", "instructions", "FP_ARITH_INST_RETIRED:256B_PACKED_SINGLE", "FP_ARITH_INST_RETIRED:512B_PACKED_SINGLE"],
        traffic: [TrafficRule(level: "LLC misses (DRAM reads by this core)", cacheLevel: 0, fills: ["LONGEST_LAT_CACHE:MISS"]),
                  TrafficRule(level: "L2 fills and dirty evictions (L2 <-> L3)", cacheLevel: 2,
                              fills: ["L2_LINES_IN:ALL"], writeBacks: ["L2_LINES_OUT:NON_SILENT"])])

    private static let intelHaswell = CounterPreset(
        family: "Intel Ivy Bridge to Broadwell", pmus: ["ivb", "ivb_ep", "hsw", "hsw_ep", "bdw", "bdw_ep"],
        memory: ["LONGEST_LAT_CACHE:MISS", "L2_LINES_IN:ALL", "L1D:REPLACEMENT", "L2_TRANS:L2_WB"],
        compute: ["cycles", "instructions", "branches", "branch-misses"],
        traffic: [TrafficRule(level: "LLC misses (DRAM reads by this core)", cacheLevel: 0, fills: ["LONGEST_LAT_CACHE:MISS"]),
                  TrafficRule(level: "L2 fills and write-backs (L2 <-> L3)", cacheLevel: 2,
                              fills: ["L2_LINES_IN:ALL"], writeBacks: ["L2_TRANS:L2_WB"])])

    private static let zen2 = CounterPreset(
        family: "AMD Zen 2", pmus: ["amd64_fam17h_zen2"],
        memory: ["DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM", "L2_PREFETCH_MISS_L3:ANY",
                 "DATA_CACHE_REFILLS_FROM_SYSTEM:MABRESP_LCL_L2", "DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_CACHE"],
        compute: ["cycles", "instructions", "RETIRED_SSE_AVX_FLOPS:ANY", "branch-misses"],
        traffic: [TrafficRule(level: "DRAM reads (L1D fills from DRAM + L2 prefetches that missed L3)", cacheLevel: 1,
                              fills: ["DATA_CACHE_REFILLS_FROM_SYSTEM:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM", "L2_PREFETCH_MISS_L3:ANY"])])

    private static let zen3 = CounterPreset(
        family: "AMD Zen 3", pmus: ["amd64_fam19h_zen3"],
        memory: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:MEM_IO_LCL:MEM_IO_RMT", "L2_PREFETCH_MISS_L3:L2_HW_PREFETCHER:L1_HW_PREFETCHER",
                 "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:INT_CACHE:EXT_CACHE_LCL:EXT_CACHE_RMT"],
        compute: ["cycles", "instructions", "RETIRED_SSE_AVX_FLOPS:ANY", "branch-misses"],
        traffic: [TrafficRule(level: "DRAM reads (L1D fills from DRAM + L2 prefetches that missed L3)", cacheLevel: 1,
                              fills: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:MEM_IO_LCL:MEM_IO_RMT",
                                      "L2_PREFETCH_MISS_L3:L2_HW_PREFETCHER:L1_HW_PREFETCHER"])])

    private static let zen4 = CounterPreset(
        family: "AMD Zen 4", pmus: ["amd64_fam19h_zen4"],
        memory: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR",
                 "L2_PREFETCH_MISS_L3:L2_STREAM:L2_NEXT_LINE:L2_UP_DOWN:L2_BURST:L2_STRIDE:L1_STREAM:L1_STRIDE:L1_REGION",
                 "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX"],
        compute: ["cycles", "instructions", "RETIRED_SSE_AVX_FLOPS:ANY", "branch-misses"],
        traffic: [TrafficRule(level: "DRAM reads (L1D fills from DRAM + L2 prefetches that missed L3)", cacheLevel: 1,
                              fills: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR",
                                      "L2_PREFETCH_MISS_L3:L2_STREAM:L2_NEXT_LINE:L2_UP_DOWN:L2_BURST:L2_STRIDE:L1_STREAM:L1_STRIDE:L1_REGION"])])

    // Zen 5's L2_PREFETCH_MISS_L3 counts by fill source with other unit masks, so only L1D
    // fills are used (demand and L1 prefetch; L2-prefetched lines show up as LCL_L2 fills).
    private static let zen5 = CounterPreset(
        family: "AMD Zen 5", pmus: ["amd64_fam1ah_zen5"],
        memory: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR", "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2",
                 "ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LOCAL_CCX", "cycles"],
        compute: ["cycles", "instructions", "RETIRED_SSE_AVX_FLOPS:ANY", "branch-misses"],
        traffic: [TrafficRule(level: "DRAM reads (L1D fills from DRAM)", cacheLevel: 1,
                              fills: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR"]),
                  TrafficRule(level: "L1D fills from L2", cacheLevel: 1, fills: ["ANY_DATA_CACHE_FILLS_FROM_SYSTEM:LCL_L2"])])

    private static let cortexA53 = CounterPreset(
        family: "Arm Cortex-A53/A57/A72", pmus: ["arm_ac53", "arm_ac57", "arm_ac72"],
        memory: ["L2D_CACHE_REFILL", "L2D_CACHE_WB", "L1D_CACHE_REFILL", "BUS_ACCESS"],
        compute: ["CPU_CYCLES", "INST_RETIRED", "L1D_CACHE_REFILL", "BUS_CYCLES"],
        traffic: [TrafficRule(level: "L2 refills and write-backs (L2 <-> DRAM)", cacheLevel: 2,
                              fills: ["L2D_CACHE_REFILL"], writeBacks: ["L2D_CACHE_WB"])])

    private static let cortexA76 = CounterPreset(
        family: "Arm Cortex-A55/A76, Neoverse N1 (DynamIQ)", pmus: ["arm_ac55", "arm_ac76", "arm_n1"],
        memory: ["L2D_CACHE_REFILL", "L2D_CACHE_WB", "L3D_CACHE_REFILL", "LL_CACHE_MISS_RD"],
        compute: ["CPU_CYCLES", "INST_RETIRED", "ASE_SPEC", "STALL_BACKEND"],
        traffic: [TrafficRule(level: "L2 refills and write-backs (L2 <-> L3/DRAM; refills include L3 hits)", cacheLevel: 2,
                              fills: ["L2D_CACHE_REFILL"], writeBacks: ["L2D_CACHE_WB"]),
                  TrafficRule(level: "L3 refills (DRAM reads)", cacheLevel: 0, fills: ["L3D_CACHE_REFILL"])])

    /// Events the kernel maps itself; used where libpfm4 has no table for the CPU.
    public static let generic = CounterPreset(
        family: "generic (kernel-mapped events)", pmus: ["perf"],
        memory: ["cache-misses", "cache-references", "L1-dcache-load-misses", "LLC-load-misses"],
        compute: ["cycles", "instructions", "branches", "branch-misses"],
        traffic: [TrafficRule(level: "cache-misses (the kernel's choice of last-level miss event; its meaning varies by CPU)",
                              cacheLevel: 0, fills: ["cache-misses"])])

    public static let all: [CounterPreset] = [intelModern, intelHaswell, zen2, zen3, zen4, zen5, cortexA53, cortexA76, generic]

    /// The preset for a libpfm4 core PMU, or the generic one.
    public static func preset(forPMU pmu: String?) -> CounterPreset {
        guard let pmu else { return generic }
        return all.first { $0.pmus.contains(pmu) } ?? generic
    }

    /// Names libpfm4's own "perf" PMU resolves on any CPU, so they are never PMU-qualified.
    static let kernelGenericNames: Set<String> = ["cycles", "instructions", "branches", "branch-misses", "cache-misses",
                                                  "cache-references", "L1-dcache-load-misses", "LLC-load-misses"]

    /// The string to give libpfm4 for a preset event on `pmu` ("skl::LONGEST_LAT_CACHE:MISS").
    public static func qualified(_ event: String, pmu: String) -> String {
        kernelGenericNames.contains(event) || pmu == "perf" ? event : "\(pmu)::\(event)"
    }
}
