// The 8-bit depthwise convolution, any square kernel and stride, and the im2col that lets the
// stem (a dense 3×3 on 3 channels) run as a GEMM. Taps that fall in the padding read a row of
// the input's zero point, so every output sums all k·k taps and za·Σw folds into the bias, as in
// the 1×1 GEMM.
import CSandglassVector

public final class PackedQuantizedDepthwiseWeights {
    public let channels: Int
    public let kernelSize: Int
    /// Channels padded to 16.
    public let channelStride: Int
    /// [tap][channelStride] int32 weights.
    public let weights: AlignedBytes
    /// 3×3 only: the weights, bias and multipliers in blocks of 32 channels, as the AVX2 path reads
    /// them (sandglass_qu8_dwconv3x3.h gives the layout); one unused element for other sizes.
    public let blockedWeights: AlignedBytes
    /// bias − za·Σw and the multiplier, per channel.
    public let bias: AlignedBytes
    public let multipliers: AlignedBytes

    /// `weight(c, tap)` with tap = ky·k + kx.
    public init(channels: Int, kernelSize: Int, bias: [Int32], inputZeroPoint: Int32, multiplier: (Int) -> Float,
                weight: (Int, Int) -> Int8) {
        self.channels = channels; self.kernelSize = kernelSize
        channelStride = roundUp(channels, 16)
        let taps = kernelSize * kernelSize
        weights = AlignedBytes(bytes: taps * channelStride * 4)
        let blocks = kernelSize == 3 ? (channels + 31) / 32 : 0
        blockedWeights = AlignedBytes(bytes: max(1, blocks * Int(SG_QU8_DW3X3_BLOCK_ELEMENTS)) * 4)
        self.bias = AlignedBytes(bytes: channelStride * 4)
        multipliers = AlignedBytes(bytes: channelStride * 4)
        let w = weights.raw.bindMemory(to: Int32.self, capacity: taps * channelStride)
        let b = self.bias.raw.bindMemory(to: Int32.self, capacity: channelStride)
        let m = multipliers.raw.bindMemory(to: Float.self, capacity: channelStride)
        for c in 0..<channels {
            var sum: Int32 = 0
            for t in 0..<taps {
                let q = Int32(weight(c, t))
                w[t * channelStride + c] = q
                sum += q
            }
            b[c] = (bias.isEmpty ? 0 : bias[c]) &- inputZeroPoint &* sum
            m[c] = multiplier(c)
        }
        if blocks > 0 { packBlocked(w, b, m, blocks: blocks) }
    }

    /// Lane p of block `blk` holds channel blk·32 + sg_qu8_dw3x3_lane_channel(p); channels past the
    /// last get zeros.
    private func packBlocked(_ w: UnsafeMutablePointer<Int32>, _ b: UnsafeMutablePointer<Int32>, _ m: UnsafeMutablePointer<Float>,
                             blocks: Int) {
        let n = Int(SG_QU8_DW3X3_BLOCK_ELEMENTS)
        let out = blockedWeights.raw.bindMemory(to: Int32.self, capacity: blocks * n)
        out.initialize(repeating: 0, count: blocks * n)
        for blk in 0..<blocks {
            let block = out + blk * n
            for p in 0..<32 {
                let c = blk * 32 + Int(sg_qu8_dw3x3_lane_channel(Int32(p)))
                guard c < channels else { continue }
                for j in 0..<5 {
                    let first = Int32(UInt16(bitPattern: Int16(w[2 * j * channelStride + c])))
                    let second = j < 4 ? w[(2 * j + 1) * channelStride + c] << 16 : 0
                    block[j * 32 + p] = first | second
                }
                block[5 * 32 + p] = b[c]
                block[6 * 32 + p] = Int32(bitPattern: m[c].bitPattern)
            }
        }
    }

    public var packedBytes: Int { weights.bytes + blockedWeights.bytes + bias.bytes + multipliers.bytes }
}

