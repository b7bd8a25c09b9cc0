import SandglassEngine
import SandglassONNX
import XCTest

/// The importer in-process on models built by the test encoder: lowering onto the same layers
/// as a hand-built graph (same output), raw and typed initializer data, and errors that name
/// what is wrong.
final class ONNXImporterTests: XCTestCase {
    func load(_ m: TestModel, raw: Bool = true) throws -> ImportedONNXModel {
        try ONNXImporter.load(bytes: m.encode(rawData: raw).bytes, name: "test.onnx", directory: nil)
    }

    func run(_ graph: Graph, _ input: [Float], add: AddMode = .fused) throws -> [Float] {
        let plan = try Planner.plan(graph, options: PlanOptions(addMode: add))
        try plan.setInput(input, nchw: true)
        Executor(plan: plan).run()
        return plan.readOutput(nchw: true)
    }

    func testTinyNetworkLowersOntoTheEngineLayers() throws {
        let (model, expected) = try tinyMobileNeXt()
        let imported = try load(model)
        XCTAssertEqual(imported.inputDims, [1, 3, 9, 9])
        XCTAssertEqual(imported.outputDims, [1, 5])
        XCTAssertEqual(imported.opsetVersion, 13)
        let ops = imported.graph.layers.map(\.operation.opName)
        XCTAssertEqual(ops, ["conv3x3s2", "dwconv3x3s1", "conv1x1", "conv1x1", "dwconv3x3s1", "add", "gavgpool", "fc"])
        guard case let .shortcutAdd(add) = imported.graph.layers[5].operation else { return XCTFail() }
        XCTAssertEqual(add.addedChannels, 3)
        XCTAssertEqual(imported.graph.layers[5].inputs, [imported.graph.layers[4].output, imported.graph.layers[0].output])

        var random = SeededRandom(seed: 9)
        let x = random.uniform(-1, 1, count: 3 * 9 * 9)
        let want = try run(expected, x)
        for add in AddMode.allCases {
            XCTAssertEqual(try run(imported.graph, x, add: add), want, "\(add)")
        }
        XCTAssertEqual(imported.graph.totals, expected.totals)
    }

    func testTypedFieldsEqualRawData() throws {
        let (model, _) = try tinyMobileNeXt()
        let raw = try load(model, raw: true), typed = try load(model, raw: false)
        var random = SeededRandom(seed: 1)
        let x = random.uniform(-1, 1, count: 3 * 9 * 9)
        XCTAssertEqual(try run(raw.graph, x), try run(typed.graph, x))
    }

    func assertImportError(_ m: TestModel, _ words: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(m), file: file, line: line) { e in
            guard let error = e as? ONNXImportError else { return XCTFail("\(type(of: e)): \(e)", file: file, line: line) }
            for w in words { XCTAssertTrue(error.message.contains(w), "'\(w)' not in: \(error.message)", file: file, line: line) }
            XCTAssertFalse(error.message.contains("\n"), file: file, line: line)
        }
    }

    func testUnsupportedOperatorNamesNodeAndSupportedList() throws {
        var m = TestModel(inputDims: [1, 2, 4, 4])
        m.outputName = m.node("LeakyRelu", ["x"])
        assertImportError(m, ["LeakyRelu node 'leakyrelu1'", "not supported", "Conv", "BatchNormalization", "Gemm"])
    }

    func testUnsupportedAttributeValues() throws {
        var m = TestModel(inputDims: [1, 4, 6, 6])
        m.outputName = m.node("Conv", ["x", m.constant([4, 4, 3, 3])], [.ints("dilations", [2, 2])])
        assertImportError(m, ["Conv node", "dilations [2, 2]"])

        var g = TestModel(inputDims: [1, 4, 6, 6])
        g.outputName = g.node("Conv", ["x", g.constant([4, 2, 3, 3])], [.int("group", 2)])
        assertImportError(g, ["group = 2", "depthwise"])

        var a = TestModel(inputDims: [1, 4, 6, 6])
        a.outputName = a.node("Conv", ["x", a.constant([4, 4, 3, 3])], [.string("auto_pad", "SAME_MIDDLE")])
        assertImportError(a, ["auto_pad 'SAME_MIDDLE'"])

        var t = TestModel(inputDims: [1, 4, 6, 6])
        t.outputName = t.node("Conv", ["x", t.constant([4, 4, 3, 3])], [.float("group", 2)])
        assertImportError(t, ["attribute 'group' should be of type int"])
    }

    func testStructuralErrors() throws {
        var undefined = TestModel(inputDims: [1, 4, 6, 6])
        undefined.outputName = undefined.node("Relu", ["nowhere"])
        assertImportError(undefined, ["reads 'nowhere'"])

        var shapes = TestModel(inputDims: [1, 4, 6, 6])
        shapes.outputName = shapes.node("Add", ["x", shapes.node("Conv", ["x", shapes.constant([2, 4, 1, 1])])])
        assertImportError(shapes, ["Add node", "equal shape"])

        var opset = TestModel(inputDims: [1, 4, 6, 6])
        opset.opset = 25
        opset.outputName = opset.node("Relu", ["x"])
        assertImportError(opset, ["opset 25"])

        var wrongWeights = TestModel(inputDims: [1, 4, 6, 6])
        wrongWeights.outputName = wrongWeights.node("Conv", ["x", wrongWeights.constant([8, 3, 3, 3])])
        assertImportError(wrongWeights, ["weights expect 3 input channels"])

        var spatial = TestModel(inputDims: [1, 4, 6, 6])
        spatial.outputName = spatial.node("Flatten", ["x"])
        assertImportError(spatial, ["reshapes [1, 4, 6, 6] to [1, 144]"])

        var noOutput = TestModel(inputDims: [1, 4, 6, 6])
        _ = noOutput.node("Relu", ["x"])
        noOutput.outputName = "missing"
        assertImportError(noOutput, ["'missing' is not produced"])
    }

    func testRejectsWhatIsNotAModel() {
        for bytes: [UInt8] in [[], [0x08, 0x01], Array("not a model at all, just some text".utf8)] {
            XCTAssertThrowsError(try ONNXImporter.load(bytes: bytes, name: "m.onnx", directory: nil)) { e in
                XCTAssertTrue(e is ONNXImportError, "\(e)")
                XCTAssertTrue("\(e)".hasPrefix("m.onnx: "), "\(e)")
            }
        }
    }
}
