import ArgumentParser
import SandglassEngine

extension Sandglass {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the built-in architectures and their parameters.")

        func run() throws {
            var table = TextTable(headers: ["model", "width 1.0: params (incl. BN)", "MAdds", "shortcut adds", "built as"])
            for arch in Architecture.allCases {
                let t = try ModelSpec(architecture: arch).build().totals
                table.add([arch.rawValue, grouped(t.paramsWithBatchNorm), grouped(t.madds), grouped(t.shortcutAdds),
                           arch.reference])
            }
            print(table.render())
            print("""

            Parameters of every model (flags of inspect, bench, run and sweep):
              --width       any positive width multiplier (0.35, 0.5, 0.75, 1.0, 1.4 in the paper)
              --alpha       identity tensor multiplier α: 1, 1/2, 1/3, 1/6 or a decimal in (0, 1];
                            the shortcut adds the first floor(α·C) channels (MobileNeXt's definition;
                            applied the same way to MobileNetV2's shortcuts, where α = 1 is torchvision)
              --resolution  input size, any value >= \(ModelSpec.minimumResolution) (224 in the paper)
              --classes     classifier outputs (1000)
              --seed        seed of the random weights (latency does not depend on their values)
            """)
        }
    }
}
