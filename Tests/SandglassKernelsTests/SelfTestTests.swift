import SandglassEngine
import SandglassKernels
import XCTest

/// `SelfTest`, the checks `sandglass selftest` runs: every kernel of every ISA here passes, and
/// a deliberately broken kernel (mutations of the real ones) fails, named, while the others
/// still pass.
final class SelfTestTests: XCTestCase {
    let kernelNames = ["f32_dwconv3x3_s1", "f32_dwconv3x3_s2", "f32_dwconv3x3_s1_w7", "f32_dwconv5x5", "f32_dwconv_kxk",
                       "f32_conv_direct", "f32_add_partial", "f32_global_average_pool", "f32_se_gate", "f32_channel_scale", "f32_nonlinearity",
                       "f32_maxpool"]

    func testEveryKernelOfEveryISAHerePasses() throws {
        let report = try SelfTest.run(networks: false)
        XCTAssertTrue(report.passed, report.failures.joined(separator: "\n"))
        XCTAssertEqual(report.isa, ISASelection.available.map(\.rawValue))
        for isa in report.isa {
            let checks = report.checks.filter { $0.isa == isa }
            // The fp32 kernels, the GEMM panels' one check, and the three 8-bit rows.
            XCTAssertEqual(Set(checks.map(\.kernel)).count, kernelNames.count + 1 + 3, "\(isa): \(checks.map(\.kernel))")
            XCTAssertEqual(checks.filter { $0.kernel.hasPrefix("qu8_") }.count, 3, "\(isa): \(checks.map(\.kernel))")
            for name in kernelNames { XCTAssertTrue(checks.contains { $0.kernel == name }, "\(isa) lacks \(name)") }
            XCTAssertTrue(checks.contains { $0.kernel.hasPrefix("f32_gemm_") })
            for c in checks {
                XCTAssertGreaterThanOrEqual(c.shapes, 4, c.kernel)
                XCTAssertLessThan(c.maxRelError, 1e-5, c.kernel)
            }
        }
    }

    /// A copy of `isa`'s kernel set with one kernel replaced.
    func mutated(_ isa: ISA, dwconv3x3s2: ((DepthwiseArguments, Range<Int>) -> Void)? = nil,
                 addPartial: ((PartialAddArguments, Range<Int>) -> Void)? = nil,
                 squeezeExciteGate: ((SqueezeExciteGateArguments) -> Void)? = nil) throws -> KernelSet {
        var k = try ISASelection.kernels(for: isa)
        if let dwconv3x3s2 { k[depthwise: .k3s2] = dwconv3x3s2 }
        if let addPartial { k.addPartial.run = addPartial }
        if let squeezeExciteGate { k.squeezeExciteGate.run = squeezeExciteGate }
        return k
    }

    /// A squeeze-and-excite gate that drops the hidden layer's last unit (an off-by-one in the
    /// reduce loop) is caught on the shapes with more than one squeeze channel.
    func testABrokenSqueezeExciteGateIsCaught() throws {
        let isa = try XCTUnwrap(ISASelection.available.first)
        let real = try ISASelection.kernels(for: isa).squeezeExciteGate.run
        let broken = try mutated(isa, squeezeExciteGate: { args in
            var a = args
            a.squeezeChannels = max(1, a.squeezeChannels - 1)
            real(a)
        })
        let report = try SelfTest.run(isas: [isa], networks: false, kernelSet: { _ in broken })
        let failed = report.checks.filter { !$0.passed }
        XCTAssertEqual(failed.map(\.kernel), ["f32_se_gate"])
        XCTAssertGreaterThan(failed.first?.maxRelError ?? 0, 1e-3)
    }

    /// Off by one in the last output row's first channel: a bug the size of a missed edge case.
    func testAWrongResultIsCaughtAndNamed() throws {
        let isa = try XCTUnwrap(ISASelection.available.first)
        let real = try ISASelection.kernels(for: isa)[depthwise: .k3s2]
        let broken = try mutated(isa, dwconv3x3s2: { args, rows in
            real(args, rows)
            if rows.upperBound == args.outputHeight && rows.upperBound > rows.lowerBound {
                args.output[(args.outputHeight * args.outputWidth - 1) * args.outputStride] += 0.01
            }
        })
        let report = try SelfTest.run(isas: [isa], networks: false, kernelSet: { _ in broken })
        XCTAssertFalse(report.passed)
        let failed = report.checks.filter { !$0.passed }
        XCTAssertEqual(failed.map(\.kernel), ["f32_dwconv3x3_s2"])
        XCTAssertEqual(failed.first?.isa, isa.rawValue)
        XCTAssertGreaterThan(failed.first?.maxRelError ?? 0, 1e-3)
        XCTAssertTrue(report.failures.first?.hasPrefix("f32_dwconv3x3_s2 [\(isa.rawValue)]") ?? false, "\(report.failures)")
    }

    /// A kernel that writes one lane past the logical channels (into the stride's padding) is
    /// caught even though every logical value is right.
    func testAWriteIntoThePaddingIsCaught() throws {
        let isa = try XCTUnwrap(ISASelection.available.first)
        let real = try ISASelection.kernels(for: isa).addPartial.run
        let broken = try mutated(isa, addPartial: { args, pixels in
            real(args, pixels)
            if args.outputStride > args.channels, let last = pixels.last {
                args.output[last * args.outputStride + args.channels] = 0
            }
        })
        let report = try SelfTest.run(isas: [isa], networks: false, kernelSet: { _ in broken })
        let failed = report.checks.filter { !$0.passed }
        XCTAssertEqual(failed.map(\.kernel), ["f32_add_partial"])
        XCTAssertTrue(failed.first?.failure?.contains("wrote past the logical channels") ?? false, "\(failed)")
    }

    func testNetworksMatchTheReferenceExecutor() throws {
        let isa = try XCTUnwrap(ISASelection.available.first)
        let checks = try NetworkChecks.run(isa: isa)
        XCTAssertEqual(checks.count, 16, "4 models × 2 add modes × 1 and 2 threads")
        XCTAssertEqual(Set(checks.map(\.model)).count, 4)
        for c in checks { XCTAssertTrue(c.passed, "\(c)") }
    }
}

/// The 8-bit checks catch a kernel row that is off by one in a single byte.
final class QuantizedSelfTestTests: XCTestCase {
    func testOffByOneByteIsCaught() throws {
        let isa = try ISASelection.best()
        let real = try ISASelection.quantizedKernels(for: isa)
        XCTAssertTrue(QuantizedKernelChecks.run(real, isa: isa).allSatisfy(\.passed))
        let broken = QuantizedKernelSet(
            isaName: "broken", gemmName: "qu8_gemm",
            gemm: { g, rows, panels in
                real.gemm.run(g, rows, panels)
                if rows.contains(0) && panels.contains(0) { g.c[0] &+= 1 }
            },
            dwconv: real.dwconv.run,
            addPartial: { a, pixels in
                real.addPartial.run(a, pixels)
                if let last = pixels.last { a.output[last * a.outputStride + a.channels - 1] &-= 1 }
            })
        let checks = QuantizedKernelChecks.run(broken, isa: isa)
        XCTAssertEqual(checks.filter { !$0.passed }.map(\.kernel), [broken.gemm.name, broken.addPartial.name])
        XCTAssertGreaterThan(checks.first { !$0.passed }?.maxRelError ?? 0, 0)
    }
}
