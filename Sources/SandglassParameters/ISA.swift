// The instruction sets with their own compiled kernels: the vocabulary of --isa and the isa axis.

/// An instruction set with its own compiled kernels.
public enum ISA: String, CaseIterable, Sendable, Codable {
    case avx512
    case avx2
    case neon

    /// Human-readable description used in environment capture and errors.
    public var summary: String {
        switch self {
        case .avx512: return "x86-64 AVX-512 (x86-64-v4), 16 floats per vector"
        case .avx2: return "x86-64 AVX2+FMA (x86-64-v3), 8 floats per vector"
        case .neon: return "AArch64 NEON, 4 floats per vector"
        }
    }
}

/// What a point asks for: the best ISA this CPU runs, or a named one.
public enum ISAChoice: Hashable, Sendable, Codable, CustomStringConvertible {
    case auto
    case named(ISA)

    public init(parsing text: String) throws {
        let t = text.trimmingSpaces.lowercased()
        if t == "auto" { self = .auto; return }
        guard let isa = ISA(rawValue: t) else {
            let names = ISA.allCases.map(\.rawValue)
            throw ParameterError("isa '\(text)' must be auto, \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
        }
        self = .named(isa)
    }

    /// nil for auto.
    public var isa: ISA? {
        if case let .named(isa) = self { return isa }
        return nil
    }

    public var description: String { isa?.rawValue ?? "auto" }

    public init(from decoder: Decoder) throws { self = try TextCoding.decode(decoder, ISAChoice.init(parsing:)) }
    public func encode(to encoder: Encoder) throws { try TextCoding.encode(description, to: encoder) }
}
