// Options shared by every command that builds a model or a plan.
import ArgumentParser
import SandglassEngine
import SandglassKernels
import SandglassHarness
import SandglassONNX
import SandglassProbes

struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An ONNX model to run instead of a built-in one (its input shape and architecture come from the file).",
                               valueName: "model.onnx"))
    var onnx: String?

    // Built-in model flags are optional so that combining them with --onnx can be rejected;
    // absent, they take the defaults named in their help.
    @Option(help: "Architecture: mobilenext, mobilenetv2, mobilenetv2-extra-dw or mobilenext-se (see 'sandglass models'). (default: mobilenext)")
    var model: String?

    // Unconditional: a negative value ("--width -1") is taken as the value, so that it meets the
    // same check as 0 rather than being read as a short flag and reported as a missing value.
    @Option(parsing: .unconditional, help: "Width multiplier, any positive value (0.35, 0.5, 0.75, 1.0, 1.4, ...). (default: 1.0)")
    var width: String?

    @Option(help: "Identity tensor multiplier α: 1, 1/2, 1/3, 1/6 or a decimal in (0, 1]; k = floor(α·C) channels. (default: 1)")
    var alpha: String?

    @Option(parsing: .unconditional, help: "Input resolution (square), at least 32. (default: 224)")
    var resolution: Int?

    @Option(parsing: .unconditional, help: "Number of classes of the classifier. (default: 1000)")
    var classes: Int?

    @Option(help: "Seed of the random weights. (default: 0)")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Load the weights and BatchNorm of an ONNX graph of the same architecture into the built-in model (checked layer by layer).",
                               valueName: "model.onnx"))
    var weights: String?

    @Option(help: ArgumentHelp("Inputs an int8 plan of a float model is calibrated on: a float32 .npy of N×C×H×W images (NCHW, the model's input size), instead of two seeded random ones.",
                               valueName: "x.npy"))
    var calibration: String?

    func architecture() throws -> Architecture {
        do { return try ModelName.architecture(parsing: model ?? "mobilenext") } catch let e as ParameterError {
            throw ValidationError(e.message)
        }
    }

    func spec() throws -> ModelSpec {
        let widthText = width ?? "1.0"
        guard let w = Double(widthText) else {
            throw ValidationError("width multiplier '\(widthText)' is not a number: use a value such as 0.35, 0.5, 0.75, 1.0 or 1.4")
        }
        let a: IdentityMultiplier
        do { a = try IdentityMultiplier(parsing: alpha ?? "1") } catch let e as ModelSpecError { throw ValidationError(e.message) }
        let spec = ModelSpec(architecture: try architecture(), width: w, alpha: a, resolution: resolution ?? 224,
                             classes: classes ?? 1000, seed: seed ?? 0)
        do { try spec.validate() } catch let e as ModelSpecError { throw ValidationError(e.message) }
        return spec
    }

    func validate() throws {
        guard onnx != nil else { _ = try spec(); return }
        let builtIn: [(String, Bool)] = [("--model", model != nil), ("--width", width != nil), ("--alpha", alpha != nil),
                                         ("--resolution", resolution != nil), ("--classes", classes != nil),
                                         ("--seed", seed != nil), ("--weights", weights != nil)]
        if let flag = builtIn.first(where: { $0.1 })?.0 {
            throw ValidationError("\(flag) describes a built-in model and cannot be combined with --onnx (an ONNX model's architecture, weights and input size come from the file)")
        }
    }

    /// The model these options describe: built in (with random or ONNX weights) or imported;
    /// with --calibration, its int8 parameters calibrated on those inputs.
    func load() throws -> LoadedModel {
        var loaded = try loadModel()
        guard let path = calibration else { return loaded }
        guard loaded.graph.quantization == nil else {
            throw CommandFailure("--calibration \(path): \(loaded.name) brings its own int8 parameters (an ONNX QDQ model); calibrate only float models")
        }
        let x: NumPyArray
        do { x = try NumPyArray.read(path) } catch let e as NumPyError { throw CommandFailure(e.message) } catch let e as FileError {
            throw CommandFailure(e.message)
        }
        let image = Array(loaded.inputDims.dropFirst())   // C, H, W
        guard x.shape.count == 4, Array(x.shape.dropFirst()) == image, x.shape[0] >= 1 else {
            throw CommandFailure("--calibration \(path) has shape \(NumPyArray.describe(x.shape)); it must hold N images of the model's input, (N, \(image.map(String.init).joined(separator: ", "))) float32 NCHW")
        }
        let (c, h, w) = (image[0], image[1], image[2])
        let samples = (0..<x.shape[0]).map { n -> [Float] in
            var nhwc = [Float](repeating: 0, count: c * h * w)
            for ch in 0..<c { for p in 0..<(h * w) { nhwc[p * c + ch] = x.values[(n * c + ch) * h * w + p] } }
            return nhwc
        }
        loaded.graph.quantization = QuantizationTable.calibrate(loaded.graph, inputs: samples)
        return loaded
    }

    private func loadModel() throws -> LoadedModel {
        do {
            if let path = onnx {
                let imported = try ONNXImporter.load(path: path)
                return LoadedModel(graph: imported.graph, spec: nil, onnx: imported, inputDims: imported.inputDims,
                                   outputDims: imported.outputDims)
            }
            let spec = try spec()
            var graph = try spec.build()
            if let path = weights {
                let source = try ONNXImporter.load(path: path)
                graph = try WeightTransfer.apply(weightsOf: source.graph, to: graph, sourceName: path)
            }
            let s = graph.outputShape
            return LoadedModel(graph: graph, spec: spec, onnx: nil,
                               inputDims: [1, 3, spec.resolution, spec.resolution],
                               outputDims: s.pixels == 1 ? [1, s.channels] : [1, s.channels, s.height, s.width])
        } catch let e as ONNXImportError {
            throw CommandFailure(e.message)
        }
    }
}

