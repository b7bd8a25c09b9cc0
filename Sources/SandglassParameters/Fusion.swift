// Depth-first execution of layer chains: the vocabulary of --fusion and the fusion axis.

/// Whether chains of convolutions run layer by layer or in bands of rows.
public enum Fusion: String, CaseIterable, Codable, Sendable {
    /// Every layer (with its fused add or activation) is a step of its own: per-layer profiles
    /// time each layer alone.
    case none
    /// Chains of 1×1, depthwise and direct convolutions whose intermediates would leave L2 run
    /// as one step, in bands of rows whose intermediates stay in small per-thread buffers.
    case auto
}

extension Fusion {
    public init(parsing text: String) throws {
        guard let fusion = Fusion(rawValue: text.trimmingSpaces.lowercased()) else {
            throw ParameterError("fusion '\(text)' must be none or auto")
        }
        self = fusion
    }
}
