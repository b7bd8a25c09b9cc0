// What the user asks for: an architecture at a width multiplier, an identity tensor
// multiplier α, an input resolution and a class count. Validation errors say what was wrong
// and how to fix it; nothing here traps on bad input.

public enum Architecture: String, CaseIterable, Codable, Sendable {
    case mobilenext
    case mobilenetv2

    public var displayName: String {
        switch self {
        case .mobilenext: return "MobileNeXt"
        case .mobilenetv2: return "MobileNetV2"
        }
    }

    public var reference: String {
        switch self {
        case .mobilenext: return "official MobileNeXt code (mnext.py: SGBlock, MXNet), see mobilenext-spec.md"
        case .mobilenetv2: return "torchvision mobilenet_v2"
        }
    }
}

public struct ModelSpecError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The identity tensor multiplier α as an exact fraction, so that k = floor(α·C) is exact:
/// "1/3" on C = 272 gives 90 (floor), not round(90.67) = 91.
public struct IdentityMultiplier: Hashable, Codable, Sendable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public static let one = IdentityMultiplier(uncheckedNumerator: 1, denominator: 1)

    private init(uncheckedNumerator n: Int, denominator d: Int) {
        let g = IdentityMultiplier.gcd(n, d)
        numerator = n / g
        denominator = d / g
    }

    /// Parses "1", "1/2", "1/3", "1/6", "2/3" or a decimal such as "0.5" in (0, 1].
    public init(parsing text: String) throws {
        let s = text.trimmingSpaces
        let problem = "identity multiplier α '\(text)' is not valid: write a fraction such as 1/2, 1/3, 1/6 or a decimal in (0, 1]"
        var n = 0, d = 1
        if let slash = s.firstIndex(of: "/") {
            guard let a = Int(s[..<slash]), let b = Int(s[s.index(after: slash)...]) else { throw ModelSpecError(problem) }
            n = a; d = b
        } else if let dot = s.firstIndex(of: ".") {
            let whole = s[..<dot], frac = s[s.index(after: dot)...]
            guard frac.count <= 9, frac.allSatisfy(\.isASCIIDigit), whole.allSatisfy(\.isASCIIDigit),
                  !(whole.isEmpty && frac.isEmpty) else { throw ModelSpecError(problem) }
            d = 1
            for _ in 0..<frac.count { d *= 10 }
            n = (Int(whole) ?? 0) * d + (Int(frac) ?? 0)
        } else {
            guard let a = Int(s) else { throw ModelSpecError(problem) }
            n = a
        }
        guard d > 0, n > 0, n <= d else {
            throw ModelSpecError("identity multiplier α = \(text) is outside (0, 1]: use a value such as 1, 1/2, 1/3 or 1/6")
        }
        self.init(uncheckedNumerator: n, denominator: d)
    }

    /// Identity channels of a C-channel shortcut: floor(α·C).
    public func channels(of c: Int) -> Int { c * numerator / denominator }

    public var value: Double { Double(numerator) / Double(denominator) }

    /// "1", "1/2", "1/6", or a decimal for other fractions (the form the CLI accepts back).
    public var description: String {
        if denominator == 1 { return "\(numerator)" }
        if numerator == 1 { return "1/\(denominator)" }
        return "\(value)"
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? max(a, 1) : gcd(b, a % b) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

public struct ModelSpec: Hashable, Codable, Sendable {
    public var architecture: Architecture
    public var width: Double
    public var alpha: IdentityMultiplier
    public var resolution: Int
    public var classes: Int
    public var seed: UInt64

    public static let minimumResolution = 32

    public init(architecture: Architecture, width: Double = 1.0, alpha: IdentityMultiplier = .one,
                resolution: Int = 224, classes: Int = 1000, seed: UInt64 = 0) {
        self.architecture = architecture; self.width = width; self.alpha = alpha
        self.resolution = resolution; self.classes = classes; self.seed = seed
    }

    public func validate() throws {
        guard width.isFinite, width > 0 else {
            throw ModelSpecError("width multiplier \(width) must be a positive number, for example 0.35, 0.5, 0.75, 1.0 or 1.4")
        }
        guard width <= 10 else {
            throw ModelSpecError("width multiplier \(width) is too large (at most 10): the model would not fit in memory")
        }
        guard resolution >= ModelSpec.minimumResolution else {
            throw ModelSpecError("resolution \(resolution) is too small: use at least \(ModelSpec.minimumResolution) (five stride-2 layers halve it to 1x1)")
        }
        guard resolution <= 4096 else { throw ModelSpecError("resolution \(resolution) is too large: use at most 4096") }
        guard classes >= 1, classes <= 100_000 else {
            throw ModelSpecError("number of classes \(classes) must be between 1 and 100000")
        }
    }

    /// "MobileNeXt-1.0 α=1/2 @224".
    public var displayName: String {
        "\(architecture.displayName)-\(ModelSpec.formatWidth(width)) α=\(alpha) @\(resolution)"
    }

    public static func formatWidth(_ w: Double) -> String {
        let s = "\(w)"
        return s
    }

    /// Builds the graph with seeded random weights.
    public func build() throws -> Graph {
        try validate()
        switch architecture {
        case .mobilenext: return try MobileNeXt.build(self)
        case .mobilenetv2: return try MobileNetV2.build(self)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
