// Plans one arena for all activations: each tensor gets an offset such that tensors alive
// at the same time never overlap (greedy best-offset, largest first). The arena is allocated
// once per plan, so inference allocates nothing.
import SandglassKernels

/// Where a tensor lives in the arena: offset and per-pixel stride, in floats.
public struct TensorLocation: Sendable {
    public var offset: Int
    public var stride: Int
    public var shape: TensorShape

    public var floats: Int { shape.pixels * stride }
}

struct ArenaPlanner {
    struct Request {
        var floats: Int
        /// Inclusive range of step indices during which the storage must hold its data.
        var firstStep: Int
        var lastStep: Int
    }

    /// Offsets (floats, 64-byte aligned) for each request, and the arena size in floats.
    static func place(_ requests: [Request]) -> (offsets: [Int], size: Int) {
        let order = requests.indices.sorted { requests[$0].floats > requests[$1].floats }
        var offsets = [Int](repeating: 0, count: requests.count)
        var placed: [Int] = []
        var size = 0
        for r in order {
            let req = requests[r]
            // Intervals already taken by storages whose lifetimes overlap this one.
            let busy = placed.filter { p in
                requests[p].firstStep <= req.lastStep && req.firstStep <= requests[p].lastStep
            }.map { (offsets[$0], offsets[$0] + roundUp(requests[$0].floats, 16)) }.sorted { $0.0 < $1.0 }
            var candidate = 0
            for (start, end) in busy {
                if candidate + req.floats <= start { break }
                candidate = max(candidate, end)
            }
            offsets[r] = candidate
            placed.append(r)
            size = max(size, candidate + roundUp(req.floats, 16))
        }
        return (offsets, size)
    }
}
