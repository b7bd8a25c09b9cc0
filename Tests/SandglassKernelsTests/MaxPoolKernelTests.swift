import SandglassKernels
import SandglassSelfTest
import XCTest

/// f32_maxpool against the scalar reference on every available ISA: windows clipped at every
/// edge, strides that skip columns, trailing pads, channel counts off every vector width, and a
/// map of negative values only (a zero from padding would win a max that it must not enter).
final class MaxPoolKernelTests: XCTestCase {
    func testWindowsStridesAndPadsOnAwkwardShapes() throws {
        for kernels in try availableKernelSets() {
            for c in [1, 3, 4, 7, 8, 15, 16, 17, 33] {
                for (kh, kw, sh, sw, pt, pl) in [(3, 3, 2, 2, 1, 1), (2, 2, 2, 2, 0, 0), (3, 3, 1, 1, 1, 1), (3, 2, 2, 1, 0, 1),
                                                 (5, 5, 2, 3, 2, 2), (1, 1, 1, 1, 0, 0)] {
                    let window = MaxPoolWindow(kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl)
                    for (h, w) in [(7, 9), (6, 5), (13, 11)] {
                        let r = KernelChecks.maxPool(kernels, height: h, width: w, channels: c, window: window, bottomPad: 0, rightPad: pl)
                        XCTAssertEqual(r.error, 0, "\(kernels.isa) \(h)x\(w)x\(c) window \(window)")
                        XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) \(h)x\(w)x\(c)")
                    }
                }
            }
        }
    }

    func testPaddingNeverWinsOverNegativeValues() throws {
        for kernels in try availableKernelSets() {
            let (h, w, c) = (4, 4, 5)
            let dense = (0..<(h * w * c)).map { -1 - Float($0) }
            let input = StridedTensor(pixels: h * w, channels: c, dense: dense)
            let out = StridedTensor(pixels: 4, channels: c)
            let window = MaxPoolWindow(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1)
            kernels.maxPool.run(MaxPoolArguments(input: input.pointer, inputHeight: h, inputWidth: w, inputStride: input.stride,
                                             output: out.pointer, outputWidth: 2, outputStride: out.stride, channels: c,
                                             window: window), 0..<2)
            // Output (0, 0) covers input rows 0–1, columns 0–1: its max is input pixel 0.
            XCTAssertEqual(Array(out.dense.prefix(c)), Array(dense.prefix(c)), "\(kernels.isa)")
            XCTAssertTrue(out.dense.allSatisfy { $0 < 0 })
        }
    }
}
