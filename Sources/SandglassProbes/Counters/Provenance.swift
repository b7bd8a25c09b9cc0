// Where a figure comes from. Every counter value in a report carries one, so a reader can tell
// a count the PMU made from one the kernel extrapolated, one a simulator produced, or one that
// was computed from the model's shapes.

public enum Provenance: String, Codable, Sendable, CaseIterable {
    /// Counted directly over the whole region (hardware or kernel software counter, clock).
    case measured
    /// Counted for part of the region only (the kernel multiplexed the group) and scaled by
    /// time enabled / time running.
    case scaled
    /// Produced by a simulator (callgrind's cache model), deterministic.
    case simulated
    /// Computed from the model (shapes, weights): a lower bound, not an observation.
    case analytic

    /// The weaker of two provenances, for a figure derived from both (scaled beats measured).
    public func combined(with other: Provenance) -> Provenance {
        let order: [Provenance] = [.analytic, .measured, .simulated, .scaled]
        return order.firstIndex(of: self)! >= order.firstIndex(of: other)! ? self : other
    }
}