public struct QuantizedDepthwiseArguments {
    public var input: UnsafePointer<UInt8>
    public var inputHeight: Int
    public var inputWidth: Int
    /// Bytes between pixels (a multiple of 16 ≥ channels).
    public var inputStride: Int
    public var output: UnsafeMutablePointer<UInt8>
    public var outputWidth: Int
    public var outputStride: Int
    public var stride: Int
    public var padTop: Int
    public var padLeft: Int
    public var weights: PackedQuantizedDepthwiseWeights
    /// At least `inputStride` bytes of the input's zero point.
    public var zeroRow: UnsafePointer<UInt8>
    public var zeroPoint: Int32
    public var lower: Float
    public var upper: Float
    /// A shortcut add fused into the epilogue: the convolution's bytes (requantized with the
    /// parameters above, as the separate add would read them) are added to the identity as
    /// qu8_add_partial does, and the sum is what the kernel stores. Its `identity` fields, ratios,
    /// zero points and range are used; its branch and output pointers are not.
    public var residual: QuantizedAddArguments?

    public init(input: UnsafePointer<UInt8>, inputHeight: Int, inputWidth: Int, inputStride: Int,
                output: UnsafeMutablePointer<UInt8>, outputWidth: Int, outputStride: Int, stride: Int, padTop: Int,
                padLeft: Int, weights: PackedQuantizedDepthwiseWeights, zeroRow: UnsafePointer<UInt8>,
                outputZeroPoint: Int32, outputRange: ClosedRange<Int32>, residual: QuantizedAddArguments? = nil) {
        self.residual = residual
        self.input = input; self.inputHeight = inputHeight; self.inputWidth = inputWidth; self.inputStride = inputStride
        self.output = output; self.outputWidth = outputWidth; self.outputStride = outputStride; self.stride = stride
        self.padTop = padTop; self.padLeft = padLeft; self.weights = weights; self.zeroRow = zeroRow
        zeroPoint = outputZeroPoint
        lower = Float(outputRange.lowerBound - outputZeroPoint); upper = Float(outputRange.upperBound - outputZeroPoint)
    }

    /// The input pixel (iy, ix), or the zero-point row where it lies in the padding.
    @inlinable @inline(__always)
    func pixel(_ iy: Int, _ ix: Int) -> UnsafePointer<UInt8> {
        if iy < 0 || iy >= inputHeight || ix < 0 || ix >= inputWidth { return zeroRow }
        return input + (iy * inputWidth + ix) * inputStride
    }
}

/// The scalar reference.
public func qu8_dwconv_reference(_ d: QuantizedDepthwiseArguments, rows: Range<Int>) {
    let p = d.weights, k = p.kernelSize
    let w = p.weights.raw.assumingMemoryBound(to: Int32.self)
    let b = p.bias.raw.assumingMemoryBound(to: Int32.self)
    let m = p.multipliers.raw.assumingMemoryBound(to: Float.self)
    for oy in rows {
        for ox in 0..<d.outputWidth {
            for c in 0..<p.channels {
                var acc = b[c]
                for ky in 0..<k {
                    for kx in 0..<k {
                        let x = d.pixel(oy * d.stride - d.padTop + ky, ox * d.stride - d.padLeft + kx)[c]
                        acc += Int32(x) * w[(ky * k + kx) * p.channelStride + c]
                    }
                }
                var q = referenceRequantize(acc, multiplier: m[c], zeroPoint: d.zeroPoint, lower: d.lower, upper: d.upper)
                if let r = d.residual {
                    q = quantizedAddScalar(r, q, r.identity[(oy * d.outputWidth + ox) * r.identityStride + c], added: c < r.addedChannels)
                }
                d.output[(oy * d.outputWidth + ox) * d.outputStride + c] = q
            }
        }
    }
}

