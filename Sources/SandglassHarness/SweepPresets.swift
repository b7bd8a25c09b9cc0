// Built-in sweeps, runnable without a file (`sandglass sweep --preset NAME`).

public enum SweepPresets {
    public static let names = ["table7", "table3", "table6", "add-vs-mac", "table4", "table7-int8"]

    /// Comparison groups alternated inference by inference: every candidate's paired ratio to
    /// its group's baseline until its 95% CI is within ±0.5%, at least 50 cycles, at most 40 s
    /// per group (a 2-core shared VM reaches ±0.5% on MobileNeXt-1.0 in 10-20 s).
    static var measurement: MeasurementSettings {
        var m = MeasurementSettings()
        m.warmupRuns = 10
        m.minRepetitions = 50
        m.maxRepetitions = 100_000
        m.targetCI = 0.005
        m.maxSeconds = 40
        return m
    }

    static func compare(_ axis: String, _ baseline: String) -> ComparisonSpec {
        try! ComparisonSpec(axis: axis, baseline: baseline)
    }

    public static func spec(named name: String) -> SweepSpec? {
        switch name {
        case "table7":
            return SweepSpec(name: "table7", description: "MobileNeXt-1.0 at identity tensor multiplier α = 1, 1/2, 1/3, 1/6 (paper Table 7)",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext"], "alpha": ["1", "1/2", "1/3", "1/6"]]),
                             measurement: measurement, compare: compare("alpha", "1"))
        case "table3":
            return SweepSpec(name: "table3", description: "MobileNeXt and MobileNetV2 at width 0.35, 0.5, 0.75, 1.0, 1.4 (paper Table 3)",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext", "mobilenetv2"],
                                                                  "width": ["0.35", "0.5", "0.75", "1.0", "1.4"]]),
                             measurement: measurement, compare: compare("model", "mobilenetv2"))
        case "table6":
            return SweepSpec(name: "table6",
                             description: "The built-in models at width 1.0 beside MobileNeXt-1.0: with squeeze-and-excite (Table 6's †), MobileNetV2, and Table 5's MobileNetV2 with one more depthwise conv",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext", "mobilenext-se", "mobilenetv2", "mobilenetv2-extra-dw"]]),
                             measurement: measurement, compare: compare("model", "mobilenext"))
        case "add-vs-mac":
            var m = measurement
            m.perLayerIterations = 30
            return SweepSpec(name: "add-vs-mac",
                             description: "Fused versus separate shortcut adds across α, per-layer with software counters, both architectures",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext", "mobilenetv2"],
                                                                  "alpha": ["1", "1/2", "1/3", "1/6"],
                                                                  "add": ["fused", "separate"], "counters": ["software"]]),
                             measurement: m, compare: try! ComparisonSpec(baseline: ["add": "fused", "alpha": "1"]))
        case "table4":
            return SweepSpec(name: "table4",
                             description: "MobileNetV2-1.0 and MobileNeXt-1.0 in fp32 and int8 (paper Table 4: post-training quantization), each model's int8 alternated with its fp32",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenetv2", "mobilenext"], "dtype": ["f32", "int8"]]),
                             measurement: measurement, compare: compare("dtype", "f32"))
        case "table7-int8":
            return SweepSpec(name: "table7-int8", description: "MobileNeXt-1.0 in int8 at identity tensor multiplier α = 1, 1/2, 1/3, 1/6 (Table 7 in int8)",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext"], "alpha": ["1", "1/2", "1/3", "1/6"], "dtype": ["int8"]]),
                             measurement: measurement, compare: compare("alpha", "1"))
        default:
            return nil
        }
    }
}
