// Something that can snapshot a set of counters cheaply at every layer boundary: a perf_event
// group (one read() for all its counters) or the thread-time/getrusage fallback. A LayerProbe
// sums the differences between consecutive snapshots per layer, in raw words, and asks the
// source at the end to turn those sums into readings; nothing is interpreted in the hot path.

public protocol CounterSource: AnyObject {
    /// What the source reports, in order (including events that could not be opened).
    var eventNames: [String] { get }
    /// u64 words one snapshot fills.
    var snapshotWords: Int { get }
    /// Starts counting (once per measurement).
    func start()
    /// Stops counting.
    func stop()
    /// Takes a snapshot: a handful of system calls at most.
    func snapshot(into words: UnsafeMutablePointer<UInt64>)
    /// Readings (means per occurrence) from per-word sums of snapshot differences over
    /// `occurrences` runs of one layer.
    func readings(deltaSums: UnsafePointer<UInt64>, occurrences: Int) -> CounterReadings
    /// How snapshots were read, when the source has a choice (perf: rdpmc or read()).
    var readPath: String? { get }
}

extension CounterSource {
    public var readPath: String? { nil }
}
