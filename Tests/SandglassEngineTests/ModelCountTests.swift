import SandglassEngine
import XCTest

/// Parameter, MAdd and shortcut-add totals against the reference implementations' exact counts
/// (mobilenext-spec.md), and the channel plans the spec lists for other widths.
final class ModelCountTests: XCTestCase {
    func graph(_ arch: Architecture, width: Double = 1.0, alpha: String = "1", resolution: Int = 224) throws -> Graph {
        try ModelSpec(architecture: arch, width: width, alpha: IdentityMultiplier(parsing: alpha), resolution: resolution).build()
    }

    func testMobileNeXtOneAtEveryAlpha() throws {
        let expectedAdds = ["1": 818_496, "1/2": 409_248, "1/3": 272_832, "1/6": 136_416]
        for (alpha, adds) in expectedAdds {
            let t = try graph(.mobilenext, alpha: alpha).totals
            XCTAssertEqual(t.paramsWithBatchNorm, 3_535_416, "α=\(alpha)")
            XCTAssertEqual(t.params, 3_482_392, "α=\(alpha)")
            XCTAssertEqual(t.madds, 311_342_592, "α=\(alpha)")
            XCTAssertEqual(t.shortcutAdds, adds, "α=\(alpha)")
        }
    }

    func testMobileNetV2One() throws {
        let t = try graph(.mobilenetv2).totals
        XCTAssertEqual(t.paramsWithBatchNorm, 3_504_872)
        XCTAssertEqual(t.params, 3_470_760)
        XCTAssertEqual(t.madds, 300_774_272)
        XCTAssertEqual(t.shortcutAdds, 216_384)
    }

    /// Table 5's MobileNetV2 with one more depthwise convolution per block: torchvision's counts
    /// plus, per block, a 3×3 depthwise (9 weights and 2 BatchNorm parameters per channel) on the
    /// expanded tensor at the block's input size. The paper prints 3.6 M and 340 M.
    func testMobileNetV2ExtraDepthwiseCounts() throws {
        let t = try graph(.mobilenetv2ExtraDW).totals
        var hidden = 0, madds = 0, size = 112, cin = 32
        for stage in MobileNetV2.stages {
            let cout = makeDivisible(Double(stage.c), 8)
            for i in 0..<stage.n {
                let h = cin * stage.t
                hidden += h
                madds += 9 * h * size * size
                if i == 0 && stage.s == 2 { size = (size + 1) / 2 }
                cin = cout
            }
        }
        XCTAssertEqual(hidden, 7_136)
        XCTAssertEqual(t.madds, 300_774_272 + madds)
        XCTAssertEqual(t.madds, 334_445_504)
        XCTAssertEqual(t.params, 3_470_760 + 9 * hidden)
        XCTAssertEqual(t.paramsWithBatchNorm, 3_504_872 + 11 * hidden)
        XCTAssertEqual(t.paramsWithBatchNorm, 3_583_368)
        XCTAssertEqual(t.shortcutAdds, 216_384, "the shortcuts are MobileNetV2's")
        // Where it sits: expand → extra depthwise (stride 1) → the block's depthwise → project.
        let g = try graph(.mobilenetv2ExtraDW)
        let names = g.layers.map(\.name)
        let extra = try XCTUnwrap(names.firstIndex(of: "s2.b0.extra_dw"))
        XCTAssertEqual(Array(names[(extra - 1)...(extra + 2)]), ["s2.b0.expand", "s2.b0.extra_dw", "s2.b0.dw", "s2.b0.project"])
        XCTAssertEqual(names.filter { $0.hasSuffix(".extra_dw") }.count, 17, "one per block")
        XCTAssertEqual(g.values[g.layers[extra].output], g.values[g.layers[extra - 1].output], "stride 1: the expanded tensor's shape")
    }

