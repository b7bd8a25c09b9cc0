import ArgumentParser
import SandglassEngine
import SandglassHarness

extension Sandglass {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one inference on a NumPy .npy input and write the output as .npy.",
            discussion: """
            The input is float32 in NCHW order with the model's input shape: 1x3xRxR for built-in models, \
            the graph input's shape for --onnx models. The output is float32: 1xN for classifiers, 1xCxHxW otherwise.

            Examples:
              sandglass run --onnx m.onnx --input x.npy --output y.npy
              sandglass run --model mobilenext --alpha 1/2 --weights m.onnx \\
                            --input x.npy --output y.npy
            """)

        @OptionGroup var model: ModelOptions
        @OptionGroup var engine: EngineOptions

        @Option(help: ArgumentHelp("Input tensor: a float32 .npy in NCHW order, with the model's input shape.", valueName: "x.npy"))
        var input: String

        @Option(help: ArgumentHelp("Where to write the output tensor (float32 .npy).", valueName: "y.npy"))
        var output: String

        func run() throws {
            let loaded = try model.load()
            let plan: Plan
            do {
                var options = try engine.planOptions()
                // Tuned choices change only how fast the plan runs, never its output.
                if options.elementType == .f32 {
                    options.tuning = try PlanTuning.resolve(loaded.graph, options: options, mode: try engine.tuningMode()).table
                }
                plan = try Planner.plan(loaded.graph, options: options)
            } catch let e as ParameterError {
                throw CommandFailure.usage(e.message)
            } catch let e as ISASelectionError {
                throw CommandFailure.usage(e.description)
            } catch let e as PlanError {
                throw CommandFailure("\(loaded.name): \(e.message)")
            }
            let x: NumPyArray
            do { x = try NumPyArray.read(input) } catch let e as NumPyError {
                throw CommandFailure(e.message)
            } catch let e as FileError {
                throw CommandFailure(e.message)
            }
            guard x.shape == loaded.inputDims else {
                throw CommandFailure("\(input) has shape \(NumPyArray.describe(x.shape)); the model expects \(NumPyArray.describe(loaded.inputDims)) (float32, NCHW)")
            }
            try plan.setInput(x.values, nchw: true)
            Executor(plan: plan).run()
            let y = NumPyArray(shape: loaded.outputDims, values: plan.readOutput(nchw: true))
            do { try y.write(to: output) } catch let e as FileError { throw CommandFailure(e.message) }
            print("\(output): \(NumPyArray.describe(y.shape)) float32, output of \(loaded.name) (isa \(plan.isa.rawValue), dtype \(plan.elementType.rawValue), add \(plan.options.addMode.rawValue))")
        }
    }
}
