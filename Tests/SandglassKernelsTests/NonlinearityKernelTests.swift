import SandglassKernels
import SandglassSelfTest
import XCTest

/// f32_nonlinearity (hard-swish, hard-sigmoid, sigmoid, SiLU) against the Double reference on
/// every available ISA: channel counts off every vector width, in place and not, inputs over
/// both saturated ends.
final class NonlinearityKernelTests: XCTestCase {
    func testEveryActivationOnAwkwardShapes() throws {
        let kinds: [NonlinearityArguments.Kind] = [.hardSwish, .hardSigmoid(alpha: 1.0 / 6, beta: 0.5), .sigmoid, .silu]
        for kernels in try availableKernelSets() {
            for kind in kinds {
                for c in [1, 3, 4, 7, 8, 15, 16, 17, 33, 100] {
                    for inPlace in [false, true] {
                        let r = KernelChecks.nonlinearity(kernels, kind: kind, pixels: 7, channels: c, inPlace: inPlace)
                        XCTAssertLessThan(r.error, 1e-6, "\(kernels.isa) \(kind) c=\(c) inPlace=\(inPlace)")
                        XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) \(kind) c=\(c)")
                    }
                }
            }
        }
    }

    /// The vector sigmoid's extremes: exactly 0 and 1 far out, 1/2 at 0, no NaN or infinity.
    func testSigmoidSaturatesWithoutNaN() {
        let x = SIMD16<Float>(-1000, -100, -88, -30, -1, 0, 1, 30, 88, 100, 1000, .greatestFiniteMagnitude,
                              -.greatestFiniteMagnitude, 1e-30, -1e-30, 0.5)
        let y = x.sigmoid()
        for i in 0..<16 { XCTAssertFalse(y[i].isNaN || y[i].isInfinite, "lane \(i): x=\(x[i]) → \(y[i])") }
        XCTAssertEqual(y[5], 0.5)
        XCTAssertEqual(y[0], 0, accuracy: 1e-30)
        XCTAssertEqual(y[10], 1)
    }
}