    /// Table 6's MobileNeXt†: MobileNeXt plus, in each block with a first depthwise convolution
    /// (variants A and D: 15 blocks), squeeze-and-excite on its C channels squeezed to a quarter
    /// of the bottleneck, with biases: 2·C·s + s + C parameters and 2·C·s MAdds. The paper prints
    /// 3.94 M and 330 M.
    func testMobileNeXtSqueezeExciteCounts() throws {
        let plain = try graph(.mobilenext)
        let g = try graph(.mobilenextSE)
        var params = 0, madds = 0, modules = 0
        for (i, layer) in plain.layers.enumerated() where layer.name.hasSuffix(".dw1") {
            guard case let .convolution(dw1) = layer.operation,
                  case let .convolution(pw1) = plain.layers[i + 1].operation else { return XCTFail("dw1 → pw1 expected") }
            let c = dw1.outputChannels, s = pw1.outputChannels / 4
            params += 2 * c * s + s + c
            madds += 2 * c * s
            modules += 1
        }
        XCTAssertEqual(modules, 15)
        let t = g.totals
        XCTAssertEqual(t.params, 3_482_392 + params)
        XCTAssertEqual(t.paramsWithBatchNorm, 3_535_416 + params)
        XCTAssertEqual(t.paramsWithBatchNorm, 3_937_576)
        XCTAssertEqual(t.madds, 311_342_592 + madds)
        XCTAssertEqual(t.madds, 311_737_600)
        XCTAssertEqual(t.shortcutAdds, 818_496, "the shortcuts are MobileNeXt's")
        // Where it sits: first depthwise → pool → gate → scale → reducing 1×1.
        let names = g.layers.map(\.name)
        let dw1 = try XCTUnwrap(names.firstIndex(of: "s3.b1.dw1"))
        XCTAssertEqual(Array(names[dw1...(dw1 + 4)]), ["s3.b1.dw1", "s3.b1.se.pool", "s3.b1.se.gate", "s3.b1.se.scale", "s3.b1.pw1"])
        XCTAssertFalse(names.contains("s3.b0.se.gate"), "variant C has no first depthwise, so no SE")
        guard case let .squeezeExcite(se) = g.layers[dw1 + 2].operation else { return XCTFail("gate expected") }
        XCTAssertEqual([se.channels, se.squeezeChannels], [192, 8])
        XCTAssertEqual(g.values[g.layers[dw1 + 3].output], g.values[g.layers[dw1].output], "the scale keeps the shape")
    }

    /// Block output widths and bottlenecks listed in the spec for w = 0.35 and 1.4.
    func testMobileNeXtChannelPlansAtOtherWidths() throws {
        func plan(_ w: Double) throws -> (stem: Int, couts: [Int], hidden: [Int]) {
            let g = try graph(.mobilenext, width: w)
            var couts: [Int] = [], hidden: [Int] = []
            var stem = 0
            for layer in g.layers {
                guard case let .convolution(conv) = layer.operation else { continue }
                if layer.name == "stem" { stem = conv.outputChannels }
                if layer.name.hasSuffix(".pw1") { hidden.append(conv.outputChannels) }
                if layer.name.hasSuffix(".b0.pw2") { couts.append(conv.outputChannels) }
            }
            return (stem, couts, hidden)
        }
        let small = try plan(0.35)
        XCTAssertEqual(small.stem, 16)
        XCTAssertEqual(small.couts, [32, 48, 64, 104, 136, 200, 336, 1280])
        // Spec §5 per stage: 8, 16, 16/16, 32/32, 32/32, 32/32, 64/56, 208 (first block / repeated blocks).
        XCTAssertEqual(small.hidden, [8, 16, 16, 16, 16, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 64, 56, 56, 208])
        let large = try plan(1.4)
        XCTAssertEqual(large.stem, 48)
        XCTAssertEqual(large.couts, [136, 200, 272, 400, 536, 808, 1344, 1792])
        XCTAssertEqual(large.hidden, [24, 32, 48, 48, 48, 64, 64, 64, 96, 96, 96, 96, 128, 128, 128, 128, 224, 224, 224, 304])
        XCTAssertEqual(try plan(1.0).hidden, [16, 32, 32, 32, 32, 48, 48, 48, 64, 64, 64, 64, 96, 96, 96, 96, 160, 160, 160, 208])
    }

