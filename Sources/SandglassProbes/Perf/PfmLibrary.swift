// libpfm4: event names ("cycles", "LONGEST_LAT_CACHE:MISS", "arm_ac76::L2D_CACHE_REFILL",
// raw codes such as "r0c0") to perf_event_attr encodings, and the PMUs it detected here.
// Initialised once per process. libpfm4 reads /proc and /sys: in a chroot without /sys every
// event comes back "not supported".
import CPfm
#if canImport(Glibc)
import Glibc
#endif

public struct PfmError: Error, Equatable, Sendable, CustomStringConvertible {
    public let event: String
    public let code: Int32
    public let message: String
    public var description: String { "libpfm4 cannot encode '\(event)': \(message)" }
}

/// A PMU libpfm4 knows, present on this machine or not.
public struct PfmPMU: Codable, Sendable, Equatable {
    public var name: String
    public var description: String
    public var isPresent: Bool
    public var isCore: Bool
    public var events: Int
    public var genericCounters: Int
    public var fixedCounters: Int
}

public final class PfmLibrary {
    public static let shared = PfmLibrary()

    /// pfm_initialize's result: nil on success, else why libpfm4 is unusable.
    public let initializationError: String?

    private init() {
        let rc = pfm_initialize()
        initializationError = rc == PFM_SUCCESS ? nil : "pfm_initialize failed: \(String(cString: pfm_strerror(rc)))"
    }

    /// libpfm4's API version from pfm_get_version ("4.0" for every 4.x release so far).
    public var version: String {
        let v = pfm_get_version()
        return v < 0 ? "unknown" : "\(v >> 16).\(v & 0xffff)"
    }

    /// Encodes `name` for perf_event_open, user space only unless `includeKernel`.
    public func encode(_ name: String, includeKernel: Bool = false) throws -> PerfEventSpec {
        if let error = initializationError { throw PfmError(event: name, code: -1, message: error) }
        var attr = perf_event_attr()
        var fstr: UnsafeMutablePointer<CChar>? = nil
        let rc: Int32 = withUnsafeMutablePointer(to: &attr) { attrPointer in
            withUnsafeMutablePointer(to: &fstr) { fstrPointer in
                var arg = pfm_perf_encode_arg_t()
                arg.attr = attrPointer
                arg.fstr = fstrPointer
                arg.size = sg_pfm_perf_encode_arg_size()
                let plm = Int32(PFM_PLM3) | (includeKernel ? Int32(PFM_PLM0) : 0)
                return pfm_get_os_event_encoding(name, plm, PFM_OS_PERF_EVENT_EXT, &arg)
            }
        }
        defer { free(fstr) }
        guard rc == PFM_SUCCESS else {
            throw PfmError(event: name, code: rc, message: String(cString: pfm_strerror(rc)))
        }
        let canonical = fstr.map { String(cString: $0) } ?? name
        // "skl::LONGEST_LAT_CACHE:MISS:e=0:…" -> pmu "skl"; attribute defaults are dropped.
        let pmu = canonical.components(separatedBy: "::").first ?? "unknown"
        return PerfEventSpec(name: name, canonicalName: canonical, pmu: pmu, type: attr.type, config: attr.config,
                             config1: attr.config1, config2: attr.config2, includeKernel: includeKernel)
    }

    /// Every PMU libpfm4 has a table for (present ones first when `presentOnly` is false).
    public func pmus(presentOnly: Bool = true) -> [PfmPMU] {
        guard initializationError == nil else { return [] }
        var result: [PfmPMU] = []
        for raw in PFM_PMU_NONE.rawValue..<PFM_PMU_MAX.rawValue {
            var info = pfm_pmu_info_t()
            info.size = MemoryLayout<pfm_pmu_info_t>.size
            guard pfm_get_pmu_info(pfm_pmu_t(rawValue: raw), &info) == PFM_SUCCESS, let name = info.name else { continue }
            let present = info.is_present != 0  // an anonymous struct in C: imported flat
            if presentOnly && !present { continue }
            result.append(PfmPMU(name: String(cString: name), description: info.desc.map { String(cString: $0) } ?? "",
                                 isPresent: present, isCore: info.type == PFM_PMU_TYPE_CORE,
                                 events: Int(info.nevents), genericCounters: Int(info.num_cntrs),
                                 fixedCounters: Int(info.num_fixed_cntrs)))
        }
        return result
    }

    /// The core PMU libpfm4 detected on this CPU, if it has a table for it (bookworm's 4.13
    /// has none for Zen 5, so only the generic "perf" events work there).
    public var detectedCorePMU: PfmPMU? { pmus().first { $0.isCore } }
}

extension String {
    /// Splits on a multi-character separator without Foundation.
    func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = Substring(self)
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
