// How numbers read in every table and plot of a report: fixed decimals per unit, decimal
// prefixes (1 MB = 10^6 bytes, 1 GB/s = 10^9 bytes per second, as column headers say), and
// an em dash where a figure is absent. Markdown and CSV cells come from the same strings, so
// the two files always carry the same numbers.
import Foundation

public enum ReportFormat {
    /// Written where a figure is absent or not applicable.
    public static let missing = "—"

    /// `x` with `digits` decimals; "—" for NaN or infinity; never "-0.000".
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return missing }
        let s = String(format: "%.\(digits)f", x)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    public static func fixed(_ x: Double?, _ digits: Int) -> String { x.map { fixed($0, digits) } ?? missing }

    /// Milliseconds: 3 decimals (microseconds).
    public static func ms(_ x: Double?) -> String { fixed(x, 3) }
    /// A ratio such as latency relative to α = 1: 3 decimals.
    public static func ratio(_ x: Double?) -> String { fixed(x, 3) }
    /// A ratio with its confidence interval, "0.987 [0.975, 0.999]".
    public static func ratioWithCI(_ median: Double, _ low: Double, _ high: Double) -> String {
        let m: String = ratio(median), l: String = ratio(low), h: String = ratio(high)
        return m + " [" + l + ", " + h + "]"
    }
    /// Percent: 1 decimal.
    public static func percent(_ x: Double?) -> String { fixed(x, 1) }
    /// A signed percent change, "+1.2" or "-3.4".
    public static func signedPercent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return missing }
        let s = fixed(x, 1)
        return s.hasPrefix("-") || s == "0.0" ? s : "+" + s
    }
    /// A signed millisecond difference.
    public static func signedMs(_ x: Double?) -> String {
        guard let x, x.isFinite else { return missing }
        let s = fixed(x, 3)
        return s.hasPrefix("-") || s == "0.000" ? s : "+" + s
    }
    /// Millions (parameters, MAdds) with 2 decimals.
    public static func millions(_ x: Int) -> String { fixed(Double(x) / 1e6, 2) }
    /// Megabytes (10^6 B) with 2 decimals.
    public static func megabytes(_ bytes: Double?) -> String { fixed(bytes.map { $0 / 1e6 }, 2) }
    /// Kilobytes (10^3 B) with 1 decimal.
    public static func kilobytes(_ bytes: Double?) -> String { fixed(bytes.map { $0 / 1e3 }, 1) }
    /// GFLOP/s or GB/s: 1 decimal.
    public static func rate(_ x: Double?) -> String { fixed(x, 1) }

    /// A counter value: integers as integers, large or fractional values with 4 significant digits.
    public static func counter(_ x: Double) -> String {
        guard x.isFinite else { return missing }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.4g", x)
    }

    /// A width multiplier as the CLI writes it (1.0, 0.35).
    public static func width(_ w: Double) -> String { "\(w)" }

    /// Bytes in binary units for cache sizes (48 KiB, 1 MiB), as the kernel reports them.
    public static func binaryBytes(_ bytes: Int) -> String {
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) B"
    }

    /// "MobileNeXt" / "MobileNetV2" from the record's model name; an imported model by its file
    /// name, "efficientnet_b0 (ONNX)".
    public static func architecture(_ model: String) -> String {
        switch model {
        case "mobilenext": return "MobileNeXt"
        case "mobilenetv2": return "MobileNetV2"
        case "mobilenetv2-extra-dw": return "MobileNetV2+dw"
        case "mobilenext-se": return "MobileNeXt+SE"
        default:
            guard let stem = onnxStem(model) else { return model }
            return "\(stem) (ONNX)"
        }
    }

    /// The file name without folder and extension of an "onnx:<path>" model; nil for a built-in one.
    public static func onnxStem(_ model: String) -> String? {
        guard model.hasPrefix("onnx:") else { return nil }
        var name = String(model.dropFirst(5).split(separator: "/").last ?? "")
        if name.hasSuffix(".onnx") { name.removeLast(5) }
        return name.isEmpty ? nil : name
    }

    /// "MobileNeXt-1.0"; an imported model has no width multiplier of ours: "efficientnet_b0 (ONNX)".
    public static func model(_ model: String, width: Double) -> String {
        onnxStem(model) == nil ? "\(architecture(model))-\(self.width(width))" : architecture(model)
    }
}