/// A model ready to plan: its graph and, for reports, where it came from.
struct LoadedModel {
    var graph: Graph
    /// The built-in model's parameters (nil for an imported one).
    var spec: ModelSpec?
    var onnx: ImportedONNXModel?
    /// ONNX-style (NCHW) dimensions of the input and output tensors.
    var inputDims: [Int]
    var outputDims: [Int]

    var name: String { graph.name }
}

struct EngineOptions: ParsableArguments {
    @Option(help: "Kernel ISA: auto, avx512, avx2 or neon (auto picks the best this CPU runs).")
    var isa: String = "auto"

    @Option(help: "Threads for intra-op parallelism (a persistent pool).")
    var threads: Int = 1

    @Option(help: "Shortcut add: fused (into the last depthwise conv's epilogue) or separate (its own op).")
    var add: String = "fused"

    @Option(help: "Fusion: auto (chains of convolutions whose intermediates would leave L2 run in bands of rows) or none (layer by layer, for per-layer profiles).")
    var fusion: String = "auto"

    @Option(help: "Arithmetic: f32, or int8 (weights int8 per output channel, activations 8-bit per tensor; a float model is calibrated on seeded random inputs, an ONNX QDQ model brings its own scales).")
    var dtype: String = "f32"

    func elementType() throws -> ElementType {
        do { return try ElementType(parsing: dtype) } catch let e as ParameterError { throw ValidationError(e.message) }
    }

    // Parsed by the parameter types every surface shares (SandglassParameters).
    func selectedISA() throws -> ISA? {
        do { return try ISAChoice(parsing: isa).isa } catch let e as ParameterError { throw ValidationError(e.message) }
    }

    func addMode() throws -> AddMode {
        do { return try AddMode(parsing: add) } catch let e as ParameterError { throw ValidationError(e.message) }
    }

    func fusionMode() throws -> Fusion {
        do { return try Fusion(parsing: fusion) } catch let e as ParameterError { throw ValidationError(e.message) }
    }

    @Option(help: "Kernel tuning: cached (reuse the choices measured on this CPU model, measuring the layer shapes not yet cached), fresh (measure every shape again) or off (the built-in choices).")
    var tuning: String = "cached"

    func tuningMode() throws -> TuningMode {
        do { return try TuningMode(parsing: tuning) } catch let e as ParameterError { throw ValidationError(e.message) }
    }

    func planOptions() throws -> PlanOptions {
        var options = PlanOptions(isa: try selectedISA(), addMode: try addMode(), threads: threads, fusion: try fusionMode(),
                                  l2Bytes: (try? HwlocTopology.load())?.l2Bytes ?? PlanOptions.defaultL2Bytes)
        options.elementType = try elementType()
        return options
    }

    func validate() throws {
        do { try ThreadCount.check(threads) } catch let e as ParameterError { throw ValidationError(e.message) }
        _ = try selectedISA()
        _ = try addMode()
        _ = try fusionMode()
        _ = try tuningMode()
        _ = try elementType()
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
