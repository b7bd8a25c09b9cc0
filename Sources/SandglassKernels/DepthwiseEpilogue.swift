// The epilogue of the depthwise and direct convolution kernels: where each output vector goes
// (DepthwiseOutput), the arms a channel vector's stores can take (DepthwiseEpilogueKind), and
// the one place that maps channel vectors to their arm and runs a kernel's work with that arm
// fixed at compile time (DepthwiseOutput.forEachChannelRun; forEachChannelVector walks its runs).

/// Where the epilogue of a depthwise or direct kernel writes, hoisted out of the loops: Swift
/// 6.0 re-reads an Optional field of the argument struct at every store through an outlined
/// copy (a call, with vzeroupper), so the kernels read it once into this.
public struct DepthwiseOutput {
    @usableFromInline let output: UnsafeMutablePointer<Float>
    @usableFromInline let outputStride: Int
    /// The residual, or any valid pointer when `residualChannels` is 0.
    @usableFromInline let residual: UnsafePointer<Float>
    @usableFromInline let residualStride: Int
    @usableFromInline let residualChannels: Int
    @usableFromInline let silu: Bool
    /// No clamp: the bounds are -inf and +inf (a layer without activation).
    @usableFromInline let linear: Bool

    @inlinable @inline(__always)
    init(_ output: UnsafeMutablePointer<Float>, stride: Int, _ e: ConvEpilogue) {
        self.output = output
        outputStride = stride
        residual = e.residual ?? UnsafePointer(output)
        residualStride = e.residualStride
        residualChannels = e.residual == nil ? 0 : e.residualChannels
        silu = e.silu
        linear = e.minValue == -.infinity && e.maxValue == .infinity
    }

    /// The epilogue of a channel vector starting at `channel` with `lanes` channels left: 0 =
    /// clamp and store a full vector; 1 = add a full vector of residual first; 2 = the general
    /// case (tail lanes, or a partial shortcut ending inside this vector); 3 = clamp, SiLU and
    /// store a full vector (ConvEpilogue.silu, no residual in this vector); 4 and 5 = 0 and 1
    /// without the clamp, for a layer with no activation (MobileNeXt's second depthwise, whose
    /// shortcut add would otherwise need two more vector registers than the kernel has). It is
    /// fixed for a whole channel vector, so `forEachChannelVector` chooses it once and passes it
    /// on as a type (DepthwiseEpilogueKind), which keeps the lane and residual checks out of the
    /// kernels' inner loops.
    @inlinable @inline(__always)
    func epilogue(channel: Int, lanes: Int, width w: Int) -> Int {
        let residualLanes = residualChannels &- channel
        if silu { return lanes >= w && residualLanes <= 0 ? 3 : 2 }
        if lanes >= w && residualLanes <= 0 { return linear ? 4 : 0 }
        if lanes >= w && residualLanes >= w { return linear ? 5 : 1 }
        return 2
    }

    /// Stores one output vector with the epilogue chosen by `epilogue(channel:lanes:width:)`,
    /// given as its arm's `code` (a constant in each specialisation).
    @inlinable @inline(__always)
    func store<V: FloatVector>(_ v: V, pixel: Int, channel c: Int, lanes: Int, epilogue: Int, _ lo: V, _ hi: V) {
        let at = (pixel &* outputStride &+ c) &* 4
        switch epilogue {
        case 0:
            UnsafeMutableRawPointer(output).storeBytes(of: v.clamped(lo, hi), toByteOffset: at, as: V.self)
        case 1:
            let r = UnsafeRawPointer(residual).load(fromByteOffset: (pixel &* residualStride &+ c) &* 4, as: V.self)
            UnsafeMutableRawPointer(output).storeBytes(of: v.adding(r).clamped(lo, hi), toByteOffset: at, as: V.self)
        case 3:
            let x = v.clamped(lo, hi)
            UnsafeMutableRawPointer(output).storeBytes(of: x.multiplied(by: x.sigmoid()), toByteOffset: at, as: V.self)
        case 4:
            UnsafeMutableRawPointer(output).storeBytes(of: v, toByteOffset: at, as: V.self)
        case 5:
            let r = UnsafeRawPointer(residual).load(fromByteOffset: (pixel &* residualStride &+ c) &* 4, as: V.self)
            UnsafeMutableRawPointer(output).storeBytes(of: v.adding(r), toByteOffset: at, as: V.self)
        default:
            store(v, pixel: pixel, channel: c, lanes: lanes, lo, hi)
        }
    }

    @inlinable @inline(__always)
    func store<V: FloatVector>(_ acc: V, pixel: Int, channel: Int, lanes: Int, _ lo: V, _ hi: V) {
        var x = acc
        let n = residualChannels &- channel
        if n > 0 { x = addResidual(x, residual + (pixel &* residualStride &+ channel), lanes: n) }
        x = x.clamped(lo, hi)
        if silu { x = x.multiplied(by: x.sigmoid()) }
        storeVector(x, output + (pixel &* outputStride &+ channel), lanes: lanes)
    }
}

