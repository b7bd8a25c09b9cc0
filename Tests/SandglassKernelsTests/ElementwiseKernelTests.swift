import SandglassKernels
import XCTest

/// f32_add_partial (the separate shortcut add) and f32_global_average_pool against references.
final class ElementwiseKernelTests: XCTestCase {
    func testPartialAddInPlaceAndOutOfPlace() throws {
        for kernels in try availableKernelSets() {
            for c in [1, 13, 24, 37, 96] {
                for k in [0, 1, 5, c / 3, c] where k <= c {
                    for clamp: (Float, Float) in [(-.infinity, .infinity), (0, 0.5)] {
                        let (inPlace, copy) = KernelChecks.partialAdd(kernels, channels: c, added: k, clamp: clamp)
                        XCTAssertLessThan(inPlace.error, 1e-6, "\(kernels.isa) in place c=\(c) k=\(k)")
                        XCTAssertTrue(inPlace.paddingUntouched)
                        XCTAssertLessThan(copy.error, 1e-6, "\(kernels.isa) copy c=\(c) k=\(k)")
                        XCTAssertTrue(copy.paddingUntouched)
                    }
                }
            }
        }
    }

    func testGlobalAveragePool() throws {
        for kernels in try availableKernelSets() {
            for pixels in [1, 3, 49, 50] {
                for c in [1, 13, 40, 1280] {
                    let r = KernelChecks.globalAveragePool(kernels, pixels: pixels, channels: c)
                    XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) pixels=\(pixels) c=\(c)")
                    XCTAssertTrue(r.paddingUntouched)
                }
            }
        }
    }
}
