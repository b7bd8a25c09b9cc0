import SandglassEngine
import SandglassKernels
import XCTest

// Seeded values, NaN-padded strided tensors and the parity metric come from the self-test
// module, which checks the same kernels on any machine (`sandglass selftest`).
@_exported import SandglassSelfTest

typealias TestRandom = CheckRandom

/// Every kernel set this machine can run (the tests exercise each).
func availableKernelSets() throws -> [KernelSet] {
    let sets = try ISASelection.available.map { try ISASelection.kernels(for: $0) }
    XCTAssertFalse(sets.isEmpty, "no kernel set runs on this machine")
    return sets
}
