// MobileNeXt exactly as the official code builds it (mnext.py: SGBlock / MXNet), including
// where it differs from the paper: four block variants, the bottleneck clamp, the 1280 pin
// for w < 1, and floor(C/d) identity channels. See ../shared/reference/mobilenext-spec.md.

public enum MobileNeXt {
    /// (t, c, n, s) per stage, as coded (and as in the paper's Table 2).
    public static let stages: [(t: Int, c: Int, n: Int, s: Int)] = [
        (2, 96, 1, 2), (6, 144, 1, 1), (6, 192, 3, 2), (6, 288, 3, 2),
        (6, 384, 4, 1), (6, 576, 4, 2), (6, 960, 3, 1), (6, 1280, 1, 1),
    ]

    /// The block variant the official code picks (tested in this order).
    public enum Variant: String, Sendable {
        /// t == 2: dw(s1) → pw → pw → dw(stride s); no shortcut.
        case a = "A"
        /// Cin ≠ Cout at stride 1: pw → pw only; no shortcut.
        case b = "B"
        /// Cin ≠ Cout at stride 2: pw → pw → dw(s2); no shortcut.
        case c = "C"
        /// Everything else: dw → pw → pw → dw(s1); shortcut unless keep_dw.
        case d = "D"
    }

    public static func variant(t: Int, cin: Int, cout: Int, stride: Int, keepDepthwise: Bool) -> Variant {
        if t == 2 { return .a }
        if cin != cout && stride == 1 && !keepDepthwise { return .b }
        if cin != cout && stride == 2 && !keepDepthwise { return .c }
        return .d
    }

    /// Bottleneck width: Cin // t, clamped from below to make_divisible(ceil(Cout/6), 16).
    public static func hiddenChannels(cin: Int, cout: Int, t: Int) -> Int {
        var hidden = cin / t
        if Double(hidden) < Double(cout) / 6 {
            hidden = makeDivisible(Double((cout + 5) / 6), 16)
        }
        return hidden
    }

    /// Squeeze channels of the SE module in `mobilenext-se` (Table 6's MobileNeXt†): a quarter
    /// of the block's bottleneck, EfficientNet's ratio (0.25 of the narrow channels) applied to
    /// the sandglass block, whose narrow tensor is the bottleneck. See Reports/model-variants.
    public static func squeezeChannels(hidden: Int) -> Int { max(1, hidden / 4) }

    static func build(_ spec: ModelSpec, squeezeExcite: Bool = false) throws -> Graph {
        let w = spec.width
        let divisor = w == 0.1 ? 4 : 8
        var weights = ZooWeights(seed: spec.seed)
        var g = GraphBuilder(name: spec.displayName)
        var x = try g.addInput(TensorShape(height: spec.resolution, width: spec.resolution, channels: 3))
        var cin = makeDivisible(32 * w, divisor)
        x = try g.convolution("stem", x, weights.convolution(3, cin, kernel: 3, stride: 2, activation: .relu6))
        for (index, stage) in stages.enumerated() {
            var cout = makeDivisible(Double(stage.c) * w, divisor)
            if stage.c == 1280 && w < 1 { cout = 1280 }
            for i in 0..<stage.n {
                let stride = i == 0 ? stage.s : 1
                let keep = i == 0 && stage.n == 1 && stage.s == 1
                x = try block(&g, &weights, name: "s\(index + 1).b\(i)", x, cin: cin, cout: cout,
                              stride: stride, t: stage.t, keepDepthwise: keep, alpha: spec.alpha,
                              squeezeExcite: squeezeExcite)
                cin = cout
            }
        }
        x = try g.globalAveragePool("pool", x)
        // Dropout(0.2) precedes the classifier in the reference; it is the identity at inference.
        x = try g.fullyConnected("fc", x, weights.classifier(cin, spec.classes))
        return try g.build(output: x)
    }

    static func block(_ g: inout GraphBuilder, _ weights: inout ZooWeights, name: String, _ input: ValueID,
                      cin: Int, cout: Int, stride: Int, t: Int, keepDepthwise: Bool,
                      alpha: IdentityMultiplier, squeezeExcite: Bool) throws -> ValueID {
        let hidden = hiddenChannels(cin: cin, cout: cout, t: t)
        var x = input
        // MobileNeXt†: squeeze-and-excite on the wide tensor after the first depthwise conv
        // (where MobileNetV3 and EfficientNet put it, after their depthwise), in the blocks that have one.
        func se() throws {
            guard squeezeExcite else { return }
            x = try g.squeezeExcite("\(name).se", x, weights.squeezeExcite(cin, squeeze: squeezeChannels(hidden: hidden)))
        }
        switch variant(t: t, cin: cin, cout: cout, stride: stride, keepDepthwise: keepDepthwise) {
        case .a:
            x = try g.convolution("\(name).dw1", x, weights.depthwise(cin, stride: 1, activation: .relu6))
            try se()
            x = try g.convolution("\(name).pw1", x, weights.pointwise(cin, hidden, activation: .none))
            x = try g.convolution("\(name).pw2", x, weights.pointwise(hidden, cout, activation: .relu6))
            x = try g.convolution("\(name).dw2", x, weights.depthwise(cout, stride: stride, activation: .none))
        case .b:
            x = try g.convolution("\(name).pw1", x, weights.pointwise(cin, hidden, activation: .none))
            x = try g.convolution("\(name).pw2", x, weights.pointwise(hidden, cout, activation: .relu6))
        case .c:
            x = try g.convolution("\(name).pw1", x, weights.pointwise(cin, hidden, activation: .none))
            x = try g.convolution("\(name).pw2", x, weights.pointwise(hidden, cout, activation: .relu6))
            x = try g.convolution("\(name).dw2", x, weights.depthwise(cout, stride: 2, activation: .none))
        case .d:
            // The reference hard-codes stride 1 on both depthwise convs of this variant.
            x = try g.convolution("\(name).dw1", x, weights.depthwise(cin, stride: 1, activation: .relu6))
            try se()
            x = try g.convolution("\(name).pw1", x, weights.pointwise(cin, hidden, activation: .none))
            x = try g.convolution("\(name).pw2", x, weights.pointwise(hidden, cout, activation: .relu6))
            x = try g.convolution("\(name).dw2", x, weights.depthwise(cout, stride: 1, activation: .none))
            if !keepDepthwise {
                // out[:, :C//d] += x[:, :C//d]: only the first floor(α·C) channels get the shortcut.
                x = try g.shortcutAdd("\(name).add", branch: x, identity: input, addedChannels: alpha.channels(of: cin))
            }
        }
        return x
    }
}
