// The fp32 depthwise kernels as rows, the way XNNPACK lists its micro-kernels: each variant has a
// name (data type, operation, blocking), the shapes it applies to, and per ISA an entry point.
// The planner runs the first row that applies to a layer and the per-layer reports name it, so a
// new variant is one case here and one entry point per ISA file.

/// The variants, most specific first.
public enum DepthwiseVariant: CaseIterable, Sendable {
    /// 3×3, stride 1, on maps 7 pixels wide with left padding 1 (the last stages at 224×224).
    case k3s1w7
    case k3s1
    case k3s2
    case k5s1
    case k5s2
    /// Any square kernel and stride (the fallback).
    case kxk

    /// The name without the ISA.
    public var name: String {
        switch self {
        case .k3s1w7: "f32_dwconv3x3_s1_w7"
        case .k3s1: "f32_dwconv3x3_s1"
        case .k3s2: "f32_dwconv3x3_s2"
        case .k5s1: "f32_dwconv5x5_s1"
        case .k5s2: "f32_dwconv5x5_s2"
        case .kxk: "f32_dwconv_kxk"
        }
    }

    /// Whether this variant computes the layer these arguments describe.
    public func applies(_ a: DepthwiseArguments) -> Bool {
        switch self {
        case .k3s1w7: depthwiseIsWidth7(a, stride: a.stride)
        case .k3s1: a.kernelSize == 3 && a.stride == 1
        case .k3s2: a.kernelSize == 3 && a.stride == 2
        case .k5s1: a.kernelSize == 5 && a.stride == 1
        case .k5s2: a.kernelSize == 5 && a.stride == 2
        case .kxk: true
        }
    }
}

/// One row: a variant compiled for one ISA.
public struct DepthwiseKernel {
    public let variant: DepthwiseVariant
    public let isa: ISA
    public var run: (DepthwiseArguments, Range<Int>) -> Void
    /// As XNNPACK names its kernels: `f32_dwconv3x3_s1_w7__avx512`.
    public var name: String { "\(variant.name)__\(isa)" }

    public init(variant: DepthwiseVariant, isa: ISA, run: @escaping (DepthwiseArguments, Range<Int>) -> Void) {
        self.variant = variant; self.isa = isa; self.run = run
    }
}
