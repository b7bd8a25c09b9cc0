// The 8-bit shortcut add (partial: the first `addedChannels` channels get the identity added,
// the rest are the branch requantized to the output's scale, as an exporter's Slice, Add and
// Concat compute it) and the 8-bit global average pool. Both compute in float from the bytes and
// requantize like MLAS's QLinearAdd and QLinearGlobalAveragePool.
import CSandglassVector

public struct QuantizedAddArguments {
    public var branch: UnsafePointer<UInt8>
    public var branchStride: Int
    public var identity: UnsafePointer<UInt8>
    public var identityStride: Int
    public var output: UnsafeMutablePointer<UInt8>
    public var outputStride: Int
    public var channels: Int
    public var addedChannels: Int
    public var branchZeroPoint: Int32
    public var identityZeroPoint: Int32
    /// branchScale / outputScale and identityScale / outputScale.
    public var branchRatio: Float
    public var identityRatio: Float
    public var zeroPoint: Int32
    public var lower: Float
    public var upper: Float

    public init(branch: UnsafePointer<UInt8>, branchStride: Int, branchParameters: QuantizationParameters,
                identity: UnsafePointer<UInt8>, identityStride: Int, identityParameters: QuantizationParameters,
                output: UnsafeMutablePointer<UInt8>, outputStride: Int, outputParameters: QuantizationParameters,
                channels: Int, addedChannels: Int, outputRange: ClosedRange<Int32>) {
        self.branch = branch; self.branchStride = branchStride; self.identity = identity; self.identityStride = identityStride
        self.output = output; self.outputStride = outputStride; self.channels = channels; self.addedChannels = addedChannels
        branchZeroPoint = branchParameters.zeroPoint; identityZeroPoint = identityParameters.zeroPoint
        branchRatio = branchParameters.scale / outputParameters.scale
        identityRatio = identityParameters.scale / outputParameters.scale
        zeroPoint = outputParameters.zeroPoint
        lower = Float(outputRange.lowerBound - zeroPoint); upper = Float(outputRange.upperBound - zeroPoint)
    }
}

@inlinable
func quantizedAddScalar(_ a: QuantizedAddArguments, _ b: UInt8, _ x: UInt8, added: Bool) -> UInt8 {
    var f = Float(Int32(b) - a.branchZeroPoint) * a.branchRatio
    if added { f += Float(Int32(x) - a.identityZeroPoint) * a.identityRatio }
    f = min(max(f, a.lower), a.upper)
    return UInt8(Int32(f.rounded(.toNearestOrEven)) + a.zeroPoint)
}

public func qu8_add_partial_reference(_ a: QuantizedAddArguments, pixels: Range<Int>) {
    for p in pixels {
        for c in 0..<a.channels {
            a.output[p * a.outputStride + c] = quantizedAddScalar(a, a.branch[p * a.branchStride + c],
                                                                  a.identity[p * a.identityStride + c],
                                                                  added: c < a.addedChannels)
        }
    }
}

/// 16 channels at a time: the vectors wholly below `addedChannels` add the identity, those
/// wholly past it only requantize the branch, and the one that straddles it has the identity's
/// ratio zero in the lanes past it. The output may be the branch or the identity (in place).
// Generic over a tag type that each ISA module passes its own of, so that the module
// specialises it with its target flags (an inline hint alone was not always taken: the call
// then went to this module's copy, compiled without them, 8× slower).
@inlinable @inline(__always)
public func qu8_add_partial<Tag>(_ a: QuantizedAddArguments, pixels: Range<Int>, _ tag: Tag.Type) {
    let ra = SIMD16<Float>(repeating: a.branchRatio)
    let rb = SIMD16<Float>(repeating: a.identityRatio)
    let cs = roundUp(a.channels, 16)
    let fullAdded = a.addedChannels / 16 * 16
    var straddling = SIMD16<Float>(repeating: 0)
    for lane in 0..<16 where fullAdded &+ lane < a.addedChannels { straddling[lane] = a.identityRatio }
    let za = a.branchZeroPoint, zb = a.identityZeroPoint, lower = a.lower, upper = a.upper, zero = a.zeroPoint
    for p in pixels {
        let bp = UnsafeRawPointer(a.branch + p &* a.branchStride)
        let ip = UnsafeRawPointer(a.identity + p &* a.identityStride)
        let op = UnsafeMutableRawPointer(a.output + p &* a.outputStride)
        var c = 0
        while c < cs {
            let ratio = c < fullAdded ? rb : (c == fullAdded ? straddling : SIMD16<Float>(repeating: 0))
            let q = sg_add_u8x16(bp.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                 ip.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self), za, zb, ra, ratio, lower, upper, zero)
            op.storeBytes(of: q, toByteOffset: c, as: SIMD16<UInt8>.self)
            c &+= 16
        }
    }
}

public struct QuantizedGlobalAveragePoolArguments {
    public var input: UnsafePointer<UInt8>
    public var pixels: Int
    public var inputStride: Int
    public var channels: Int
    public var output: UnsafeMutablePointer<UInt8>
    public var inputZeroPoint: Int32
    /// inputScale / (outputScale · pixels).
    public var multiplier: Float
    public var zeroPoint: Int32

    public init(input: UnsafePointer<UInt8>, pixels: Int, inputStride: Int, channels: Int, output: UnsafeMutablePointer<UInt8>,
                inputParameters: QuantizationParameters, outputParameters: QuantizationParameters) {
        self.input = input; self.pixels = pixels; self.inputStride = inputStride; self.channels = channels
        self.output = output; inputZeroPoint = inputParameters.zeroPoint
        multiplier = inputParameters.scale / (outputParameters.scale * Float(pixels))
        zeroPoint = outputParameters.zeroPoint
    }
}

/// The scalar reference: per channel, the int32 sum of the bytes minus pixels·za, requantized.
public func qu8_global_average_pool_reference(_ a: QuantizedGlobalAveragePoolArguments, channels: Range<Int>) {
    let lower = Float(0 - a.zeroPoint), upper = Float(255 - a.zeroPoint)
    for c in channels {
        var sum: Int32 = 0
        for p in 0..<a.pixels { sum += Int32(a.input[p * a.inputStride + c]) }
        a.output[c] = referenceRequantize(sum - Int32(a.pixels) * a.inputZeroPoint, multiplier: a.multiplier,
                                          zeroPoint: a.zeroPoint, lower: lower, upper: upper)
    }
}

/// Channels `channels` (starting on a multiple of 16; the planner splits them so) 16 at a time:
/// the same sums in int32 lanes, so the same bytes as the reference. The output's 16-byte stores
/// may pass the last channel into its tensor's padding (a multiple of 16 bytes).
public func qu8_global_average_pool(_ a: QuantizedGlobalAveragePoolArguments, channels: Range<Int>) {
    let bias = SIMD16<Int32>(repeating: -Int32(a.pixels) * a.inputZeroPoint)
    let mult = SIMD16<Float>(repeating: a.multiplier)
    let lower = Float(0 - a.zeroPoint), upper = Float(255 - a.zeroPoint)
    let input = UnsafeRawPointer(a.input)
    var c = channels.lowerBound
    while c < channels.upperBound {
        var sum = bias
        for p in 0..<a.pixels { sum &+= sg_widen_u8x16(input.loadUnaligned(fromByteOffset: p * a.inputStride + c, as: SIMD16<UInt8>.self)) }
        UnsafeMutableRawPointer(a.output).storeBytes(of: sg_requantize_u8x16(sum, mult, lower, upper, a.zeroPoint),
                                                     toByteOffset: c, as: SIMD16<UInt8>.self)
        c += 16
    }
}
