// One compiled variant of one operation as a named row, the way XNNPACK lists its micro-kernels:
// the name says data type, operation, blocking and instruction set (`f32_maxpool__avx2`,
// `qu8_gemm_4x16c4w__avx2`), so the planner takes both from the row and the per-layer reports
// name the kernel that ran, never a string rebuilt elsewhere.

public struct KernelRow<Run> {
    public let name: String
    /// Settable so that a test (or the self-test's breakage hook) can swap one in a copy of a set.
    public var run: Run

    public init(name: String, run: Run) { self.name = name; self.run = run }
}
