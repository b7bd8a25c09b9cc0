// The built-in architectures and the one table of names a user may call them by (CLI flags,
// sweep axes, --versus, results files all go through ModelName).

public enum Architecture: String, CaseIterable, Codable, Sendable {
    case mobilenext
    case mobilenetv2

    public var displayName: String {
        switch self {
        case .mobilenext: return "MobileNeXt"
        case .mobilenetv2: return "MobileNetV2"
        }
    }

    public var reference: String {
        switch self {
        case .mobilenext: return "official MobileNeXt code (mnext.py: SGBlock, MXNet), see mobilenext-spec.md"
        case .mobilenetv2: return "torchvision mobilenet_v2"
        }
    }
}

public enum ModelName {
    /// Accepted spellings of each built-in architecture (case, '-' and '_' ignored).
    public static let aliases: [String: Architecture] = [
        "mobilenext": .mobilenext, "mnext": .mobilenext, "mxnet": .mobilenext,
        "mobilenetv2": .mobilenetv2, "mbv2": .mobilenetv2, "mnv2": .mobilenetv2,
    ]

    public static func architecture(parsing name: String) throws -> Architecture {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" }
        guard let arch = aliases[key] else {
            throw ParameterError("unknown model '\(name)': choose mobilenext or mobilenetv2 (see 'sandglass models')")
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
            throw ParameterError("unknown model '\(value)': choose mobilenext, mobilenetv2 or onnx:<path to an .onnx file>")
        }
    }
}
