// Whole networks through the planner and executor (folded BatchNorm, the ISA's kernels, fused
// or separate shortcut adds, one or two threads) against the reference executor (unfolded
// BatchNorm, scalar loops), small enough to take a fraction of a second each.
import SandglassEngine

/// One network configuration against the reference executor.
public struct NetworkCheck: Codable, Equatable, Sendable {
    public var model: String
    public var isa: String
    public var add: String
    public var threads: Int
    public var maxRelError: Double
    public var passed: Bool
    public var failure: String?
}

public enum NetworkChecks {
    public static let tolerance: Float = 1e-4

    /// The models checked: MobileNeXt at α = 1 and 1/6, MobileNetV2 and MobileNeXt with
    /// squeeze-and-excite (α = 1/2), at width 0.5 and 64×64.
    public static func models() throws -> [ModelSpec] {
        [try ModelSpec(architecture: .mobilenext, width: 0.5, alpha: IdentityMultiplier(parsing: "1"), resolution: 64, seed: 7),
         try ModelSpec(architecture: .mobilenext, width: 0.5, alpha: IdentityMultiplier(parsing: "1/6"), resolution: 64, seed: 7),
         ModelSpec(architecture: .mobilenetv2, width: 0.5, alpha: .one, resolution: 64, seed: 7),
         try ModelSpec(architecture: .mobilenextSE, width: 0.5, alpha: IdentityMultiplier(parsing: "1/2"), resolution: 64, seed: 7)]
    }

    /// Every model, fused and separate adds, one and two threads, on `isa`. Fused adds run with
    /// depth-first chains (a 32 KiB L2 makes these 64×64 maps chain as 224×224 maps do with a
    /// real L2), separate adds layer by layer: both execution paths are checked.
    public static func run(isa: ISA) throws -> [NetworkCheck] {
        var checks: [NetworkCheck] = []
        for spec in try models() {
            let graph = try spec.build()
            var random = SeededRandom(seed: 1)
            let input = random.uniform(-1, 1, count: graph.inputShape.elements)
            let expected = ReferenceExecutor.run(graph, input: input)
            for add in AddMode.allCases {
                for threads in [1, 2] {
                    let plan = try Planner.plan(graph, options: PlanOptions(isa: isa, addMode: add, threads: threads,
                                                                            fusion: add == .fused ? .auto : .none, l2Bytes: 32 * 1024))
                    try plan.setInput(input, nchw: false)
                    let executor = Executor(plan: plan)
                    executor.run()
                    let first = plan.readOutput(nchw: false)
                    executor.run()
                    let second = plan.readOutput(nchw: false)
                    let error = relativeError(first, expected)
                    var failure: String?
                    if !(error <= tolerance) {
                        failure = "relative error \(error) against the reference executor, above \(tolerance)"
                    } else if first != second {
                        failure = "a second inference gave another answer (state leaks between runs)"
                    }
                    checks.append(NetworkCheck(model: graph.name, isa: isa.rawValue, add: add.rawValue, threads: threads,
                                               maxRelError: Double(error), passed: failure == nil, failure: failure))
                }
            }
        }
        return checks
    }
}
