// Decodes a TensorProto (an initializer, a Constant's value, an attribute tensor) into
// numbers: from raw_data (little-endian), from the typed fields (float_data, int32_data,
// int64_data, double_data, uint64_data), or from an external data file next to the model.
// Element counts are checked against the data before anything is allocated.
import SandglassEngine

/// A constant tensor, decoded: floats for floating-point types, integers for integer types.
struct ConstantTensor {
    enum Values {
        case floats([Float])
        case ints([Int64])
    }

    var dims: [Int]
    var values: Values

    var count: Int {
        switch values {
        case let .floats(v): return v.count
        case let .ints(v): return v.count
        }
    }

    /// Values as floats (integers converted).
    var floats: [Float] {
        switch values {
        case let .floats(v): return v
        case let .ints(v): return v.map { Float($0) }
        }
    }

    var isFloat: Bool { if case .floats = values { return true } else { return false } }

    static func ints(_ v: [Int64], dims: [Int]? = nil) -> ConstantTensor {
        ConstantTensor(dims: dims ?? [v.count], values: .ints(v))
    }
}

/// Largest tensor the importer accepts (elements); larger claims are treated as corruption.
let maximumTensorElements = 1 << 31

/// Element count of `dims`, or an error if a dimension is negative or the product too large.
func elementCount(_ dims: [Int64], what: String) throws -> Int {
    var n = 1
    for d in dims {
        guard d >= 0 else { throw ONNXImportError("\(what) has a negative dimension in \(dims)") }
        guard d <= Int64(maximumTensorElements) else {
            throw ONNXImportError("\(what) has dimensions \(dims): more than \(maximumTensorElements) elements")
        }
        let (p, overflow) = n.multipliedReportingOverflow(by: Int(d))
        guard !overflow, p <= maximumTensorElements else {
            throw ONNXImportError("\(what) has dimensions \(dims): more than \(maximumTensorElements) elements")
        }
        n = p
    }
    return n
}

/// The product of sizes, or Int.max when it overflows (then always "too large" to callers).
func saturatingProduct<S: Sequence>(_ values: S) -> Int where S.Element == Int {
    var p = 1
    for v in values {
        let (r, overflow) = p.multipliedReportingOverflow(by: v)
        if overflow { return Int.max }
        p = r
    }
    return p
}

/// Where a model's external data files live.
struct ExternalDataSource {
    /// Directory of the model file ("" when the model came from memory).
    var directory: String?
}

extension TensorProto {
    /// Decodes the tensor; `what` names it in errors ("initializer 'W3'").
    func decode(what: String, external: ExternalDataSource) throws -> ConstantTensor {
        let count = try elementCount(dims, what: what)
        let dimsInt = dims.map { Int($0) }
        guard !hasSegment else { throw ONNXImportError("\(what) is segmented, which is not supported") }
        guard dataLocation == 0 || dataLocation == 1 else {
            throw ONNXImportError("\(what) has unknown data_location \(dataLocation)")
        }
        let typeName = ONNXDataType.name(of: dataType)
        let elementSize: Int
        switch ONNXDataType(rawValue: dataType) {
        case .float?, .int32?, .uint32?: elementSize = 4
        case .double?, .int64?, .uint64?: elementSize = 8
        case .int16?, .uint16?: elementSize = 2
        case .int8?, .uint8?, .bool?: elementSize = 1
        default:
            throw ONNXImportError("\(what) has element type \(typeName); Sandglass imports float32 models (integer tensors for shapes); convert the model to float32")
        }
        var raw = rawData
        if dataLocation == 1 {
            raw = try readExternal(what: what, bytes: count * elementSize, external: external)[...]
        }
        let typedCount = floatData.count + int32Data.count + int64Data.count + doubleData.count + uint64Data.count
        if let raw {
            guard typedCount == 0 else { throw ONNXImportError("\(what) has both raw_data and typed data fields") }
            guard raw.count == count * elementSize else {
                throw ONNXImportError("\(what) has \(raw.count) bytes of raw data; dimensions \(dims) of \(typeName) need \(count * elementSize)")
            }
            return ConstantTensor(dims: dimsInt, values: try decodeRaw(raw, count: count, what: what))
        }
        func check(_ n: Int, _ field: String) throws {
            guard n == count else {
                throw ONNXImportError("\(what) has \(n) values in \(field); dimensions \(dims) need \(count)")
            }
        }
        switch ONNXDataType(rawValue: dataType)! {
        case .float:
            try check(floatData.count, "float_data")
            return ConstantTensor(dims: dimsInt, values: .floats(floatData))
        case .double:
            try check(doubleData.count, "double_data")
            return ConstantTensor(dims: dimsInt, values: .floats(doubleData.map { Float($0) }))
        case .int64:
            try check(int64Data.count, "int64_data")
            return ConstantTensor(dims: dimsInt, values: .ints(int64Data))
        case .uint32, .uint64:
            try check(uint64Data.count, "uint64_data")
            guard uint64Data.allSatisfy({ $0 <= UInt64(Int64.max) }) else {
                throw ONNXImportError("\(what) has a uint64 value too large for an int64")
            }
            return ConstantTensor(dims: dimsInt, values: .ints(uint64Data.map { Int64($0) }))
        default:   // int32, int16, uint16, int8, uint8 and bool live in int32_data
            try check(int32Data.count, "int32_data")
            return ConstantTensor(dims: dimsInt, values: .ints(int32Data.map { Int64($0) }))
        }
    }

