import Foundation
import XCTest
import SandglassRemote

/// The deployed manifest must build without the network: every URL dependency becomes a path
/// to its vendored copy.
final class OfflineManifestTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testOurManifestUsesOnlyVendoredPaths() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let rewritten = try OfflineManifest.rewrite(manifest, pathPrefix: "Vendor/", available: ["swift-argument-parser", "Yams"])
        XCTAssertFalse(rewritten.contains(".package(url:"), rewritten)
        XCTAssertTrue(rewritten.contains(#".package(path: "Vendor/swift-argument-parser")"#))
        XCTAssertTrue(rewritten.contains(#".package(path: "Vendor/Yams")"#))
        // Product references by package name still resolve: identities come from the last path component.
        XCTAssertTrue(rewritten.contains(#".product(name: "Yams", package: "Yams")"#))
    }

    func testFormsAndMissingDependencies() throws {
        let text = """
        dependencies: [
            .package(
                url: "https://example.com/org/dep-one.git",
                .upToNextMinor(from: "1.2.0")),
            .package(path: "../local"),
            .package(url: "git@example.com:org/Two", exact: "2.0.0"),
        ],
        """
        let out = try OfflineManifest.rewrite(text, pathPrefix: "../", available: ["dep-one", "Two"])
        XCTAssertTrue(out.contains(#".package(path: "../dep-one")"#), out)
        XCTAssertTrue(out.contains(#".package(path: "../Two")"#), out)
        XCTAssertTrue(out.contains(#".package(path: "../local")"#), out)
        XCTAssertThrowsError(try OfflineManifest.rewrite(text, pathPrefix: "", available: ["dep-one"])) { error in
            XCTAssertTrue("\(error)".contains("git@example.com:org/Two"), "\(error)")
        }
        XCTAssertEqual(OfflineManifest.vendorName(forURL: "https://github.com/jpsim/Yams.git"), "Yams")
    }

    func testBundleCarriesSourcesDependenciesAndCommit() throws {
        // Needs this checkout's resolved dependencies (present after any build).
        guard FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("Package.resolved").path) else {
            throw XCTSkip("no Package.resolved in \(Self.root.path)")
        }
        let bundle = try SourceBundle.stage(sourceRoot: Self.root.path)
        defer { bundle.remove() }
        let fm = FileManager.default
        XCTAssertTrue(fm.fileExists(atPath: bundle.directory + "/Sources/sandglass/main.swift"))
        XCTAssertTrue(fm.fileExists(atPath: bundle.directory + "/Vendor/swift-argument-parser/Package.swift"))
        XCTAssertTrue(fm.fileExists(atPath: bundle.directory + "/Vendor/Yams/Package.swift"))
        XCTAssertFalse(fm.fileExists(atPath: bundle.directory + "/Vendor/Yams/.git"))
        XCTAssertEqual(try String(contentsOfFile: bundle.directory + "/.sandglass-commit", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), bundle.commit)
        let manifest = try String(contentsOfFile: bundle.directory + "/Package.swift", encoding: .utf8)
        XCTAssertFalse(manifest.contains(".package(url:"))
    }
}
