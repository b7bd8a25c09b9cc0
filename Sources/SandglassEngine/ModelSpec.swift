// What the user asks for: an architecture at a width multiplier, an identity tensor
// multiplier α, an input resolution and a class count. Validation errors say what was wrong
// and how to fix it; nothing here traps on bad input. Architecture and IdentityMultiplier are
// sweep parameters and live in SandglassParameters.
@_exported import SandglassParameters

/// Validation errors of models and their parameters (one type with the parameters' own).
public typealias ModelSpecError = ParameterError

public struct ModelSpec: Hashable, Codable, Sendable {
    public var architecture: Architecture
    public var width: Double
    public var alpha: IdentityMultiplier
    public var resolution: Int
    public var classes: Int
    public var seed: UInt64

    public static let minimumResolution = 32

    public init(architecture: Architecture, width: Double = 1.0, alpha: IdentityMultiplier = .one,
                resolution: Int = 224, classes: Int = 1000, seed: UInt64 = 0) {
        self.architecture = architecture; self.width = width; self.alpha = alpha
        self.resolution = resolution; self.classes = classes; self.seed = seed
    }

    public func validate() throws {
        guard width.isFinite, width > 0 else {
            throw ModelSpecError("width multiplier \(width) must be a positive number, for example 0.35, 0.5, 0.75, 1.0 or 1.4")
        }
        guard width <= 10 else {
            throw ModelSpecError("width multiplier \(width) is too large (at most 10): the model would not fit in memory")
        }
        guard resolution >= ModelSpec.minimumResolution else {
            throw ModelSpecError("resolution \(resolution) is too small: use at least \(ModelSpec.minimumResolution) (five stride-2 layers halve it to 1x1)")
        }
        guard resolution <= 4096 else { throw ModelSpecError("resolution \(resolution) is too large: use at most 4096") }
        guard classes >= 1, classes <= 100_000 else {
            throw ModelSpecError("number of classes \(classes) must be between 1 and 100000")
        }
    }

    /// "MobileNeXt-1.0 α=1/2 @224".
    public var displayName: String {
        "\(architecture.displayName)-\(ModelSpec.formatWidth(width)) α=\(alpha) @\(resolution)"
    }

    public static func formatWidth(_ w: Double) -> String {
        let s = "\(w)"
        return s
    }

    /// Builds the graph with seeded random weights.
    public func build() throws -> Graph {
        try validate()
        switch architecture {
        case .mobilenext: return try MobileNeXt.build(self)
        case .mobilenetv2: return try MobileNetV2.build(self)
        case .mobilenetv2ExtraDW: return try MobileNetV2.build(self, extraDepthwise: true)
        case .mobilenextSE: return try MobileNeXt.build(self, squeezeExcite: true)
        }
    }
}
