// Picks the kernel set for this CPU (cpuid/xgetbv on x86-64), or the one the user forces
// with --isa, refusing an ISA the CPU cannot run rather than dying of SIGILL.
import CSandglassSupport
import SandglassKernels
#if arch(x86_64)
import SandglassKernelsAVX2
import SandglassKernelsAVX512
import SandglassKernelsAVX512VNNI
import SandglassKernelsAVX2VNNI
#elseif arch(arm64)
import SandglassKernelsNEON
import SandglassKernelsNEONDot
#endif

public enum ISASelectionError: Error, CustomStringConvertible {
    case unsupported(ISA, available: [ISA])
    case noKernels

    public var description: String {
        switch self {
        case let .unsupported(isa, available):
            return "ISA '\(isa.rawValue)' is not supported by this CPU or build; available here: "
                + available.map(\.rawValue).joined(separator: ", ")
        case .noKernels:
            return "no kernels for this CPU: Sandglass needs x86-64 with AVX2+FMA or AArch64 with NEON"
        }
    }
}

public enum ISASelection {
    /// ISAs this CPU can run, best first.
    public static var available: [ISA] {
        var result: [ISA] = []
        #if arch(x86_64)
        if sg_cpu_has_avx512() != 0 { result.append(.avx512) }
        if sg_cpu_has_avx2_fma() != 0 { result.append(.avx2) }
        #elseif arch(arm64)
        if sg_cpu_has_neon() != 0 { result.append(.neon) }
        #endif
        return result
    }

    /// The best ISA for this CPU.
    public static func best() throws -> ISA {
        guard let first = available.first else { throw ISASelectionError.noKernels }
        return first
    }

    /// The kernel set for `isa` (default: the best available).
    public static func kernels(for isa: ISA? = nil) throws -> KernelSet {
        let chosen = try isa ?? best()
        guard available.contains(chosen) else { throw ISASelectionError.unsupported(chosen, available: available) }
        switch chosen {
        #if arch(x86_64)
        case .avx512: return avx512KernelSet
        case .avx2: return avx2KernelSet
        #elseif arch(arm64)
        case .neon: return neonKernelSet
        #endif
        default: throw ISASelectionError.unsupported(chosen, available: available)
        }
    }

    /// The 8-bit kernels for `isa` (default: the best available): the VNNI rows where the CPU
    /// has AVX-512 VNNI (with avx512) or AVX-VNNI (with avx2), the sdot rows where an Arm CPU
    /// has the dot product (with neon).
    public static func quantizedKernels(for isa: ISA? = nil) throws -> QuantizedKernelSet {
        let chosen = try isa ?? best()
        guard available.contains(chosen) else { throw ISASelectionError.unsupported(chosen, available: available) }
        switch chosen {
        #if arch(x86_64)
        case .avx512: return sg_cpu_has_avx512_vnni() != 0 ? avx512VNNIQuantizedKernelSet : avx512QuantizedKernelSet
        case .avx2: return sg_cpu_has_avx_vnni() != 0 ? avx2VNNIQuantizedKernelSet : avx2QuantizedKernelSet
        #elseif arch(arm64)
        case .neon: return sg_cpu_has_neon_dotprod() != 0 ? neonDotQuantizedKernelSet : neonQuantizedKernelSet
        #endif
        default: throw ISASelectionError.unsupported(chosen, available: available)
        }
    }

    /// Every 8-bit kernel set this CPU can run (the tests check each against the references).
    public static var allQuantizedKernelSets: [QuantizedKernelSet] { ISA.allCases.flatMap(quantizedKernelSets(for:)) }

    /// The 8-bit kernel sets of one ISA that this CPU runs, the one chosen by default first
    /// (`sandglass selftest` checks them all, so a fallback row is proven too).
    public static func quantizedKernelSets(for isa: ISA) -> [QuantizedKernelSet] {
        var sets: [QuantizedKernelSet] = []
        switch isa {
        #if arch(x86_64)
        case .avx512:
            if sg_cpu_has_avx512_vnni() != 0 { sets.append(avx512VNNIQuantizedKernelSet) }
            if sg_cpu_has_avx512() != 0 { sets.append(avx512QuantizedKernelSet) }
        case .avx2:
            if sg_cpu_has_avx_vnni() != 0 { sets.append(avx2VNNIQuantizedKernelSet) }
            if sg_cpu_has_avx2_fma() != 0 { sets.append(avx2QuantizedKernelSet) }
        #elseif arch(arm64)
        case .neon:
            if sg_cpu_has_neon_dotprod() != 0 { sets.append(neonDotQuantizedKernelSet) }
            if sg_cpu_has_neon() != 0 { sets.append(neonQuantizedKernelSet) }
        #endif
        default: break
        }
        return sets
    }

    /// The processor's brand string where the CPU reports one.
    public static var cpuBrand: String {
        var buffer = [CChar](repeating: 0, count: 64)
        sg_cpu_brand(&buffer, 64)
        return String(cString: buffer)
    }
}
