// The MobileNeXt paper's argument for α < 1: a smaller identity tensor (k·H·W·4 bytes, the part
// of the block input the shortcut adds back) is more likely to still be in cache when the add
// needs it. For each shortcut add of a plan, this says whether that tensor fits in the L1 data
// cache or the L2 of the core that runs the benchmark.
import SandglassEngine

public struct ShortcutResidency: Codable, Sendable, Equatable {
    /// The add layer, e.g. "s3.b1.add".
    public var layer: String
    public var identityBytes: Int
    public var l1Bytes: Int?
    public var l2Bytes: Int?
    public var fitsL1: Bool?
    public var fitsL2: Bool?
    /// The innermost of the two it fits in: "L1", "L2", "neither", or "unknown" (no cache
    /// information).
    public var fits: String

    public init(layer: String, identityBytes: Int, l1Bytes: Int?, l2Bytes: Int?) {
        self.layer = layer
        self.identityBytes = identityBytes
        self.l1Bytes = l1Bytes
        self.l2Bytes = l2Bytes
        fitsL1 = l1Bytes.map { identityBytes <= $0 }
        fitsL2 = l2Bytes.map { identityBytes <= $0 }
        fits = fitsL1 == true ? "L1" : fitsL2 == true ? "L2" : fitsL1 == nil && fitsL2 == nil ? "unknown" : "neither"
    }

    /// One entry per shortcut add of `plan`, against the caches serving `cpu`.
    public static func blocks(of plan: Plan, topology: Topology?, cpu: Int) -> [ShortcutResidency] {
        let l1 = topology?.dataCache(level: 1, forCPU: cpu)?.sizeBytes
        let l2 = topology?.dataCache(level: 2, forCPU: cpu)?.sizeBytes
        return plan.layerCounts.indices.compactMap { i in
            let counts = plan.layerCounts[i]
            guard counts.shortcutAdds > 0 else { return nil }
            return ShortcutResidency(layer: plan.layerNames[i], identityBytes: counts.identityBytes, l1Bytes: l1, l2Bytes: l2)
        }
    }
}
