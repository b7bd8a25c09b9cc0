import Foundation
import SandglassEngine
import XCTest

/// `sandglass run` on built-in models: .npy in, .npy out, the same numbers as the engine
/// in-process, and one-line errors for inputs it cannot use.
final class CLIRunTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandglass-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testRunBuiltInModelMatchesTheEngine() throws {
        let spec = ModelSpec(architecture: .mobilenext, width: 0.35, alpha: try IdentityMultiplier(parsing: "1/3"),
                             resolution: 40, classes: 10, seed: 4)
        var random = SeededRandom(seed: 8)
        let x = NumPyArray(shape: [1, 3, 40, 40], values: random.uniform(-1, 1, count: 3 * 40 * 40))
        try x.write(to: path("x.npy"))
        let r = try CLI.run(["run", "--model", "mobilenext", "--width", "0.35", "--alpha", "1/3", "--resolution", "40",
                             "--classes", "10", "--seed", "4", "--input", path("x.npy"), "--output", path("y.npy")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let y = try NumPyArray.read(path("y.npy"))
        XCTAssertEqual(y.shape, [1, 10])
        let plan = try Planner.plan(try spec.build())
        try plan.setInput(x.values, nchw: true)
        Executor(plan: plan).run()
        XCTAssertEqual(y.values, plan.readOutput(nchw: true))
    }

    func testRunErrors() throws {
        try NumPyArray(shape: [1, 3, 64, 64], values: [Float](repeating: 0, count: 3 * 64 * 64)).write(to: path("x64.npy"))
        let cases: [([String], Int32, String)] = [
            (["run", "--resolution", "32", "--input", path("x64.npy"), "--output", path("y.npy")], 1, "(1, 3, 32, 32)"),
            (["run", "--input", path("absent.npy"), "--output", path("y.npy")], 1, "absent.npy"),
            (["run", "--output", path("y.npy")], 2, "input"),
            (["run", "--resolution", "64", "--input", path("x64.npy"), "--output", directory.appendingPathComponent("no/such/dir/y.npy").path], 1, "cannot open"),
        ]
        for (args, status, word) in cases {
            let r = try CLI.run(args)
            XCTAssertEqual(r.status, status, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains(word), "\(word) not in \(r.stderr)")
        }
    }
}
