// Folds BatchNorm into the preceding convolution at plan time:
//   W'[o] = W[o] · γ[o] / sqrt(var[o] + eps),  b'[o] = β[o] + (b[o] − mean[o]) · γ[o] / sqrt(var[o] + eps)
// computed in Double.

extension Convolution {
    /// Weights (OIHW) and one bias per output channel, with BatchNorm folded in.
    public func folded() -> (weights: [Float], bias: [Float]) {
        let perOutput = weights.count / max(outputChannels, 1)
        guard let bn = batchNorm else {
            return (weights, bias ?? [Float](repeating: 0, count: outputChannels))
        }
        var w = weights
        var b = [Float](repeating: 0, count: outputChannels)
        for o in 0..<outputChannels {
            let scale = Double(bn.gamma[o]) / (Double(bn.variance[o]) + Double(bn.epsilon)).squareRoot()
            for i in 0..<perOutput { w[o * perOutput + i] = Float(Double(weights[o * perOutput + i]) * scale) }
            let convBias = Double(bias?[o] ?? 0)
            b[o] = Float(Double(bn.beta[o]) + (convBias - Double(bn.mean[o])) * scale)
        }
        return (w, b)
    }
}
