// swift-tools-version:6.0
// Builds with Swift 6.0 (Debian trixie's swiftlang 6.0.3, what ARM boards get from apt) and 6.3.
import PackageDescription

// Each ISA module is compiled with its own target flags so that one x86-64 binary carries
// AVX2 and AVX-512 kernels and picks one at run time. `-Xcc -march=…` is the flag that both
// Swift 6.0 and 6.3 accept (6.0 rejects -target-cpu on x86). The manifest is evaluated on the
// build machine, so native builds on AArch64 get no x86 flags.
#if arch(x86_64)
let avx512Flags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v4"])]
let avx2Flags: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=x86-64-v3"])]
#else
let avx512Flags: [SwiftSetting] = []
let avx2Flags: [SwiftSetting] = []
#endif

// The engine is written against the Swift 5 language mode: its kernels pass raw pointers
// between threads deliberately, which Swift 6's Sendable checking would reject wholesale.
let languageMode: [SwiftSetting] = [.swiftLanguageMode(.v5)]

// DWARF 4 debug info: valgrind 3.19 (the `sim` counter backend runs the CLI under callgrind)
// cannot read the DWARF 5 that the toolchain's clang emits for C targets and gives up on the
// whole binary ("Possibly corrupted debuginfo file"). Swift targets are pinned too, so a new
// toolchain default cannot break it. Both flags are accepted by Swift 6.0 and 6.3.
let dwarf4C: [CSetting] = [.unsafeFlags(["-gdwarf-4"])]
let dwarf4Swift: [SwiftSetting] = [.unsafeFlags(["-dwarf-version=4"])]

let package = Package(
    name: "Sandglass",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sandglass", targets: ["sandglass"]),
        .library(name: "SandglassEngine", targets: ["SandglassEngine"]),
        .library(name: "SandglassKernels", targets: ["SandglassKernels", "SandglassKernelsAVX512", "SandglassKernelsAVX2", "SandglassKernelsNEON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C shims
        .target(name: "CSandglassSupport", cSettings: dwarf4C),
        .target(name: "CSandglassVector", cSettings: dwarf4C),
        // libpfm4 (event names to perf_event_attr, perf_event_open), hwloc (topology, binding)
        // and callgrind client requests (stubs when valgrind's headers are missing).
        .systemLibrary(name: "CPfm", path: "Sources/CPfm", providers: [.apt(["libpfm4-dev"])]),
        .systemLibrary(name: "CHwloc", path: "Sources/CHwloc", pkgConfig: "hwloc",
                       providers: [.apt(["libhwloc-dev"])]),
        .target(name: "CCallgrind", cSettings: dwarf4C),

        // MARK: - Kernels
        .target(name: "SandglassKernels", dependencies: ["CSandglassVector"], swiftSettings: languageMode + dwarf4Swift,
                linkerSettings: [.linkedLibrary("m")]),
        .target(name: "SandglassKernelsAVX512", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + dwarf4Swift + avx512Flags),
        .target(name: "SandglassKernelsAVX2", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + dwarf4Swift + avx2Flags),
        .target(name: "SandglassKernelsNEON", dependencies: ["SandglassKernels"],
                swiftSettings: languageMode + dwarf4Swift),

        // MARK: - Engine
        .target(name: "SandglassEngine",
                dependencies: ["SandglassKernels", "SandglassKernelsAVX512", "SandglassKernelsAVX2",
                               "SandglassKernelsNEON", "CSandglassSupport"],
                swiftSettings: languageMode + dwarf4Swift),

        // MARK: - Measurement
        .target(name: "SandglassProbes",
                dependencies: ["SandglassEngine", "CSandglassSupport", "CPfm", "CHwloc", "CCallgrind"],
                swiftSettings: languageMode + dwarf4Swift),
        .target(name: "SandglassHarness", dependencies: ["SandglassEngine", "SandglassProbes"],
                swiftSettings: languageMode + dwarf4Swift),

        // MARK: - Command-line tool
        .executableTarget(name: "sandglass",
                          dependencies: ["SandglassEngine", "SandglassProbes", "SandglassHarness",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: languageMode + dwarf4Swift),

        // MARK: - Tests
        .testTarget(name: "SandglassKernelsTests",
                    dependencies: ["SandglassKernels", "SandglassEngine"], swiftSettings: languageMode),
        .testTarget(name: "SandglassEngineTests", dependencies: ["SandglassEngine"], swiftSettings: languageMode),
        .testTarget(name: "SandglassCLITests", dependencies: ["SandglassEngine"], swiftSettings: languageMode),
        .testTarget(name: "SandglassProbesTests",
                    dependencies: ["SandglassProbes", "SandglassHarness", "SandglassEngine", "CSandglassSupport"],
                    swiftSettings: languageMode),
    ]
)
