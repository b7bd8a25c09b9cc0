// `--pin core:N` and `--pin kind:big|little`: which CPU each benchmark thread runs on, and
// binding the calling thread there through hwloc (workers are bound by the engine's thread pool
// with the same CPU list). Pinning is checked with sched_getcpu, not assumed.
import CHwloc
@_exported import SandglassParameters
import CSandglassSupport
#if canImport(Glibc)
import Glibc
#endif

extension PinRequest {
    /// One CPU per thread (index 0: the calling thread), each on its own core.
    public func cpus(threads: Int, topology: Topology) throws -> [Int]? {
        let cores = topology.cores
        switch self {
        case .none:
            return nil
        case let .core(n):
            guard n < cores.count else {
                throw ParseError(description: "--pin core:\(n): this machine has \(cores.count) cores (0…\(cores.count - 1)); see 'sandglass topology'")
            }
            guard threads <= cores.count else {
                throw ParseError(description: "--pin core:\(n) with \(threads) threads: only \(cores.count) cores to pin them to, one each")
            }
            return (0..<threads).map { cores[(n + $0) % cores.count].cpus[0] }
        case let .kind(label):
            let chosen: [Topology.Core]
            if topology.kinds.count <= 1 {
                guard label == "big" else {
                    throw ParseError(description: "--pin kind:little: this CPU has a single core kind (no big.LITTLE); use kind:big or core:N")
                }
                chosen = cores
            } else {
                let ranked = topology.kinds.sorted { $0.efficiency < $1.efficiency }
                let kind = label == "big" ? ranked.last! : ranked.first!
                chosen = cores.filter { $0.kind == kind.index }
            }
            guard !chosen.isEmpty else { throw ParseError(description: "--pin kind:\(label): no cores of that kind") }
            guard threads <= chosen.count else {
                throw ParseError(description: "--pin kind:\(label) with \(threads) threads: only \(chosen.count) \(label) cores to pin them to, one each")
            }
            return (0..<threads).map { chosen[$0].cpus[0] }
        }
    }
}

public struct PinningError: Error, CustomStringConvertible {
    public let description: String
}

public enum ThreadPinning {
    /// Binds the calling thread to `cpu` with hwloc_set_cpubind(HWLOC_CPUBIND_THREAD) and
    /// checks with sched_getcpu that it runs there.
    public static func bindCurrentThread(to cpu: Int) throws {
        var handle: hwloc_topology_t?
        guard hwloc_topology_init(&handle) == 0, let topology = handle else {
            throw PinningError(description: "cannot pin to CPU \(cpu): hwloc_topology_init failed")
        }
        defer { hwloc_topology_destroy(topology) }
        guard hwloc_topology_load(topology) == 0, let set = hwloc_bitmap_alloc() else {
            throw PinningError(description: "cannot pin to CPU \(cpu): hwloc could not load the topology")
        }
        defer { hwloc_bitmap_free(set) }
        hwloc_bitmap_only(set, UInt32(cpu))
        guard hwloc_set_cpubind(topology, set, Int32(HWLOC_CPUBIND_THREAD.rawValue)) == 0 else {
            throw PinningError(description: "cannot pin the benchmark thread to CPU \(cpu): hwloc_set_cpubind failed (is the CPU offline, or outside this process's cpuset/cgroup?)")
        }
        // The scheduler moves the thread at its next opportunity; yield once, then verify.
        sched_yield()
        let now = sg_sched_getcpu()
        guard now == Int32(cpu) else {
            throw PinningError(description: "pinned the benchmark thread to CPU \(cpu) but sched_getcpu says \(now)")
        }
    }

    /// The CPU the calling thread runs on now (sched_getcpu), or -1.
    public static var currentCPU: Int { Int(sg_sched_getcpu()) }
}
