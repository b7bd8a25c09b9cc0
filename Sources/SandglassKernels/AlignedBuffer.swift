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