    /// The spec's rounded totals for other widths (§8): conv+fc params and MAdds.
    func testMobileNeXtOtherWidthsRounded() throws {
        let expected: [(Double, Double, Double)] = [(0.75, 2.72, 208), (0.5, 2.12, 103), (0.35, 1.89, 75), (1.4, 6.05, 588)]
        for (w, params, madds) in expected {
            let t = try graph(.mobilenext, width: w).totals
            XCTAssertEqual((Double(t.params) / 1e6 * 100).rounded() / 100, params, "w=\(w) params \(t.params)")
            XCTAssertEqual((Double(t.madds) / 1e6).rounded(), madds, "w=\(w) madds \(t.madds)")
        }
        // torchvision MobileNetV2: 0.75 → 209M MAdds, 1.4 → 6.06M params / 582M MAdds.
        XCTAssertEqual((Double(try graph(.mobilenetv2, width: 0.75).totals.madds) / 1e6).rounded(), 209)
        let v2 = try graph(.mobilenetv2, width: 1.4).totals
        XCTAssertEqual((Double(v2.params) / 1e6 * 100).rounded() / 100, 6.06)
        XCTAssertEqual((Double(v2.madds) / 1e6).rounded(), 582)
    }

    func testIdentityChannelsUseFloor() throws {
        let alpha = try IdentityMultiplier(parsing: "1/3")
        XCTAssertEqual(alpha.channels(of: 272), 90)
        let g = try graph(.mobilenext, width: 1.4, alpha: "1/3")
        let adds = g.layers.compactMap { layer -> (Int, Int)? in
            guard case let .shortcutAdd(add) = layer.operation else { return nil }
            return (add.addedChannels, g.values[layer.output].channels)
        }
        XCTAssertEqual(adds.count, 12)
        XCTAssertTrue(adds.contains { $0 == (90, 272) }, "\(adds)")
        XCTAssertTrue(adds.allSatisfy { $0.0 == $0.1 / 3 })
    }

    func testAlphaParsing() throws {
        XCTAssertEqual(try IdentityMultiplier(parsing: "1/2").description, "1/2")
        XCTAssertEqual(try IdentityMultiplier(parsing: "0.5").description, "1/2")
        XCTAssertEqual(try IdentityMultiplier(parsing: "1.0").description, "1")
        XCTAssertEqual(try IdentityMultiplier(parsing: "0.75").channels(of: 10), 7)
        for bad in ["0", "1.5", "2/1", "-1/2", "1/0", "abc", "", "1/", ".", "0.0"] {
            XCTAssertThrowsError(try IdentityMultiplier(parsing: bad), bad)
        }
    }

    func testShapesAtOtherResolutions() throws {
        for (resolution, final) in [(96, 3), (160, 5), (224, 7), (32, 1), (33, 2)] {
            for arch in Architecture.allCases {
                let g = try graph(arch, resolution: resolution)
                let lastConv = g.layers.last { if case .convolution = $0.operation { return true } else { return false } }!
                let s = g.values[lastConv.output]
                XCTAssertEqual(s.height, final, "\(arch) @\(resolution)")
                XCTAssertEqual(s.width, final, "\(arch) @\(resolution)")
                XCTAssertEqual(g.outputShape.channels, 1000)
                // Spatial sizes only change at stride-2 layers, by ceil(H/2).
                XCTAssertEqual(g.totals.madds > 0, true)
            }
        }
        // MAdds scale with the number of output pixels of each layer.
        let at96 = try graph(.mobilenext, resolution: 96).totals
        XCTAssertEqual(at96.params, 3_482_392)
        XCTAssertLessThan(at96.madds, 311_342_592 / 4)
    }

    func testBadSpecsAreRejected() throws {
        XCTAssertThrowsError(try ModelSpec(architecture: .mobilenext, width: 0).build())
        XCTAssertThrowsError(try ModelSpec(architecture: .mobilenext, width: -1).build())
        XCTAssertThrowsError(try ModelSpec(architecture: .mobilenext, resolution: 31).build())
        XCTAssertThrowsError(try ModelSpec(architecture: .mobilenetv2, classes: 0).build())
    }
}
