// Per-machine kernel tuning: the vocabulary of --tuning and SANDGLASS_TUNING.

/// Whether plans use kernel variants and blockings measured on this CPU (KernelTuning.swift).
public enum TuningMode: String, CaseIterable, Codable, Sendable {
    /// The built-in choices; nothing is measured and no cache is read.
    case off
    /// Choices cached for this CPU model are reused; layer shapes not in the cache are measured
    /// once and added to it.
    case cached
    /// Every layer shape of the model is measured again and the cache's entries replaced.
    case fresh
}

extension TuningMode {
    public init(parsing text: String) throws {
        guard let mode = TuningMode(rawValue: text.trimmingSpaces.lowercased()) else {
            throw ParameterError("tuning '\(text)' must be off, cached or fresh")
        }
        self = mode
    }
}