/// The epilogue of a whole channel vector (see `DepthwiseOutput.epilogue`) as a type, so that a
/// kernel is specialised once per epilogue, with the arm fixed at compile time. Passed as an Int
/// constant it depended on the inliner: Swift 6.3 inlined one arm and outlined the others as one
/// copy with the arm a run-time switch at every store, and a depthwise layer with MobileNeXt's
/// shortcut add ran 1.4-2.1x the time of the same layer without it.
public protocol DepthwiseEpilogueKind { static var code: Int { get } }
/// Clamp and store a full vector.
public enum ClampEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 0 } }
/// Add a full vector of residual, clamp and store.
public enum ResidualEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 1 } }
/// Tail lanes, or a partial shortcut ending inside this vector.
public enum GeneralEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 2 } }
/// Clamp, SiLU and store a full vector.
public enum SiLUEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 3 } }
/// Store a full vector as it is (no activation).
public enum LinearEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 4 } }
/// Add a full vector of residual and store (no activation).
public enum LinearResidualEpilogue: DepthwiseEpilogueKind { @inlinable public static var code: Int { 5 } }

/// A kernel's work on one channel vector, generic over the epilogue arm of its stores. Kernels
/// conform with a small struct holding their arguments, so that the choice of arm, and the list
/// of arms, live in `forEachChannelRun` alone: a new arm is one edit there, not one per kernel.
/// Conformers mark `run` `@inline(never)`, so that each (vector, arm) specialisation stays a
/// function of its own, as the kernels compiled before this seam: with all arms inlined into one
/// entry point, MobileNeXt-1.0 ran 1.016 [1.011, 1.021] of the time (A/A 1.004) on Zen 3.
public protocol DepthwiseChannelVectorWork {
    func run<E: DepthwiseEpilogueKind>(channel: Int, lanes: Int, _: E.Type)
}

extension DepthwiseOutput {
    /// Runs `work` on each channel vector of `channels` (vectors of `width` lanes), each with the
    /// arm `epilogue(channel:lanes:width:)` picks, as a type: `forEachChannelRun`, whose runs
    /// `ChannelVectorsOfRun` walks a vector at a time. Without `siluArm`, SiLU vectors take the
    /// general arm (see f32_dwconv5x5).
    @inlinable @inline(__always)
    func forEachChannelVector<W: DepthwiseChannelVectorWork>(_ channels: Range<Int>, width w: Int, siluArm: Bool = true,
                                                             _ work: W) {
        forEachChannelRun(channels, width: w, siluArm: siluArm, ChannelVectorsOfRun(work: work, width: w, end: channels.upperBound))
    }
}

/// A per-vector work run on each vector of a run, with the run's arm: `lanes` counts to the end
/// of all the channels, as a kernel's tail check expects (only the last vector can be partial).
@usableFromInline
struct ChannelVectorsOfRun<W: DepthwiseChannelVectorWork>: DepthwiseChannelRunWork {
    @usableFromInline let work: W
    @usableFromInline let width: Int
    @usableFromInline let end: Int

    @inlinable @inline(__always)
    init(work: W, width: Int, end: Int) { self.work = work; self.width = width; self.end = end }

    @inlinable @inline(__always)
    func run<E: DepthwiseEpilogueKind>(channels: Range<Int>, _: E.Type) {
        var c = channels.lowerBound
        while c < channels.upperBound {
            work.run(channel: c, lanes: end &- c, E.self)
            c &+= width
        }
    }
}

/// A kernel's work on a run of consecutive channel vectors that share one epilogue arm, for
/// kernels whose inner loop goes across channel vectors (f32_dwconv3x3).
public protocol DepthwiseChannelRunWork {
    func run<E: DepthwiseEpilogueKind>(channels: Range<Int>, _: E.Type)
}

extension DepthwiseOutput {
    /// Splits `channels` into runs of vectors (of `width` lanes) with the same arm, and runs
    /// `work` on each with that arm as a type: one run for most layers, two or three where a
    /// partial shortcut add (α < 1) ends, or a tail vector follows. This is the one place that
    /// maps channels to arms. Without `siluArm`, SiLU runs take the general arm.
    @inlinable @inline(__always)
    func forEachChannelRun<W: DepthwiseChannelRunWork>(_ channels: Range<Int>, width w: Int, siluArm: Bool = true, _ work: W) {
        var c = channels.lowerBound
        while c < channels.upperBound {
            let arm = epilogue(channel: c, lanes: channels.upperBound &- c, width: w)
            var next = c &+ w
            while next < channels.upperBound && epilogue(channel: next, lanes: channels.upperBound &- next, width: w) == arm {
                next &+= w
            }
            let run = c ..< Swift.min(next, channels.upperBound)
            switch arm {
            case 0: work.run(channels: run, ClampEpilogue.self)
            case 1: work.run(channels: run, ResidualEpilogue.self)
            case 3 where siluArm: work.run(channels: run, SiLUEpilogue.self)
            case 4: work.run(channels: run, LinearEpilogue.self)
            case 5: work.run(channels: run, LinearResidualEpilogue.self)
            default: work.run(channels: run, GeneralEpilogue.self)
            }
            c = next
        }
    }
}