/// Output rows `rows`. Interior pixels (every tap inside the map) address their taps as fixed
/// offsets from one pointer; the border ones look each tap up (the zero-point row in the
/// padding). 3×3 and 5×5 are instantiated with the kernel size as a constant, so their tap
/// loops unroll. With `blocked` (the AVX2 rows) the 3×3 kernels run the C kernel of
/// sandglass_qu8_dwconv3x3.h on the blocked weights: 32 channels at a time, two taps per
/// product.
// Generic over a tag type that each ISA module passes its own of, so that the module
// specialises it with its target flags (an inline hint alone was not always taken: the call
// then went to this module's copy, compiled without them, 8× slower).
@inlinable @inline(__always)
public func qu8_dwconv<Tag>(_ d: QuantizedDepthwiseArguments, rows: Range<Int>, blocked: Bool = false, _ tag: Tag.Type) {
    switch d.weights.kernelSize {
    case 3 where blocked: qu8_dwconv3x3_blocked(d, rows: rows)
    case 3: qu8_dwconv3x3(d, rows: rows, tag)
    case 5: qu8_dwconv_k(d, rows: rows, k: 5, tag)
    default: qu8_dwconv_k(d, rows: rows, k: d.weights.kernelSize, tag)
    }
}

/// 3×3 on the blocked weights (AVX2): per output row, the interior pixels through
/// sg_qu8_dw3x3_row, the border ones through sg_qu8_dw3x3_pixel with their nine taps looked up.
@inlinable @inline(__always)
func qu8_dwconv3x3_blocked(_ d: QuantizedDepthwiseArguments, rows: Range<Int>) {
    let p = d.weights, cs = p.channelStride
    let blocked = UnsafePointer<Int32>(p.blockedWeights.raw.assumingMemoryBound(to: Int32.self))
    let s = d.stride, width = d.inputWidth, stride = d.inputStride
    let oxLo = (d.padLeft + s - 1) / s
    let oxHi = max(oxLo, min(d.outputWidth, (width - 3 + d.padLeft) / s + 1))
    var add = sg_qu8_dw_add()
    if let r = d.residual {
        add = sg_qu8_dw_add(identity: r.identity, identityStride: r.identityStride, branchZeroPoint: r.branchZeroPoint,
                            identityZeroPoint: r.identityZeroPoint, branchRatio: r.branchRatio, identityRatio: r.identityRatio,
                            lower: r.lower, upper: r.upper, zeroPoint: r.zeroPoint, addedChannels: Int32(r.addedChannels))
    }
    withUnsafeMutablePointer(to: &add) { addPointer in
        let identityBase = addPointer.pointee.identity
        // The add of pixel `pixel` (nil when there is none).
        func addAt(_ pixel: Int) -> UnsafePointer<sg_qu8_dw_add>? {
            guard let r = d.residual else { return nil }
            addPointer.pointee.identity = identityBase.map { $0 + pixel &* r.identityStride }
            return UnsafePointer(addPointer)
        }
        func border(_ oy: Int, _ ox: Int) {
            let iy = oy &* s &- d.padTop, ix = ox &* s &- d.padLeft
            var taps = (Optional(d.pixel(iy, ix)), Optional(d.pixel(iy, ix &+ 1)), Optional(d.pixel(iy, ix &+ 2)),
                        Optional(d.pixel(iy &+ 1, ix)), Optional(d.pixel(iy &+ 1, ix &+ 1)), Optional(d.pixel(iy &+ 1, ix &+ 2)),
                        Optional(d.pixel(iy &+ 2, ix)), Optional(d.pixel(iy &+ 2, ix &+ 1)), Optional(d.pixel(iy &+ 2, ix &+ 2)))
            let pixel = oy &* d.outputWidth &+ ox
            let added = addAt(pixel)
            withUnsafePointer(to: &taps) {
                $0.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 9) { t in
                    sg_qu8_dw3x3_pixel(t, cs, blocked, d.output + pixel &* d.outputStride, d.lower, d.upper, d.zeroPoint, added)
                }
            }
        }
        for oy in rows {
            let iy0 = oy &* s &- d.padTop
            guard iy0 >= 0 && iy0 &+ 3 <= d.inputHeight && oxLo < oxHi else {
                for ox in 0..<d.outputWidth { border(oy, ox) }
                continue
            }
            for ox in 0..<oxLo { border(oy, ox) }
            for ox in oxHi..<d.outputWidth { border(oy, ox) }
            let first = oy &* d.outputWidth &+ oxLo
            sg_qu8_dw3x3_row(d.input + (iy0 &* width &+ oxLo &* s &- d.padLeft) &* stride, width &* stride, stride, s, oxHi &- oxLo,
                             cs, blocked, d.output + first &* d.outputStride, d.outputStride, d.lower, d.upper, d.zeroPoint,
                             addAt(first))
        }
    }
}

