// swift-tools-version:6.1
// Per-kernel micro-benchmarks with ordo-one/package-benchmark (which needs tools 6.1+ and
// traits, so it lives here, outside the root package that must build with Swift 6.0).
//
//   cd Benchmarks/KernelBenchmarks && swift package benchmark
//   swift package benchmark baseline update main      # then, after a change:
//   swift package benchmark baseline compare main
import PackageDescription

let package = Package(
    name: "KernelBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Sandglass", path: "../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "Kernels",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SandglassKernels", package: "Sandglass"),
                .product(name: "SandglassEngine", package: "Sandglass"),
            ],
            path: "Benchmarks/Kernels",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ])
