// Built-in sweeps, runnable without a file (`sandglass sweep --preset NAME`).

public enum SweepPresets {
    public static let names = ["table7", "table3", "add-vs-mac"]

    /// Five interleaved rounds of at least 50 samples each: the reports pair points round by
    /// round, which cancels the host's drift that the CI of pooled samples does not see.
    static var measurement: MeasurementSettings {
        var m = MeasurementSettings()
        m.rounds = 5
        m.minRepetitions = 250
        return m
    }

    public static func spec(named name: String) -> SweepSpec? {
        switch name {
        case "table7":
            return SweepSpec(name: "table7", description: "MobileNeXt-1.0 at identity tensor multiplier α = 1, 1/2, 1/3, 1/6 (paper Table 7)",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext"], "alpha": ["1", "1/2", "1/3", "1/6"]]),
                             measurement: measurement)
        case "table3":
            return SweepSpec(name: "table3", description: "MobileNeXt and MobileNetV2 at width 0.35, 0.5, 0.75, 1.0, 1.4 (paper Table 3)",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext", "mobilenetv2"],
                                                                  "width": ["0.35", "0.5", "0.75", "1.0", "1.4"]]),
                             measurement: measurement)
        case "add-vs-mac":
            var m = measurement
            m.perLayerIterations = 30
            return SweepSpec(name: "add-vs-mac",
                             description: "Fused versus separate shortcut adds across α, per-layer with software counters, both architectures",
                             points: try! SweepSpec.crossProduct(["model": ["mobilenext", "mobilenetv2"],
                                                                  "alpha": ["1", "1/2", "1/3", "1/6"],
                                                                  "add": ["fused", "separate"], "counters": ["software"]]),
                             measurement: m)
        default:
            return nil
        }
    }
}
