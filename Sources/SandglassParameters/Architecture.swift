// The built-in architectures and the one table of names a user may call them by (CLI flags,
// sweep axes, --versus, results files all go through ModelName).

public enum Architecture: String, CaseIterable, Codable, Sendable {
    case mobilenext
    case mobilenetv2
    /// The paper's Table 5: MobileNetV2 with one more 3×3 depthwise convolution in the middle of
    /// each inverted residual block (placement and counts: Reports/model-variants/README.md).
    case mobilenetv2ExtraDW = "mobilenetv2-extra-dw"
    /// The paper's Table 6 MobileNeXt†: MobileNeXt with a squeeze-and-excite module after the
    /// first depthwise convolution of each block that has one (Reports/model-variants/README.md).
    case mobilenextSE = "mobilenext-se"

    public var displayName: String {
        switch self {
        case .mobilenext: return "MobileNeXt"
        case .mobilenetv2: return "MobileNetV2"
        case .mobilenetv2ExtraDW: return "MobileNetV2+dw"
        case .mobilenextSE: return "MobileNeXt+SE"
        }
    }

    public var reference: String {
        switch self {
        case .mobilenext: return "official MobileNeXt code (mnext.py: SGBlock, MXNet), see mobilenext-spec.md"
        case .mobilenetv2: return "torchvision mobilenet_v2"
        case .mobilenetv2ExtraDW: return "mobilenet_v2 + a 3x3 depthwise before each block's own (paper Table 5)"
        case .mobilenextSE: return "MobileNeXt + squeeze-and-excite after each first depthwise, squeeze = bottleneck/4 (paper Table 6's MobileNeXt†)"
        }
    }
}

public enum ModelName {
    /// Accepted spellings of each built-in architecture (case, '-' and '_' ignored).
    public static let aliases: [String: Architecture] = [
        "mobilenext": .mobilenext, "mnext": .mobilenext, "mxnet": .mobilenext,
        "mobilenetv2": .mobilenetv2, "mbv2": .mobilenetv2, "mnv2": .mobilenetv2,
        "mobilenetv2extradw": .mobilenetv2ExtraDW, "mbv2extradw": .mobilenetv2ExtraDW,
        "mobilenextse": .mobilenextSE, "mnextse": .mobilenextSE,
    ]

    /// "mobilenext, mobilenetv2, mobilenetv2-extra-dw or mobilenext-se", for messages.
    public static var choices: String {
        let names = Architecture.allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    public static func architecture(parsing name: String) throws -> Architecture {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" }
        guard let arch = aliases[key] else {
            throw ParameterError("unknown model '\(name)': choose \(choices) (see 'sandglass models')")
        }
        return arch
    }

    /// A sweep's model value: a built-in architecture's canonical name, or onnx:<path>.
    public static func canonical(parsing value: String) throws -> String {
        if value.hasPrefix("onnx:") {
            guard value.count > 5 else { throw ParameterError("model 'onnx:' needs a path, e.g. onnx:models/mine.onnx") }
            return value
        }
        do { return try architecture(parsing: value).rawValue } catch {
            throw ParameterError("unknown model '\(value)': choose \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")) or onnx:<path to an .onnx file>")
        }
    }
}
