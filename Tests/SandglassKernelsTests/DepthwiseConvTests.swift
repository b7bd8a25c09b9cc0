import SandglassKernels
import XCTest

/// f32_dwconv3x3_s1/s2 and f32_dwconv_kxk against the scalar reference on awkward shapes:
/// channel counts that are not multiples of any vector width, odd sizes, stride 2 on odd
/// inputs, symmetric, asymmetric and no padding, and k = 0, partial and full shortcut adds.
final class DepthwiseConvTests: XCTestCase {
    typealias Case = KernelChecks.DepthwiseCase

    /// One shape through the self-test's runner (two row ranges, as two threads would run them,
    /// or the case's channel slices).
    func check(_ tc: Case, kernels: KernelSet, generic: Bool = false, channelSplit: Int? = nil,
               file: StaticString = #filePath, line: UInt = #line) {
        var tc = tc
        if let channelSplit { tc.channelSplit = channelSplit }
        // The row the planner would choose for the shape (7-wide maps: the w7 row), or the general one.
        let run: (DepthwiseArguments, Range<Int>) -> Void =
            generic ? kernels[depthwise: .kxk] : { args, rows in kernels.depthwise(for: args).run(args, rows) }
        let r = KernelChecks.depthwise(tc, run: run)
        XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) \(tc) generic=\(generic)", file: file, line: line)
        XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) wrote past the channels for \(tc)", file: file, line: line)
    }

    func testStride1AwkwardShapes() throws {
        for kernels in try availableKernelSets() {
            for (h, w, c) in [(1, 1, 1), (5, 7, 13), (6, 9, 21), (7, 7, 37), (8, 5, 8), (3, 11, 24), (9, 9, 40),
                              (4, 13, 3), (2, 3, 17), (14, 14, 96)] {
                check(Case(h: h, w: w, c: c, stride: 1), kernels: kernels)
            }
        }
    }

    func testStride2OddInputsAndPaddings() throws {
        for kernels in try availableKernelSets() {
            for (h, w, c) in [(7, 9, 13), (5, 5, 24), (8, 11, 37), (1, 1, 5), (3, 2, 16), (15, 15, 40), (112, 9, 6)] {
                check(Case(h: h, w: w, c: c, stride: 2), kernels: kernels)
                check(Case(h: h, w: w, c: c, stride: 2, pads: (0, 0, 1, 1)), kernels: kernels)
            }
            check(Case(h: 6, w: 10, c: 9, stride: 1, pads: (0, 0, 0, 0)), kernels: kernels)
            check(Case(h: 6, w: 10, c: 9, stride: 1, pads: (2, 0, 1, 2)), kernels: kernels)
            check(Case(h: 9, w: 8, c: 19, stride: 2, pads: (0, 0, 0, 0)), kernels: kernels)
        }
    }

    func testFusedShortcutAddAllK() throws {
        for kernels in try availableKernelSets() {
            for c in [13, 24, 40] {
                for k in [0, 1, 5, c / 3, c - 1, c] {
                    check(Case(h: 6, w: 7, c: c, stride: 1, residual: k), kernels: kernels)
                }
            }
            check(Case(h: 5, w: 9, c: 21, stride: 1, residual: 10, clamp: (0, 6)), kernels: kernels)
        }
    }

    func testPartialShortcutIgnoresTheOtherChannels() throws {
        for kernels in try availableKernelSets() {
            for (c, k) in [(40, 5), (40, 13), (64, 24), (96, 37), (24, 9)] {
                check(Case(h: 6, w: 9, c: c, stride: 1, residual: k, poisonUnadded: true), kernels: kernels)
            }
        }
    }

    /// The planner's choice: every ISA lists the rows in the variants' order, and a layer runs the
    /// first row whose shapes it has, under that row's name.
    func testTheFirstRowThatAppliesIsChosen() throws {
        for kernels in try availableKernelSets() {
            XCTAssertEqual(kernels.depthwise.map(\.variant), DepthwiseVariant.allCases, "\(kernels.isa)")
            let expected: [(Case, DepthwiseVariant)] = [
                (Case(h: 7, w: 7, c: 16, stride: 1), .k3s1w7),
                (Case(h: 3, w: 7, c: 40, stride: 1, pads: (0, 1, 2, 1)), .k3s1w7),
                (Case(h: 7, w: 8, c: 16, stride: 1), .k3s1),
                (Case(h: 7, w: 7, c: 16, stride: 1, pads: (1, 0, 1, 2)), .k3s1),
                (Case(h: 14, w: 14, c: 16, stride: 2), .k3s2),
                (Case(h: 7, w: 7, c: 16, stride: 2), .k3s2),
                (Case(h: 9, w: 8, c: 21, k: 5, stride: 1, pads: (2, 2, 2, 2)), .k5s1),
                (Case(h: 9, w: 8, c: 21, k: 5, stride: 2, pads: (2, 2, 2, 2)), .k5s2),
                (Case(h: 11, w: 10, c: 37, k: 7, stride: 2, pads: (3, 3, 3, 3)), .kxk),
                (Case(h: 6, w: 6, c: 16, k: 3, stride: 3), .kxk),
            ]
            for (tc, variant) in expected {
                var chosen: Set<String> = []
                let r = KernelChecks.depthwise(tc) { args, rows in
                    let row = kernels.depthwise(for: args)
                    chosen.insert(row.name)
                    row.run(args, rows)
                }
                XCTAssertEqual(chosen, ["\(variant.name)__\(kernels.isa)"], "\(tc)")
                XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) \(tc)")
            }
        }
    }

    /// 7-pixel-wide maps take f32_dwconv3x3_s1_w7: every epilogue (none, full, partial and tail
    /// shortcut adds), vertical padding that is not symmetric, heights other than 7, and slices.
    func testWidth7Kernel() throws {
        for kernels in try availableKernelSets() {
            for c in [16, 40, 53] {
                for k in [0, 5, 16, c] {
                    check(Case(h: 7, w: 7, c: c, stride: 1, residual: k), kernels: kernels)
                }
            }
            check(Case(h: 7, w: 7, c: 24, stride: 1, pads: (0, 1, 2, 1), residual: 9), kernels: kernels)
            check(Case(h: 3, w: 7, c: 33, stride: 1, residual: 33, clamp: (0, 6)), kernels: kernels)
            check(Case(h: 11, w: 7, c: 21, stride: 1, pads: (2, 1, 0, 1)), kernels: kernels)
            check(Case(h: 7, w: 7, c: 40, stride: 1, residual: 24), kernels: kernels, channelSplit: 16)
            check(Case(h: 7, w: 7, c: 40, stride: 1, residual: 13, poisonUnadded: true), kernels: kernels)
        }
    }

    /// Every epilogue arm (DepthwiseEpilogueKind) of every fast variant: no activation (the
    /// linear arms), a clamp, and a finite clamp too wide to bite; no, full and partial shortcut
    /// adds; SiLU; channel counts with and without a tail vector.
    func testEveryEpilogueArmOfEveryVariant() throws {
        let clamps: [(Float, Float)] = [(-.infinity, .infinity), (0, 6), (-1e30, 1e30)]
        for kernels in try availableKernelSets() {
            for c in [24, 21] {
                let shapes: [(Case, DepthwiseVariant)] = [
                    (Case(h: 6, w: 11, c: c, stride: 1), .k3s1), (Case(h: 9, w: 13, c: c, stride: 2), .k3s2),
                    (Case(h: 5, w: 31, c: c, stride: 1), .k3s1), (Case(h: 7, w: 58, c: c, stride: 2), .k3s2),
                    (Case(h: 4, w: 30, c: c, stride: 1, pads: (1, 0, 1, 2)), .k3s1),
                    (Case(h: 7, w: 7, c: c, stride: 1), .k3s1w7),
                    (Case(h: 6, w: 9, c: c, k: 5, stride: 1, pads: (2, 2, 2, 2)), .k5s1),
                    (Case(h: 9, w: 11, c: c, k: 5, stride: 2, pads: (2, 2, 2, 2)), .k5s2),
                ]
                for (shape, variant) in shapes {
                    for clamp in clamps {
                        for (residual, silu) in [(0, false), (c, false), (c / 3, false), (0, true), (c, true)] {
                            var tc = shape
                            tc.clamp = clamp; tc.residual = residual; tc.silu = silu
                            let r = KernelChecks.depthwise(tc, run: kernels[depthwise: variant])
                            XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) \(variant) \(tc) clamp \(clamp)")
                            XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) \(variant) wrote past the channels for \(tc)")
                        }
                    }
                }
            }
        }
    }

    func testChannelSlices() throws {
        for kernels in try availableKernelSets() {
            check(Case(h: 7, w: 7, c: 40, stride: 1, residual: 20), kernels: kernels, channelSplit: 16)
            check(Case(h: 7, w: 7, c: 40, stride: 1, residual: 12), kernels: kernels, channelSplit: 16)
            check(Case(h: 5, w: 6, c: 53, stride: 2, residual: 0), kernels: kernels, channelSplit: 32)
            check(Case(h: 5, w: 6, c: 53, stride: 1, residual: 53), kernels: kernels, channelSplit: 48)
        }
    }

    func testClamp() throws {
        for kernels in try availableKernelSets() {
            check(Case(h: 7, w: 6, c: 29, stride: 1, clamp: (0, 6)), kernels: kernels)
            check(Case(h: 7, w: 6, c: 29, stride: 2, clamp: (-0.25, 0.5)), kernels: kernels)
        }
    }

    /// f32_dwconv5x5_s1/s2: the self-test's shapes, plus the 4-wide interior blocks' boundaries
    /// (widths around multiples of 4 plus the padding) and two row ranges split unevenly.
    func test5x5Kernels() throws {
        for kernels in try availableKernelSets() {
            var cases = KernelChecks.depthwise5x5Cases
            for w in [4, 5, 7, 8, 9, 12, 13] {
                cases.append(Case(h: 6, w: w, c: 24, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: 16))
                cases.append(Case(h: 7, w: 2 * w + 1, c: 13, k: 5, stride: 2, pads: (2, 2, 2, 2)))
            }
            // Pixel strides that are multiples of 128 floats on maps up to 14 wide run a row at a
            // time across the channel vectors; 15 wide and 127 channels take the other order.
            for (h, w, c) in [(7, 7, 256), (3, 14, 128), (9, 15, 128), (7, 7, 127), (1, 5, 384)] {
                cases.append(Case(h: h, w: w, c: c, k: 5, stride: 1, pads: (2, 2, 2, 2), residual: c / 3))
                cases.append(Case(h: 2 * h, w: 2 * w, c: c, k: 5, stride: 2, pads: (1, 2, 2, 1), clamp: (0, 6), channelSplit: 64))
            }
            for tc in cases {
                let r = KernelChecks.depthwise(tc, run: kernels[depthwise: tc.stride == 1 ? .k5s1 : .k5s2])
                XCTAssertLessThan(r.error, 1e-5, "\(kernels.isa) \(tc)")
                XCTAssertTrue(r.paddingUntouched, "\(kernels.isa) wrote past the channels for \(tc)")
            }
        }
    }

    func testGenericKernelSizes() throws {
        for kernels in try availableKernelSets() {
            check(Case(h: 9, w: 8, c: 21, k: 5, stride: 1, pads: (2, 2, 2, 2)), kernels: kernels, generic: true)
            check(Case(h: 9, w: 8, c: 21, k: 5, stride: 2, pads: (1, 2, 2, 1), residual: 7), kernels: kernels, generic: true)
            check(Case(h: 6, w: 6, c: 16, k: 3, stride: 3, pads: (1, 1, 1, 1)), kernels: kernels, generic: true)
            check(Case(h: 4, w: 4, c: 3, k: 1, stride: 1, pads: (0, 0, 0, 0)), kernels: kernels, generic: true)
        }
    }
}
