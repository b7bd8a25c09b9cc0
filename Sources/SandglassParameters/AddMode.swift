// The shortcut add's execution mode: the vocabulary of --add and the add axis.

/// How the shortcut add runs.
public enum AddMode: String, CaseIterable, Codable, Sendable {
    /// In the epilogue of the convolution that produces the branch (the fast path).
    case fused
    /// As its own operation over the first k channels, so its cost can be measured alone.
    case separate
}

extension AddMode {
    public init(parsing text: String) throws {
        guard let mode = AddMode(rawValue: text.trimmingSpaces.lowercased()) else {
            throw ParameterError("add '\(text)' must be fused or separate")
        }
        self = mode
    }
}
