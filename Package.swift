// swift-tools-version:6.0
// Builds with Swift 6.0 (Debian trixie's swiftlang 6.0.3, what ARM boards get from apt) and 6.3.
import PackageDescription

// Each ISA module is compiled with its own target flags so that one x86-64 binary carries
// AVX2 and AVX-512 kernels and picks one at run time. `-Xcc -march=…` is the flag that both
// Swift 6.0 and 6.3 accept (6.0 rejects -target-cpu on x86). The manifest is evaluated on the
// build machine, so native builds on AArch64 get no x86 flags; a cross build from x86-64
// (Scripts/cross-build-arm64.sh) names its target in SANDGLASS_CROSS_TARGET instead.
func buildsFor(_ architecture: String) -> Bool {
    if let target = Context.environment["SANDGLASS_CROSS_TARGET"] { return target.hasPrefix(architecture) }
    #if arch(x86_64)
    return architecture == "x86_64"
    #elseif arch(arm64)
    return architecture == "aarch64"
    #else
    return false
    #endif
}
let buildsForX86 = buildsFor("x86_64")
let avx512Flags: [SwiftSetting] = buildsForX86 ? [.unsafeFlags(["-Xcc", "-march=x86-64-v4"])] : []
// AVX-512 with VNNI (vpdpbusd) for the 8-bit kernels only: Zen 4/5 and Ice Lake onward have it,
// Skylake-X does not, so it is a module of its own, chosen at run time.
let avx512VNNIFlags: [SwiftSetting] = buildsForX86 ? [.unsafeFlags(["-Xcc", "-march=x86-64-v4", "-Xcc", "-mavx512vnni"])] : []
// AVX2 with AVX-VNNI (the 256-bit vpdpbusd of Alder Lake and Zen 5), likewise for the 8-bit kernels.
let avx2VNNIFlags: [SwiftSetting] = buildsForX86 ? [.unsafeFlags(["-Xcc", "-march=x86-64-v3", "-Xcc", "-mavxvnni"])] : []
let avx2Flags: [SwiftSetting] = buildsForX86 ? [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])] : []
// Arm's dot product (sdot) for the 8-bit kernels: Armv8.2 cores have it (Cortex-A55/A76, the
// Raspberry Pi 5), the Cortex-A72 of a Raspberry Pi 4 does not, so it is a module of its own.
let buildsForArm = buildsFor("aarch64")
let neonDotFlags: [SwiftSetting] = buildsForArm ? [.unsafeFlags(["-Xcc", "-march=armv8.2-a+dotprod"])] : []