    private func decodeRaw(_ raw: ArraySlice<UInt8>, count: Int, what: String) throws -> ConstantTensor.Values {
        let base = raw.startIndex
        func u32(_ i: Int) -> UInt32 {
            let p = base + 4 * i
            let b0: UInt32 = UInt32(raw[p]), b1: UInt32 = UInt32(raw[p + 1]) << 8
            let b2: UInt32 = UInt32(raw[p + 2]) << 16, b3: UInt32 = UInt32(raw[p + 3]) << 24
            return b0 | b1 | b2 | b3
        }
        func u64(_ i: Int) -> UInt64 {
            let p = base + 8 * i
            var v: UInt64 = 0
            for j in 0..<8 { v |= UInt64(raw[p + j]) << (8 * UInt64(j)) }
            return v
        }
        switch ONNXDataType(rawValue: dataType)! {
        case .float:
            var out = [Float](repeating: 0, count: count)
            for i in 0..<count { out[i] = Float(bitPattern: u32(i)) }
            return .floats(out)
        case .double: return .floats((0..<count).map { Float(Double(bitPattern: u64($0))) })
        case .int64: return .ints((0..<count).map { Int64(bitPattern: u64($0)) })
        case .uint64:
            let v = (0..<count).map { u64($0) }
            guard v.allSatisfy({ $0 <= UInt64(Int64.max) }) else {
                throw ONNXImportError("\(what) has a uint64 value too large for an int64")
            }
            return .ints(v.map { Int64($0) })
        case .int32: return .ints((0..<count).map { Int64(Int32(bitPattern: u32($0))) })
        case .uint32: return .ints((0..<count).map { Int64(u32($0)) })
        case .int16, .uint16:
            let signed = dataType == ONNXDataType.int16.rawValue
            return .ints((0..<count).map { i in
                let v = UInt16(raw[base + 2 * i]) | UInt16(raw[base + 2 * i + 1]) << 8
                return signed ? Int64(Int16(bitPattern: v)) : Int64(v)
            })
        case .int8: return .ints((0..<count).map { Int64(Int8(bitPattern: raw[base + $0])) })
        default: return .ints((0..<count).map { Int64(raw[base + $0]) })   // uint8, bool
        }
    }

    /// The bytes of an external tensor: location (relative to the model), offset, length.
    private func readExternal(what: String, bytes expected: Int, external: ExternalDataSource) throws -> [UInt8] {
        var location: String?, offset = 0, length: Int?
        for entry in externalData {
            switch entry.key {
            case "location": location = entry.value
            case "offset":
                guard let v = Int(entry.value), v >= 0 else { throw ONNXImportError("\(what): external data offset '\(entry.value)' is not a number") }
                offset = v
            case "length":
                guard let v = Int(entry.value), v >= 0 else { throw ONNXImportError("\(what): external data length '\(entry.value)' is not a number") }
                length = v
            default: break   // checksum, basepath: not needed
            }
        }
        guard let location, !location.isEmpty else { throw ONNXImportError("\(what) is stored externally but names no location") }
        guard let directory = external.directory else {
            throw ONNXImportError("\(what) is stored in the external file '\(location)', but the model was not loaded from a file")
        }
        let parts = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.hasPrefix("/"), !parts.contains(".."), !location.contains("\\") else {
            throw ONNXImportError("\(what): external data location '\(location)' must be a relative path inside the model's directory")
        }
        if let length, length != expected {
            throw ONNXImportError("\(what): external data length \(length) does not match its dimensions \(dims) (\(expected) bytes)")
        }
        let path = directory.isEmpty ? location : directory + "/" + location
        do {
            return try BinaryFile.read(path, offset: offset, count: expected)
        } catch let e as FileError {
            throw ONNXImportError("\(what): external data: \(e.message)")
        }
    }
}