/// 3×3 on 16 channels at a time (AVX-512, NEON): per output row, each pixel across every channel
/// vector (pixels outer, as the float kernels: each input line is used whole while it is in L1),
/// its nine taps fixed offsets from three row pointers inside the map, looked up at the border.
@inlinable @inline(__always)
func qu8_dwconv3x3<Tag>(_ d: QuantizedDepthwiseArguments, rows: Range<Int>, _ tag: Tag.Type) {
    // Two instantiations: with the add known absent, its checks and registers leave the loop.
    if let r = d.residual {
        qu8_dwconv3x3(d, rows: rows, residual: r, tag)
    } else {
        qu8_dwconv3x3(d, rows: rows, residual: nil, tag)
    }
}

@inlinable @inline(__always)
func qu8_dwconv3x3<Tag>(_ d: QuantizedDepthwiseArguments, rows: Range<Int>, residual: QuantizedAddArguments?, _ tag: Tag.Type) {
    let s = d.stride, width = d.inputWidth, stride = d.inputStride, rowBytes = width &* stride
    let oxLo = (d.padLeft + s - 1) / s
    let oxHi = max(oxLo, min(d.outputWidth, (width - 3 + d.padLeft) / s + 1))
    // A pixel whose taps may fall in the padding: the zero-point row there.
    func border(_ oy: Int, _ ox: Int) {
        let iy = oy &* s &- d.padTop, ix = ox &* s &- d.padLeft
        func at(_ dy: Int, _ dx: Int) -> UnsafeRawPointer { UnsafeRawPointer(d.pixel(iy &+ dy, ix &+ dx)) }
        qu8_dwconv3x3_taps(d, (at(0, 0), at(0, 1), at(0, 2), at(1, 0), at(1, 1), at(1, 2), at(2, 0), at(2, 1), at(2, 2)),
                           pixel: oy &* d.outputWidth &+ ox, residual: residual, tag)
    }
    for oy in rows {
        let iy0 = oy &* s &- d.padTop
        guard iy0 >= 0 && iy0 &+ 3 <= d.inputHeight && oxLo < oxHi else {
            for ox in 0..<d.outputWidth { border(oy, ox) }
            continue
        }
        for ox in 0..<oxLo { border(oy, ox) }
        for ox in oxHi..<d.outputWidth { border(oy, ox) }
        var t0 = UnsafeRawPointer(d.input) + (iy0 &* width &+ oxLo &* s &- d.padLeft) &* stride
        for ox in oxLo..<oxHi {
            let t1 = t0 + rowBytes, t2 = t1 + rowBytes
            qu8_dwconv3x3_taps(d, (t0, t0 + stride, t0 + 2 &* stride, t1, t1 + stride, t1 + 2 &* stride, t2, t2 + stride, t2 + 2 &* stride),
                               pixel: oy &* d.outputWidth &+ ox, residual: residual, tag)
            t0 += s &* stride
        }
    }
}

