// A fixed-size, 64-byte aligned, zero-initialised float buffer with kernelReadSlack floats of
// readable slack at the end. Owns its memory; allocation happens only when one is created
// (at plan time), never per inference.

public final class AlignedBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>

    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: (count + kernelReadSlack) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: count + kernelReadSlack)
        pointer.initialize(repeating: 0, count: count + kernelReadSlack)
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public var bytes: Int { count * 4 }
}

/// Rounds `value` up to a multiple of `multiple`.
@inlinable
public func roundUp(_ value: Int, _ multiple: Int) -> Int {
    (value + multiple - 1) / multiple * multiple
}

/// The same for the 8-bit kernels: `bytes` zeroed bytes, 64-byte aligned, with 64 bytes of
/// readable slack, viewed as the element type each user binds (bytes, int32 or float lanes).
public final class AlignedBytes {
    public let bytes: Int
    public let raw: UnsafeMutableRawPointer

    public init(bytes: Int) {
        self.bytes = bytes
        raw = UnsafeMutableRawPointer.allocate(byteCount: roundUp(bytes, 64) + 64, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: roundUp(bytes, 64) + 64)
    }

    deinit { raw.deallocate() }

    public var u8: UnsafeMutablePointer<UInt8> { raw.assumingMemoryBound(to: UInt8.self) }
}
