// Seeded random parameters for the model zoo, initialised as the reference code does
// (conv ~ N(0, sqrt(2 / (k·k·Cout))), FC ~ N(0, 0.01)), with random rather than identity
// BatchNorm statistics so that folding is exercised by every test.

struct ZooWeights {
    var random: SeededRandom

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func convolution(_ cin: Int, _ cout: Int, kernel: Int, stride: Int, groups: Int = 1,
                              activation: Activation) -> Convolution {
        let count = cout * (cin / groups) * kernel * kernel
        let std = (2.0 / Double(kernel * kernel * cout)).squareRoot()
        let bn = BatchNorm(gamma: random.uniform(0.5, 1.5, count: cout),
                           beta: random.uniform(-0.2, 0.2, count: cout),
                           mean: random.uniform(-0.2, 0.2, count: cout),
                           variance: random.uniform(0.5, 1.5, count: cout))
        return Convolution(inputChannels: cin, outputChannels: cout, kernel: kernel, stride: stride,
                           padding: kernel / 2, groups: groups, weights: random.normal(std: std, count: count),
                           batchNorm: bn, activation: activation)
    }

    mutating func depthwise(_ c: Int, stride: Int, activation: Activation) -> Convolution {
        convolution(c, c, kernel: 3, stride: stride, groups: c, activation: activation)
    }

    mutating func pointwise(_ cin: Int, _ cout: Int, activation: Activation) -> Convolution {
        convolution(cin, cout, kernel: 1, stride: 1, activation: activation)
    }

    mutating func classifier(_ inputs: Int, _ outputs: Int) -> FullyConnected {
        FullyConnected(inputs: inputs, outputs: outputs, weights: random.normal(std: 0.01, count: inputs * outputs),
                       bias: random.uniform(-0.01, 0.01, count: outputs))
    }

    /// Squeeze-and-excite with biases (PyTorch's 1x1 Conv2d layers), ReLU between them, sigmoid gate.
    mutating func squeezeExcite(_ c: Int, squeeze s: Int) -> SqueezeExcite {
        SqueezeExcite(channels: c, squeezeChannels: s,
                      reduceWeights: random.normal(std: (2.0 / Double(s)).squareRoot(), count: s * c),
                      reduceBias: random.uniform(-0.1, 0.1, count: s), inner: .relu,
                      expandWeights: random.normal(std: (2.0 / Double(c)).squareRoot(), count: c * s),
                      expandBias: random.uniform(-0.1, 0.1, count: c), gate: .sigmoid)
    }
}