/// The weights of taps 0–7 for the 16 channels from `channel`, one vector per tap.
@inlinable @inline(__always)
func qu8_dw_weights8(_ w: UnsafeRawPointer, channelStride cs: Int, channel c: Int)
    -> (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>) {
    func at(_ j: Int) -> SIMD16<Int32> {
        w.loadUnaligned(fromByteOffset: (j &* cs &+ c) &* 4, as: SIMD16<Int32>.self)
    }
    return (at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
}

/// acc + taps 0–7 of a 3×3 window (`x`, one byte vector per tap) times `v` (qu8_dw_weights8).
@inlinable @inline(__always)
func qu8_dw_taps8(_ acc: SIMD16<Int32>,
                  _ x: (SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>),
                  _ v: (SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>, SIMD16<Int32>))
    -> SIMD16<Int32> {
    var acc = acc
    acc = sg_mac_u8_i32x16(acc, x.0, v.0); acc = sg_mac_u8_i32x16(acc, x.1, v.1)
    acc = sg_mac_u8_i32x16(acc, x.2, v.2); acc = sg_mac_u8_i32x16(acc, x.3, v.3)
    acc = sg_mac_u8_i32x16(acc, x.4, v.4); acc = sg_mac_u8_i32x16(acc, x.5, v.5)
    acc = sg_mac_u8_i32x16(acc, x.6, v.6)
    return sg_mac_u8_i32x16(acc, x.7, v.7)
}

/// One output pixel of a 3×3 convolution, every channel vector, its nine tap pointers given
/// (row-major). The border pixels find them once, not once per channel vector as the general
/// path (qu8_dwconv_k) does, which made the borders, a quarter of the pixels of a 14×14 map, cost
/// as much as the interior.
@inlinable @inline(__always)
func qu8_dwconv3x3_taps<Tag>(_ d: QuantizedDepthwiseArguments,
                             _ t: (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer,
                                   UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer),
                             pixel: Int, residual: QuantizedAddArguments?, _ tag: Tag.Type) {
    let p = d.weights, cs = p.channelStride
    let w = UnsafeRawPointer(p.weights.raw), b = UnsafeRawPointer(p.bias.raw), m = UnsafeRawPointer(p.multipliers.raw)
    let out = UnsafeMutableRawPointer(d.output + pixel &* d.outputStride)
    var c = 0
    while c < cs {
        var acc = qu8_dw_taps8(b.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Int32>.self),
                               (t.0.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.1.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.2.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.3.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.4.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.5.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.6.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                t.7.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self)),
                               qu8_dw_weights8(w, channelStride: cs, channel: c))
        acc = sg_mac_u8_i32x16(acc, t.8.loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                               w.loadUnaligned(fromByteOffset: (8 &* cs &+ c) &* 4, as: SIMD16<Int32>.self))
        out.storeBytes(of: qu8_dw_requantize(d, residual, acc, m.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Float>.self),
                                             pixel: pixel, channel: c),
                       toByteOffset: c, as: SIMD16<UInt8>.self)
        c &+= 16
    }
}

@inlinable @inline(__always)
func qu8_dwconv_k<Tag>(_ d: QuantizedDepthwiseArguments, rows: Range<Int>, k: Int, columns: Range<Int>? = nil, _ tag: Tag.Type) {
    let p = d.weights, cs = p.channelStride
    let w = UnsafeRawPointer(p.weights.raw), b = UnsafeRawPointer(p.bias.raw), m = UnsafeRawPointer(p.multipliers.raw)
    let s = d.stride, width = d.inputWidth, stride = d.inputStride
    let input = UnsafeRawPointer(d.input)
    // Output columns whose taps all lie inside the row: [oxLo, oxHi).
    let oxLo = (d.padLeft + s - 1) / s
    let oxHi = max(oxLo, min(d.outputWidth, (width - k + d.padLeft) / s + 1))
    for oy in rows {
        let iy0 = oy &* s &- d.padTop
        let rowsInside = iy0 >= 0 && iy0 &+ k <= d.inputHeight
        for ox in columns ?? 0..<d.outputWidth {
            let out = UnsafeMutableRawPointer(d.output + (oy &* d.outputWidth &+ ox) &* d.outputStride)
            let ix0 = ox &* s &- d.padLeft
            if rowsInside && ox >= oxLo && ox < oxHi {
                let base = input + (iy0 &* width &+ ix0) &* stride
                var c = 0
                while c < cs {
                    var acc = b.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Int32>.self)
                    for ky in 0..<k {
                        for kx in 0..<k {
                            acc = sg_mac_u8_i32x16(acc, base.loadUnaligned(fromByteOffset: (ky &* width &+ kx) &* stride &+ c,
                                                                           as: SIMD16<UInt8>.self),
                                                   w.loadUnaligned(fromByteOffset: ((ky &* k &+ kx) &* cs &+ c) &* 4, as: SIMD16<Int32>.self))
                        }
                    }
                    out.storeBytes(of: qu8_dw_requantize(d, d.residual, acc, m.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Float>.self),
                                                         pixel: oy &* d.outputWidth &+ ox, channel: c),
                                   toByteOffset: c, as: SIMD16<UInt8>.self)
                    c &+= 16
                }
            } else {
                var c = 0
                while c < cs {
                    var acc = b.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Int32>.self)
                    for ky in 0..<k {
                        for kx in 0..<k {
                            acc = sg_mac_u8_i32x16(acc, UnsafeRawPointer(d.pixel(iy0 &+ ky, ix0 &+ kx))
                                                       .loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self),
                                                   w.loadUnaligned(fromByteOffset: ((ky &* k &+ kx) &* cs &+ c) &* 4, as: SIMD16<Int32>.self))
                        }
                    }
                    out.storeBytes(of: qu8_dw_requantize(d, d.residual, acc, m.loadUnaligned(fromByteOffset: c &* 4, as: SIMD16<Float>.self),
                                                         pixel: oy &* d.outputWidth &+ ox, channel: c),
                                   toByteOffset: c, as: SIMD16<UInt8>.self)
                    c &+= 16
                }
            }
        }
    }
}

