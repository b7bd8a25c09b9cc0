// make_divisible as the reference code writes it (TF-slim's rounding):
//   new_v = max(min_value, int(v + d/2) // d * d); if new_v < 0.9 * v: new_v += d
// computed in Double like Python, so every width gives the reference's channel counts.

public func makeDivisible(_ v: Double, _ divisor: Int, minValue: Int? = nil) -> Int {
    let minimum = minValue ?? divisor
    let rounded = Int((v + Double(divisor) / 2).rounded(.towardZero)) / divisor * divisor
    var result = max(minimum, rounded)
    if Double(result) < 0.9 * v { result += divisor }
    return result
}
