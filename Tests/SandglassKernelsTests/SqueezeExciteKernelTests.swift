import SandglassKernels
import SandglassSelfTest
import XCTest

/// f32_se_gate and f32_channel_scale against their references, on every available ISA.
final class SqueezeExciteKernelTests: XCTestCase {
    func testGateOnAwkwardShapes() throws {
        let gates: [SqueezeExciteGateArguments.Gate] = [.sigmoid, .hardSigmoid(alpha: 0.2, beta: 0.5)]
        for kernels in try availableKernelSets() {
            // Channels below, at, and off every vector width; one squeeze channel; a wide layer.
            for (c, s) in [(1, 1), (3, 1), (4, 1), (15, 4), (16, 4), (17, 5), (33, 8), (100, 7), (960, 40)] {
                for silu in [false, true] {
                    for gate in gates {
                        let r = KernelChecks.squeezeExciteGate(kernels, channels: c, squeeze: s, innerSiLU: silu, gate: gate)
                        XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) c=\(c) s=\(s) silu=\(silu) \(gate)")
                        XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) c=\(c)")
                    }
                }
            }
        }
    }

    func testChannelScaleOnAwkwardShapes() throws {
        for kernels in try availableKernelSets() {
            for pixels in [1, 2, 9, 49] {
                for c in [1, 2, 5, 8, 15, 16, 17, 31, 33, 100, 144] {
                    let r = KernelChecks.channelScale(kernels, pixels: pixels, channels: c)
                    XCTAssertLessThan(r.error, 1e-6, "\(kernels.isa) pixels=\(pixels) c=\(c)")
                    XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) pixels=\(pixels) c=\(c)")
                }
            }
        }
    }

    /// The hard-sigmoid gate saturates: inputs far below and above give exactly 0 and 1.
    func testHardSigmoidGateSaturatesExactly() {
        let out = referenceSqueezeExciteGate(pooled: [1, 0], channels: 2, squeezeChannels: 1, reduceWeights: [1, 0],
                                             reduceBias: [0], innerSiLU: false, expandWeights: [100, -100],
                                             expandBias: [0, 0], gate: .hardSigmoid(alpha: 1.0 / 6, beta: 0.5))
        XCTAssertEqual(out, [1, 0])
    }
}