/// The identity's ratio for the 16 channels from `channel`: zero in lanes past `addedChannels`.
@inlinable @inline(__always)
func qu8_identity_ratio(_ r: QuantizedAddArguments, channel c: Int) -> SIMD16<Float> {
    sg_ratio_below_f32x16(Int32(truncatingIfNeeded: c), Int32(truncatingIfNeeded: r.addedChannels), r.identityRatio)
}

/// The 16 requantized bytes of pixel `pixel` from channel `c`, through the fused add when there
/// is one (sg_requantize_add_u8x16: the requantized value goes on as a float).
@inlinable @inline(__always)
func qu8_dw_requantize(_ d: QuantizedDepthwiseArguments, _ residual: QuantizedAddArguments?, _ acc: SIMD16<Int32>,
                       _ multiplier: SIMD16<Float>, pixel: Int, channel c: Int) -> SIMD16<UInt8> {
    guard let r = residual else { return sg_requantize_u8x16(acc, multiplier, d.lower, d.upper, d.zeroPoint) }
    let identity = UnsafeRawPointer(r.identity + (pixel &* r.identityStride &+ c)).loadUnaligned(as: SIMD16<UInt8>.self)
    return sg_requantize_add_u8x16(acc, multiplier, d.lower, d.upper, d.zeroPoint, identity, r.branchZeroPoint, r.identityZeroPoint,
                                   SIMD16<Float>(repeating: r.branchRatio), qu8_identity_ratio(r, channel: c), r.lower, r.upper,
                                   r.zeroPoint)
}

/// im2col for a dense convolution: each output pixel's k_h·k_w taps (ky, kx order), each tap
/// the input pixel's `channels` bytes, packed densely (the RGB stem's row is 27 bytes, 7 words,
/// not 9 taps of 4 bytes with a zero weight in each: 22% fewer GEMM products), or the input zero
/// point where the tap lies in the padding. A tap is copied as whole words, the next tap
/// overwriting the bytes past its channels; the bytes past the last tap meet zero weights.
public struct QuantizedIm2ColArguments {
    public var input: UnsafePointer<UInt8>
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputStride: Int
    /// Bytes per tap in a row: the channels.
    public var tapBytes: Int
    /// Words copied per tap: the channels rounded up to 4 bytes (≤ inputStride).
    public var tapWords: Int { (tapBytes + 3) / 4 }
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padTop: Int
    public var padLeft: Int
    public var outputWidth: Int
    public var rows: UnsafeMutablePointer<UInt8>
    public var rowStride: Int
    public var zeroPoint: UInt8