// The engine is written against the Swift 5 language mode: its kernels pass raw pointers
// between threads deliberately, which Swift 6's Sendable checking would reject wholesale.
let languageMode: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "Sandglass",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sandglass", targets: ["sandglass"]),
        .library(name: "SandglassEngine", targets: ["SandglassEngine"]),
        .library(name: "SandglassONNX", targets: ["SandglassONNX"]),
        .library(name: "SandglassKernels", targets: ["SandglassKernels", "SandglassKernelsAVX512", "SandglassKernelsAVX512VNNI", "SandglassKernelsAVX2", "SandglassKernelsAVX2VNNI", "SandglassKernelsNEON", "SandglassKernelsNEONDot"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // MARK: - C shims
        .target(name: "CSandglassSupport"),
        .target(name: "CSandglassVector"),
        // libpfm4 (event names to perf_event_attr, perf_event_open), hwloc (topology, binding)
        // and callgrind client requests (stubs when valgrind's headers are missing).
        .systemLibrary(name: "CPfm", path: "Sources/CPfm", providers: [.apt(["libpfm4-dev"])]),
        .systemLibrary(name: "CHwloc", path: "Sources/CHwloc", pkgConfig: "hwloc",
                       providers: [.apt(["libhwloc-dev"])]),
        .target(name: "CCallgrind"),

        // MARK: - Parameters (typed, parsed once: α, model names, threads, add, counters, pin, ISA)
        .target(name: "SandglassParameters", swiftSettings: languageMode),

        // MARK: - Kernels
        .target(name: "SandglassKernels", dependencies: ["CSandglassVector", "SandglassParameters"], swiftSettings: languageMode,
                linkerSettings: [.linkedLibrary("m")]),
        .target(name: "SandglassKernelsAVX512", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + avx512Flags),
        .target(name: "SandglassKernelsAVX512VNNI", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + avx512VNNIFlags),
        .target(name: "SandglassKernelsAVX2", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + avx2Flags),
        .target(name: "SandglassKernelsAVX2VNNI", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + avx2VNNIFlags),
        .target(name: "SandglassKernelsNEON", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode),
        .target(name: "SandglassKernelsNEONDot", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + neonDotFlags),

        // MARK: - Engine
        .target(name: "SandglassEngine",
                dependencies: ["SandglassKernels", "SandglassKernelsAVX512", "SandglassKernelsAVX512VNNI", "SandglassKernelsAVX2", "SandglassKernelsAVX2VNNI",
                               "SandglassKernelsNEON", "SandglassKernelsNEONDot", "CSandglassSupport"],
                swiftSettings: languageMode),

        // MARK: - ONNX import (its own protobuf wire-format reader: no swift-protobuf, which needs tools 6.2)
        .target(name: "SandglassONNX", dependencies: ["SandglassEngine"], swiftSettings: languageMode),

        // MARK: - Measurement
        .target(name: "SandglassProbes",
                dependencies: ["SandglassEngine", "CSandglassSupport", "CPfm", "CHwloc", "CCallgrind"],
                swiftSettings: languageMode),
        .target(name: "SandglassHarness",
                dependencies: ["SandglassEngine", "SandglassKernels", "SandglassProbes", "SandglassONNX", "SandglassSelfTest",
                               "CSandglassSupport",
                               .product(name: "Yams", package: "Yams")],
                swiftSettings: languageMode),

        // MARK: - Self-test (every kernel against its reference, networks against the reference executor)
        .target(name: "SandglassSelfTest", dependencies: ["SandglassEngine", "SandglassKernels", "SandglassProbes"],
                swiftSettings: languageMode),

        // MARK: - Reports (reads results files only: the harness's record types, no engine internals)
        .target(name: "SandglassReport", dependencies: ["SandglassHarness", "SandglassParameters"], swiftSettings: languageMode),

        // MARK: - Remote boards (SSH deployment, detached sweeps, streaming)
        .target(name: "SandglassRemote",
                dependencies: ["SandglassHarness", .product(name: "Yams", package: "Yams")],
                swiftSettings: languageMode),

        // MARK: - Command-line tool
        .executableTarget(name: "sandglass",
                          dependencies: ["SandglassEngine", "SandglassONNX", "SandglassProbes", "SandglassHarness", "SandglassReport",
                                         "SandglassRemote", "SandglassSelfTest",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: languageMode),

        // MARK: - Tests
        .testTarget(name: "SandglassKernelsTests",
                    dependencies: ["SandglassKernels", "SandglassEngine", "SandglassSelfTest"], swiftSettings: languageMode),
        .testTarget(name: "SandglassEngineTests", dependencies: ["SandglassEngine"], swiftSettings: languageMode),
        .testTarget(name: "SandglassHarnessTests", dependencies: ["SandglassHarness"], swiftSettings: languageMode),
        .testTarget(name: "SandglassReportTests", dependencies: ["SandglassReport", "SandglassHarness"],
                    exclude: ["Fixtures", "Golden"], swiftSettings: languageMode),
        .testTarget(name: "SandglassRemoteTests", dependencies: ["SandglassRemote"], swiftSettings: languageMode),
        .testTarget(name: "SandglassCLITests", dependencies: ["SandglassEngine", "SandglassRemote"], swiftSettings: languageMode),
        .testTarget(name: "SandglassONNXTests", dependencies: ["SandglassONNX", "SandglassEngine"],
                    swiftSettings: languageMode),
        .testTarget(name: "SandglassProbesTests",
                    dependencies: ["SandglassProbes", "SandglassHarness", "SandglassEngine", "CSandglassSupport"],
                    swiftSettings: languageMode),
    ]
)
