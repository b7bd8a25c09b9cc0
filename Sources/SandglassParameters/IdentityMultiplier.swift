/// The identity tensor multiplier α as an exact fraction, so that k = floor(α·C) is exact:
/// "1/3" on C = 272 gives 90 (floor), not round(90.67) = 91.
public struct IdentityMultiplier: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
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
            guard let a = Int(s[..<slash]), let b = Int(s[s.index(after: slash)...]) else { throw ParameterError(problem) }
            n = a; d = b
        } else if let dot = s.firstIndex(of: ".") {
            let whole = s[..<dot], frac = s[s.index(after: dot)...]
            guard frac.count <= 9, frac.allSatisfy(\.isASCIIDigit), whole.allSatisfy(\.isASCIIDigit),
                  !(whole.isEmpty && frac.isEmpty) else { throw ParameterError(problem) }
            d = 1
            for _ in 0..<frac.count { d *= 10 }
            n = (Int(whole) ?? 0) * d + (Int(frac) ?? 0)
        } else {
            guard let a = Int(s) else { throw ParameterError(problem) }
            n = a
        }
        guard d > 0, n > 0, n <= d else {
            throw ParameterError("identity multiplier α = \(text) is outside (0, 1]: use a value such as 1, 1/2, 1/3 or 1/6")
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

    public init(from decoder: Decoder) throws { self = try TextCoding.decode(decoder, IdentityMultiplier.init(parsing:)) }
    public func encode(to encoder: Encoder) throws { try TextCoding.encode(description, to: encoder) }

    public static func < (a: IdentityMultiplier, b: IdentityMultiplier) -> Bool {
        a.numerator * b.denominator < b.numerator * a.denominator
    }
}
