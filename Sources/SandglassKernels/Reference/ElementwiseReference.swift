// Plain references for squeeze-and-excite's gate and channel-wise scale and for the activations
// that are not clamps: straight loops in Double on the logical (unpacked, untransposed) weights.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gate(expand · inner(reduce · pooled + b1) + b2); reduce as [squeeze][channels], expand as [channels][squeeze].
public func referenceSqueezeExciteGate(pooled: [Float], channels: Int, squeezeChannels: Int,
                                       reduceWeights: [Float], reduceBias: [Float], innerSiLU: Bool,
                                       expandWeights: [Float], expandBias: [Float],
                                       gate: SqueezeExciteGateArguments.Gate) -> [Float] {
    let hidden: [Double] = (0..<squeezeChannels).map { j in
        var s = Double(reduceBias[j])
        for c in 0..<channels { s += Double(reduceWeights[j * channels + c]) * Double(pooled[c]) }
        return innerSiLU ? s / (1 + exp(-s)) : max(s, 0)
    }
    return (0..<channels).map { c in
        var s = Double(expandBias[c])
        for j in 0..<squeezeChannels { s += Double(expandWeights[c * squeezeChannels + j]) * hidden[j] }
        switch gate {
        case .sigmoid: return Float(1 / (1 + exp(-s)))
        case let .hardSigmoid(alpha, beta): return Float(min(max(Double(alpha) * s + Double(beta), 0), 1))
        }
    }
}

/// out[p][c] = x[p][c] · factors[c]; dense NHWC.
public func referenceChannelScale(_ x: [Float], factors: [Float], pixels: Int, channels: Int) -> [Float] {
    var out = x
    for p in 0..<pixels {
        for c in 0..<channels { out[p * channels + c] = Float(Double(x[p * channels + c]) * Double(factors[c])) }
    }
    return out
}

/// The activations that are not clamps, element by element in Double; dense.
public func referenceNonlinearity(_ x: [Float], kind: NonlinearityArguments.Kind) -> [Float] {
    x.map { v in
        let d = Double(v)
        switch kind {
        case .hardSwish: return Float(d * min(max(d + 3, 0), 6) / 6)
        case let .hardSigmoid(alpha, beta): return Float(min(max(Double(alpha) * d + Double(beta), 0), 1))
        case .sigmoid: return Float(1 / (1 + exp(-d)))
        case .silu: return Float(d / (1 + exp(-d)))
        }
    }
}
