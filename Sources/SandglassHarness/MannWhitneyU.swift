// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, normal approximation with tie
// correction and continuity correction: google/benchmark's compare.py uses the same test to
// call a change significant. Needs about 8+ samples per side to mean anything.

public struct MannWhitneyU: Sendable {
    public let u: Double
    public let z: Double
    /// Two-sided p-value.
    public let pValue: Double

    public init(_ a: [Double], _ b: [Double]) {
        let n1 = Double(a.count), n2 = Double(b.count)
        guard !a.isEmpty, !b.isEmpty else { u = .nan; z = .nan; pValue = .nan; return }
        var all = a.map { ($0, 0) } + b.map { ($0, 1) }
        all.sort { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: all.count)
        var tieTerm = 0.0
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[k] = rank }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        var r1 = 0.0
        for (k, entry) in all.enumerated() where entry.1 == 0 { r1 += ranks[k] }
        let u1 = r1 - n1 * (n1 + 1) / 2
        u = u1
        let n = n1 + n2
        let mean = n1 * n2 / 2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { z = 0; pValue = 1; return }
        let diff = u1 - mean
        let corrected = diff == 0 ? 0 : (abs(diff) - 0.5) * (diff < 0 ? -1 : 1)
        z = corrected / variance.squareRoot()
        pValue = Swift.min(1, 2 * MannWhitneyU.normalTail(abs(z)))
    }

    /// P(Z > x) for a standard normal, via the complementary error function.
    static func normalTail(_ x: Double) -> Double { 0.5 * erfcApprox(x / 2.0.squareRoot()) }

    /// erfc with relative error below 1.2e-7 (Numerical Recipes' Chebyshev fit).
    static func erfcApprox(_ x: Double) -> Double {
        let z = abs(x)
        let t = 1 / (1 + 0.5 * z)
        let poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
        let r = t * expApprox(poly)
        return x >= 0 ? r : 2 - r
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func expApprox(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) func expApprox(_ x: Double) -> Double { Darwin.exp(x) }
#endif
