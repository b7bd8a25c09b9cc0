import SandglassKernels
import XCTest

/// f32_conv_direct (the stem and imported dense convolutions) against the scalar reference.
final class DirectConvTests: XCTestCase {
    func check(kernels: KernelSet, h: Int, w: Int, cin: Int, cout: Int, k: Int, stride: Int,
               pads: (Int, Int, Int, Int), clamp: (Float, Float) = (-.infinity, .infinity),
               residual: Int = 0, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRandom(seed: UInt64(h * 31 + w * 17 + cin * 5 + cout + k + stride))
        let ref = ReferenceConvolution(inputHeight: h, inputWidth: w, inputChannels: cin, outputChannels: cout,
                                       kernelHeight: k, kernelWidth: k, strideHeight: stride, strideWidth: stride,
                                       padTop: pads.0, padLeft: pads.1, padBottom: pads.2, padRight: pads.3, groups: 1,
                                       weights: rng.array(cout * cin * k * k), bias: rng.array(cout),
                                       minValue: clamp.0, maxValue: clamp.1)
        let oh = ref.outputHeight, ow = ref.outputWidth
        let inputDense = rng.array(h * w * cin)
        let residualDense = rng.array(oh * ow * cout)
        let expected = ref.run(inputDense, residual: residual > 0 ? residualDense : nil, residualChannels: residual)
        let input = StridedTensor(pixels: h * w, channels: cin, dense: inputDense)
        let output = StridedTensor(pixels: oh * ow, channels: cout)
        let res = StridedTensor(pixels: oh * ow, channels: cout, dense: residualDense)
        let packed = PackedDirectConvWeights(inputChannels: cin, outputChannels: cout, kernelHeight: k, kernelWidth: k,
                                             weights: ref.weights, bias: ref.bias)
        let args = DirectConvArguments(
            input: input.pointer, inputHeight: h, inputWidth: w, inputStride: input.stride, inputChannels: cin,
            output: output.pointer, outputHeight: oh, outputWidth: ow, outputStride: output.stride,
            outputChannels: cout, kernelHeight: k, kernelWidth: k, strideHeight: stride, strideWidth: stride,
            padTop: pads.0, padLeft: pads.1, weights: packed.buffer.pointer, weightStride: packed.stride,
            epilogue: ConvEpilogue(minValue: clamp.0, maxValue: clamp.1,
                                   residual: residual > 0 ? UnsafePointer(res.pointer) : nil,
                                   residualStride: res.stride, residualChannels: residual))
        kernels.convDirect.run(args, 0..<(oh / 2))
        kernels.convDirect.run(args, (oh / 2)..<oh)
        XCTAssertLessThan(relativeError(output.dense, expected), 1e-5,
                          "\(kernels.isa) h=\(h) w=\(w) cin=\(cin) cout=\(cout) k=\(k) s=\(stride)", file: file, line: line)
        XCTAssertTrue(output.paddingUntouched, file: file, line: line)
    }

    func testStemShapes() throws {
        for kernels in try availableKernelSets() {
            for (h, w) in [(7, 7), (9, 12), (16, 16), (1, 1), (33, 31)] {
                for cout in [5, 16, 32, 37, 48] {
                    check(kernels: kernels, h: h, w: w, cin: 3, cout: cout, k: 3, stride: 2, pads: (1, 1, 1, 1), clamp: (0, 6))
                }
            }
            // f32_conv3x3_c3's interior blocks: stride 1, no padding, TensorFlow's (0, 0, 1, 1)
            // and top-only padding, widths around the 4-pixel block, a shortcut add.
            for w in [4, 5, 8, 11] {
                check(kernels: kernels, h: 6, w: w, cin: 3, cout: 24, k: 3, stride: 1, pads: (1, 1, 1, 1))
                check(kernels: kernels, h: 5, w: w + 2, cin: 3, cout: 40, k: 3, stride: 1, pads: (0, 0, 0, 0), residual: 19)
            }
            check(kernels: kernels, h: 17, w: 19, cin: 3, cout: 32, k: 3, stride: 2, pads: (0, 0, 1, 1))
            check(kernels: kernels, h: 12, w: 15, cin: 3, cout: 21, k: 3, stride: 2, pads: (2, 0, 0, 1), clamp: (-1, 1))
        }
    }

    func testOtherKernelSizesAndPaddings() throws {
        for kernels in try availableKernelSets() {
            check(kernels: kernels, h: 8, w: 9, cin: 5, cout: 11, k: 5, stride: 1, pads: (2, 2, 2, 2))
            check(kernels: kernels, h: 8, w: 9, cin: 4, cout: 20, k: 3, stride: 2, pads: (0, 0, 1, 1))
            check(kernels: kernels, h: 6, w: 6, cin: 7, cout: 9, k: 1, stride: 1, pads: (0, 0, 0, 0), residual: 4)
            check(kernels: kernels, h: 10, w: 7, cin: 2, cout: 18, k: 3, stride: 1, pads: (1, 1, 1, 1), residual: 18)
        }
    }
}
