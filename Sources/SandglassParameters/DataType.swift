// The arithmetic's data type (--dtype, the dtype axis) and how 8-bit activations are typed
// outside the kernels (--activations); the scheme itself is in SandglassKernels/Quantization.swift.

public enum ElementType: String, Sendable, Codable, CaseIterable {
    case f32
    case int8

    /// Bytes per activation and weight element.
    public var bytes: Int { self == .f32 ? 4 : 1 }
}

extension ElementType {
    public init(parsing text: String) throws {
        guard let value = ElementType(rawValue: text.trimmingSpaces.lowercased()) else {
            throw ParameterError("dtype '\(text)' must be f32 or int8")
        }
        self = value
    }
}

/// Both run the same byte kernels (an int8 value v with zero point z is the byte v + 128 with zero
/// point z + 128); the difference is what an imported model's zero points mean and what the
/// tensors outside the engine hold.
public enum ActivationType: String, Sendable, Codable, CaseIterable {
    case uint8
    case int8
}
