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
    }

    public var packedBytes: Int { weights.bytes + bias.bytes + multipliers.bytes }
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

    public init(input: UnsafePointer<UInt8>, inputHeight: Int, inputWidth: Int, inputStride: Int,
                output: UnsafeMutablePointer<UInt8>, outputWidth: Int, outputStride: Int, stride: Int, padTop: Int,
                padLeft: Int, weights: PackedQuantizedDepthwiseWeights, zeroRow: UnsafePointer<UInt8>,
                outputZeroPoint: Int32, outputRange: ClosedRange<Int32>) {
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
                d.output[(oy * d.outputWidth + ox) * d.outputStride + c] =
                    referenceRequantize(acc, multiplier: m[c], zeroPoint: d.zeroPoint, lower: d.lower, upper: d.upper)
            }
        }
    }
}

/// Output rows `rows`: per output pixel, the k·k tap pointers once, then 16 channels at a time.
// Always inlined, so that each ISA module compiles it with its own flags.
@inlinable @inline(__always)
public func qu8_dwconv(_ d: QuantizedDepthwiseArguments, rows: Range<Int>) {
    let p = d.weights, k = p.kernelSize, taps = k * k, cs = p.channelStride
    let w = UnsafeRawPointer(p.weights.raw), b = UnsafeRawPointer(p.bias.raw), m = UnsafeRawPointer(p.multipliers.raw)
    withUnsafeTemporaryAllocation(of: UnsafeRawPointer.self, capacity: taps) { tap in
        for oy in rows {
            for ox in 0..<d.outputWidth {
                for ky in 0..<k {
                    for kx in 0..<k {
                        tap[ky * k + kx] = UnsafeRawPointer(d.pixel(oy * d.stride - d.padTop + ky, ox * d.stride - d.padLeft + kx))
                    }
                }
                let out = UnsafeMutableRawPointer(d.output + (oy * d.outputWidth + ox) * d.outputStride)
                var c = 0
                while c < cs {
                    var acc = b.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Int32>.self)
                    for t in 0..<taps {
                        let x = sg_widen_u8x16(tap[t].loadUnaligned(fromByteOffset: c, as: SIMD16<UInt8>.self))
                        acc &+= x &* w.loadUnaligned(fromByteOffset: (t * cs + c) * 4, as: SIMD16<Int32>.self)
                    }
                    let q = sg_requantize_u8x16(acc, m.loadUnaligned(fromByteOffset: c * 4, as: SIMD16<Float>.self),
                                                d.lower, d.upper, d.zeroPoint)
                    out.storeBytes(of: q, toByteOffset: c, as: SIMD16<UInt8>.self)
                    c += 16
                }
            }
        }
    }
}

/// im2col for a dense convolution: each output pixel's k_h·k_w·C input bytes (ky, kx, c order),
/// the input zero point where a tap is in the padding, into a row of `rowStride` bytes.
public struct QuantizedIm2ColArguments {
    public var input: UnsafePointer<UInt8>
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputStride: Int
    public var channels: Int
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
        self.channels = channels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth; self.padTop = padTop; self.padLeft = padLeft
        self.outputWidth = outputWidth; self.rows = rows; self.rowStride = rowStride; self.zeroPoint = zeroPoint
    }
}

/// Output pixels `pixels` (row-major over the output map).
public func qu8_im2col(_ a: QuantizedIm2ColArguments, pixels: Range<Int>) {
    for pixel in pixels {
        let oy = pixel / a.outputWidth, ox = pixel % a.outputWidth
        var dst = a.rows + pixel * a.rowStride
        for ky in 0..<a.kernelHeight {
            let iy = oy * a.strideHeight - a.padTop + ky
            for kx in 0..<a.kernelWidth {
                let ix = ox * a.strideWidth - a.padLeft + kx
                if iy < 0 || iy >= a.inputHeight || ix < 0 || ix >= a.inputWidth {
                    dst.update(repeating: a.zeroPoint, count: a.channels)
                } else {
                    dst.update(from: a.input + (iy * a.inputWidth + ix) * a.inputStride, count: a.channels)
                }
                dst += a.channels
            }
        }
    }
}