    public init(input: UnsafePointer<UInt8>, inputHeight: Int, inputWidth: Int, inputStride: Int, channels: Int,
                kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padTop: Int, padLeft: Int,
                outputWidth: Int, rows: UnsafeMutablePointer<UInt8>, rowStride: Int, zeroPoint: UInt8) {
        self.input = input; self.inputHeight = inputHeight; self.inputWidth = inputWidth; self.inputStride = inputStride
        tapBytes = channels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth; self.padTop = padTop; self.padLeft = padLeft
        self.outputWidth = outputWidth; self.rows = rows; self.rowStride = rowStride; self.zeroPoint = zeroPoint
    }

    /// The least row stride for `taps` taps of `channels` bytes: K (rounded up to a word), and
    /// room for the last tap's whole words, in 16-byte steps.
    public static func rowStride(taps: Int, channels: Int) -> Int {
        roundUp(max(roundUp(taps * channels, 4), (taps - 1) * channels + roundUp(channels, 4)), 16)
    }
}

/// Output pixels `pixels` (row-major over the output map), 4 bytes at a time. Pixels whose
/// taps all lie inside the map copy from fixed offsets of one pointer; the 3×3 stem on RGB
/// (one word per tap, 3 bytes apart) is instantiated with its sizes as constants.
public func qu8_im2col(_ a: QuantizedIm2ColArguments, pixels: Range<Int>) {
    if a.kernelHeight == 3 && a.kernelWidth == 3 && a.tapBytes == 3 {
        qu8_im2col_k(a, pixels: pixels, kh: 3, kw: 3, words: 1, tapBytes: 3)
    } else {
        qu8_im2col_k(a, pixels: pixels, kh: a.kernelHeight, kw: a.kernelWidth, words: a.tapWords, tapBytes: a.tapBytes)
    }
}

@inline(__always)
func qu8_im2col_k(_ a: QuantizedIm2ColArguments, pixels: Range<Int>, kh: Int, kw: Int, words: Int, tapBytes: Int) {
    guard !pixels.isEmpty else { return }
    let zero = UInt32(a.zeroPoint) &* 0x0101_0101
    let input = UnsafeRawPointer(a.input)
    let height = a.inputHeight, width = a.inputWidth, stride = a.inputStride
    var oy = pixels.lowerBound / a.outputWidth, ox = pixels.lowerBound % a.outputWidth
    for pixel in pixels {
        var dst = UnsafeMutableRawPointer(a.rows + pixel &* a.rowStride)
        let iy0 = oy &* a.strideHeight &- a.padTop, ix0 = ox &* a.strideWidth &- a.padLeft
        if iy0 >= 0 && iy0 &+ kh <= height && ix0 >= 0 && ix0 &+ kw <= width {
            let base = input + (iy0 &* width &+ ix0) &* stride
            for ky in 0..<kh {
                for kx in 0..<kw {
                    let src = base + (ky &* width &+ kx) &* stride
                    for j in 0..<words {
                        dst.storeBytes(of: src.loadUnaligned(fromByteOffset: j &* 4, as: UInt32.self), toByteOffset: j &* 4, as: UInt32.self)
                    }
                    dst += tapBytes
                }
            }
        } else {
            for ky in 0..<kh {
                let iy = iy0 &+ ky
                for kx in 0..<kw {
                    let ix = ix0 &+ kx
                    if iy < 0 || iy >= height || ix < 0 || ix >= width {
                        for j in 0..<words { dst.storeBytes(of: zero, toByteOffset: j &* 4, as: UInt32.self) }
                    } else {
                        let src = input + (iy &* width &+ ix) &* stride
                        for j in 0..<words {
                            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: j &* 4, as: UInt32.self), toByteOffset: j &* 4, as: UInt32.self)
                        }
                    }
                    dst += tapBytes
                }
            }
        }
        ox &+= 1
        if ox == a.outputWidth { ox = 0; oy &+= 1 }
    }
}
