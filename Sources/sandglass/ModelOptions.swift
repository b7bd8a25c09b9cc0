// Options shared by every command that builds a model or a plan.
import ArgumentParser
import SandglassEngine
import SandglassKernels

struct ModelOptions: ParsableArguments {
    @Option(help: "Architecture: mobilenext or mobilenetv2 (see 'sandglass models').")
    var model: String = "mobilenext"

    @Option(help: "Width multiplier, any positive value (0.35, 0.5, 0.75, 1.0, 1.4, ...).")
    var width: String = "1.0"

    @Option(help: "Identity tensor multiplier α: 1, 1/2, 1/3, 1/6 or a decimal in (0, 1]; k = floor(α·C) channels.")
    var alpha: String = "1"

    @Option(help: "Input resolution (square), at least 32.")
    var resolution: Int = 224

    @Option(help: "Number of classes of the classifier.")
    var classes: Int = 1000

    @Option(help: "Seed of the random weights.")
    var seed: UInt64 = 0

    func architecture() throws -> Architecture {
        let key = model.lowercased().filter { $0 != "-" && $0 != "_" }
        switch key {
        case "mobilenext", "mnext", "mxnet": return .mobilenext
        case "mobilenetv2", "mbv2", "mnv2": return .mobilenetv2
        default:
            throw ValidationError("unknown model '\(model)': choose mobilenext or mobilenetv2 (see 'sandglass models')")
        }
    }

    func spec() throws -> ModelSpec {
        guard let w = Double(width) else {
            throw ValidationError("width multiplier '\(width)' is not a number: use a value such as 0.35, 0.5, 0.75, 1.0 or 1.4")
        }
        let a: IdentityMultiplier
        do { a = try IdentityMultiplier(parsing: alpha) } catch let e as ModelSpecError { throw ValidationError(e.message) }
        let spec = ModelSpec(architecture: try architecture(), width: w, alpha: a, resolution: resolution,
                             classes: classes, seed: seed)
        do { try spec.validate() } catch let e as ModelSpecError { throw ValidationError(e.message) }
        return spec
    }

    func validate() throws { _ = try spec() }
}

struct EngineOptions: ParsableArguments {
    @Option(help: "Kernel ISA: auto, avx512, avx2 or neon (auto picks the best this CPU runs).")
    var isa: String = "auto"

    @Option(help: "Threads for intra-op parallelism (a persistent pool).")
    var threads: Int = 1

    @Option(help: "Shortcut add: fused (into the last depthwise conv's epilogue) or separate (its own op).")
    var add: String = "fused"

    func selectedISA() throws -> ISA? {
        if isa == "auto" { return nil }
        guard let value = ISA(rawValue: isa.lowercased()) else {
            throw ValidationError("unknown ISA '\(isa)': choose auto, \(ISA.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func addMode() throws -> AddMode {
        guard let mode = AddMode(rawValue: add.lowercased()) else {
            throw ValidationError("unknown add mode '\(add)': choose fused or separate")
        }
        return mode
    }

    func planOptions() throws -> PlanOptions {
        PlanOptions(isa: try selectedISA(), addMode: try addMode(), threads: threads)
    }

    func validate() throws {
        guard threads >= 1, threads <= 256 else { throw ValidationError("threads must be between 1 and 256 (got \(threads))") }
        _ = try selectedISA()
        _ = try addMode()
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
