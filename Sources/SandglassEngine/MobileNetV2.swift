// MobileNetV2 as torchvision builds it (torchvision.models.mobilenet_v2): inverted residual
// blocks with a linear bottleneck and a full shortcut on the thin tensors. The identity
// multiplier α, which the paper defines for MobileNeXt, applies to its shortcuts the same way
// (first floor(α·C) channels) so that both architectures can be swept alike; α = 1 is torchvision.
// With `extraDepthwise` (the paper's Table 5, "one more depthwise convolution inserted in the
// middle of each inverted residual block"), a 3×3 depthwise convolution with BatchNorm and ReLU6,
// stride 1, runs on the expanded tensor before the block's own: of the placements that keep the
// block's shape, the one whose counts come closest to the paper's (334.4 M MAdds and 3.58 M
// parameters against its 340 M and 3.6 M; after the block's depthwise instead: 321.5 M).

public enum MobileNetV2 {
    /// (t, c, n, s) per stage.
    public static let stages: [(t: Int, c: Int, n: Int, s: Int)] = [
        (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
    ]

    static func build(_ spec: ModelSpec, extraDepthwise: Bool = false) throws -> Graph {
        let w = spec.width
        var weights = ZooWeights(seed: spec.seed)
        var g = GraphBuilder(name: spec.displayName)
        var x = try g.addInput(TensorShape(height: spec.resolution, width: spec.resolution, channels: 3))
        var cin = makeDivisible(32 * w, 8)
        let last = makeDivisible(1280 * max(1.0, w), 8)
        x = try g.convolution("stem", x, weights.convolution(3, cin, kernel: 3, stride: 2, activation: .relu6))
        for (index, stage) in stages.enumerated() {
            let cout = makeDivisible(Double(stage.c) * w, 8)
            for i in 0..<stage.n {
                let stride = i == 0 ? stage.s : 1
                let name = "s\(index + 1).b\(i)"
                let input = x
                let hidden = Int((Double(cin) * Double(stage.t)).rounded())
                if stage.t != 1 {
                    x = try g.convolution("\(name).expand", x, weights.pointwise(cin, hidden, activation: .relu6))
                }
                if extraDepthwise {
                    x = try g.convolution("\(name).extra_dw", x, weights.depthwise(hidden, stride: 1, activation: .relu6))
                }
                x = try g.convolution("\(name).dw", x, weights.depthwise(hidden, stride: stride, activation: .relu6))
                x = try g.convolution("\(name).project", x, weights.pointwise(hidden, cout, activation: .none))
                if stride == 1 && cin == cout {
                    x = try g.shortcutAdd("\(name).add", branch: x, identity: input, addedChannels: spec.alpha.channels(of: cout))
                }
                cin = cout
            }
        }
        x = try g.convolution("head", x, weights.pointwise(cin, last, activation: .relu6))
        x = try g.globalAveragePool("pool", x)
        x = try g.fullyConnected("fc", x, weights.classifier(last, spec.classes))
        return try g.build(output: x)
    }
}
