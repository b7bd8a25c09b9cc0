import SandglassEngine

/// Convolutions with seeded random weights and biases (same padding), for test graphs.
struct RandomConvolutions {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func conv(_ cin: Int, _ cout: Int, k: Int, stride: Int = 1, groups: Int = 1,
                       _ activation: Activation = .none) -> Convolution {
        Convolution(inputChannels: cin, outputChannels: cout, kernel: k, stride: stride, padding: k / 2, groups: groups,
                    weights: random.uniform(-0.4, 0.4, count: cout * (cin / groups) * k * k),
                    bias: random.uniform(-0.2, 0.2, count: cout), activation: activation)
    }
}
