import SandglassEngine
import SandglassKernels
import XCTest

/// Whole 8-bit networks: the fast kernel rows give the scalar references' bytes exactly, with
/// one thread and two, and the int8 output follows the float one.
final class QuantizedNetworkTests: XCTestCase {
    func output(_ graph: Graph, table: QuantizationTable, threads: Int = 1, add: AddMode = .fused,
                kernels: QuantizedKernelSet? = nil) throws -> [Float] {
        var options = PlanOptions(addMode: add, threads: threads)
        options.elementType = .int8
        let plan = try QuantizedPlanner.plan(graph, table: table, options: options, quantizedKernels: kernels)
        XCTAssertEqual(plan.elementType, .int8)
        let fusedSteps = plan.steps.filter { $0.op.hasSuffix("+add") }.count
        if add == .separate { XCTAssertEqual(fusedSteps, 0) }
        plan.setRandomInput(seed: 3)
        Executor(plan: plan).run()
        return plan.readOutput(nchw: false)
    }

    func testFastKernelsMatchReferenceAndFloat() throws {
        let cases: [ModelSpec] = [
            try ModelSpec(architecture: .mobilenext, width: 0.5, alpha: IdentityMultiplier(parsing: "1/2"), resolution: 40, classes: 24),
            try ModelSpec(architecture: .mobilenext, width: 0.35, alpha: IdentityMultiplier(parsing: "1/6"), resolution: 35, classes: 10),
            try ModelSpec(architecture: .mobilenetv2, width: 0.75, resolution: 33, classes: 17),
        ]
        for spec in cases {
            let graph = try spec.build()
            let table = QuantizationTable.calibrate(graph)
            let reference = try output(graph, table: table, kernels: .reference)
            for set in ISASelection.allQuantizedKernelSets {
                XCTAssertEqual(try output(graph, table: table, kernels: set), reference, "\(spec) with \(set.isaName)")
            }
            XCTAssertEqual(try output(graph, table: table, threads: 2), reference, "\(spec), two threads")
            // The fused add rounds as the separate one does (the branch's bytes, then the sum).
            XCTAssertEqual(try output(graph, table: table, add: .separate), reference, "\(spec), separate adds")
            // Against the float network on the same input: the same classes lead.
            let float = try Planner.plan(graph)
            float.setRandomInput(seed: 3)
            Executor(plan: float).run()
            let y = float.readOutput(nchw: false)
            let scale = y.map(abs).max() ?? 1
            let worst = zip(y, reference).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThan(worst / scale, 0.1, "\(spec): int8 is \(worst / scale) of the output's range away from f32")
            XCTAssertGreaterThan(scale, 0)
        }
    }

    func testUnsupportedLayerIsAClearError() throws {
        var b = GraphBuilder(name: "maxpool")
        let x = try b.addInput(TensorShape(height: 8, width: 8, channels: 4))
        let y = try b.maxPool("pool", x, MaxPool(kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2))
        let graph = try b.build(output: y)
        var options = PlanOptions()
        options.elementType = .int8
        XCTAssertThrowsError(try Planner.plan(graph, options: options)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("pool") && text.contains("--dtype f32"), text)
        }
    }
}
