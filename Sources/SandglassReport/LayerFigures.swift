// Derived per-layer figures, defined once for every table and plot:
//   FLOPs = 2 × MAdds + shortcut adds (a multiply-accumulate is two operations, an add one);
//   analytic bytes = bytes read + bytes written (the minimum the step must move: weights,
//   inputs, identity, outputs in fp32);
//   arithmetic intensity = FLOPs / analytic bytes;
//   achieved GFLOP/s and GB/s = FLOPs or bytes over the step's measured time.
import SandglassHarness

public extension LayerRecord {
    var flops: Double { 2 * Double(madds) + Double(shortcutAdds) }
    var analyticBytes: Double { Double(bytesRead + bytesWritten) }
    var arithmeticIntensity: Double? { analyticBytes > 0 ? flops / analyticBytes : nil }
    var achievedGFLOPS: Double? { timeMs > 0 ? flops / (timeMs * 1e6) : nil }
    var achievedGBps: Double? { timeMs > 0 ? analyticBytes / (timeMs * 1e6) : nil }

    /// The block a step belongs to: "s3.b1" for "s3.b1.dw2+s3.b1.add"; the step's own name
    /// for layers outside blocks (stem, head, pool, fc).
    var block: String {
        let first = name.split(separator: "+").first.map(String.init) ?? name
        let parts = first.split(separator: ".")
        guard parts.count >= 3, parts[0].hasPrefix("s"), parts[1].hasPrefix("b") else { return first }
        return "\(parts[0]).\(parts[1])"
    }

    /// A separate shortcut-add step (not an add fused into a convolution's epilogue).
    var isSeparateAdd: Bool { op == "add" || op.hasPrefix("add[") }
}

public extension PointRecord {
    /// FLOPs per inference from the model's counts (same definition as per layer).
    var flops: Double { 2 * Double(totals.madds) + Double(totals.shortcutAdds) }
    /// Sum of the per-layer times (the instrumented pass), when the point has layers.
    var sumOfLayersMs: Double? {
        guard let layers, !layers.isEmpty else { return nil }
        return layers.reduce(0) { $0 + $1.timeMs }
    }
}
