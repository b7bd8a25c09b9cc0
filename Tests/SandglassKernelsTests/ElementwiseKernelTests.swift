import SandglassKernels
import XCTest

/// f32_add_partial (the separate shortcut add) and f32_global_average_pool against references.
final class ElementwiseKernelTests: XCTestCase {
    func testPartialAddInPlaceAndOutOfPlace() throws {
        for kernels in try availableKernelSets() {
            for c in [1, 13, 24, 37, 96] {
                for k in [0, 1, 5, c / 3, c] where k <= c {
                    for clamp: (Float, Float) in [(-.infinity, .infinity), (0, 0.5)] {
                        var rng = TestRandom(seed: UInt64(c * 100 + k))
                        let pixels = 11
                        let branchDense = rng.array(pixels * c), identityDense = rng.array(pixels * c)
                        let expected = referencePartialAdd(branch: branchDense, identity: identityDense, pixels: pixels,
                                                           channels: c, addedChannels: k, minValue: clamp.0, maxValue: clamp.1)
                        let identity = StridedTensor(pixels: pixels, channels: c, dense: identityDense)
                        // In place: the branch buffer is the output.
                        let branch = StridedTensor(pixels: pixels, channels: c, dense: branchDense)
                        let args = PartialAddArguments(branch: branch.pointer, branchStride: branch.stride,
                                                       identity: identity.pointer, identityStride: identity.stride,
                                                       output: branch.pointer, outputStride: branch.stride,
                                                       pixels: pixels, channels: c, addedChannels: k,
                                                       minValue: clamp.0, maxValue: clamp.1)
                        kernels.addPartial(args, 0..<5)
                        kernels.addPartial(args, 5..<pixels)
                        XCTAssertLessThan(relativeError(branch.dense, expected), 1e-6, "\(kernels.isa) in place c=\(c) k=\(k)")
                        XCTAssertTrue(branch.paddingUntouched)
                        // Out of place.
                        let source = StridedTensor(pixels: pixels, channels: c, dense: branchDense)
                        let out = StridedTensor(pixels: pixels, channels: c)
                        var args2 = args
                        args2.branch = UnsafePointer(source.pointer)
                        args2.output = out.pointer
                        kernels.addPartial(args2, 0..<pixels)
                        XCTAssertLessThan(relativeError(out.dense, expected), 1e-6, "\(kernels.isa) copy c=\(c) k=\(k)")
                        XCTAssertTrue(out.paddingUntouched)
                    }
                }
            }
        }
    }

    func testGlobalAveragePool() throws {
        for kernels in try availableKernelSets() {
            for pixels in [1, 3, 49, 50] {
                for c in [1, 13, 40, 1280] {
                    var rng = TestRandom(seed: UInt64(pixels * 7 + c))
                    let dense = rng.array(pixels * c)
                    let input = StridedTensor(pixels: pixels, channels: c, dense: dense)
                    let out = StridedTensor(pixels: 1, channels: c)
                    let args = GlobalAveragePoolArguments(input: input.pointer, pixels: pixels, inputStride: input.stride,
                                                          channels: c, output: out.pointer)
                    kernels.globalAveragePool(args, 0..<c)
                    XCTAssertLessThan(relativeError(out.dense, referenceGlobalAveragePool(dense, pixels: pixels, channels: c)),
                                      1e-5, "\(kernels.isa) pixels=\(pixels) c=\(c)")
                    XCTAssertTrue(out.paddingUntouched)
                }
            }
        }
    }
}
