// The ONNX messages the importer reads (onnx.proto, IR versions 3 to 10), decoded with the
// strict ProtobufReader. Only the fields an inference importer needs are kept; every other
// field is skipped by its wire type, so newer files with extra fields still load. Field
// numbers are those of onnx/onnx.proto.

public struct OperatorSetIdProto: Sendable {
    public var domain = ""
    public var version: Int64 = 0
}

public struct StringStringEntryProto: Sendable {
    public var key = ""
    public var value = ""
}

/// TensorProto.DataType values the importer knows by name.
public enum ONNXDataType: Int32, Sendable {
    case undefined = 0, float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7
    case string = 8, bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13
    case complex64 = 14, complex128 = 15, bfloat16 = 16

    public static func name(of code: Int32) -> String {
        guard let t = ONNXDataType(rawValue: code) else { return "data type \(code)" }
        return "\(t)"
    }
}

public struct TensorProto: Sendable {
    public var name = ""
    public var dims: [Int64] = []
    public var dataType: Int32 = 0
    public var rawData: ArraySlice<UInt8>?
    public var floatData: [Float] = []
    public var int32Data: [Int32] = []
    public var int64Data: [Int64] = []
    public var doubleData: [Double] = []
    public var uint64Data: [UInt64] = []
    public var hasStringData = false
    public var hasSegment = false
    public var externalData: [StringStringEntryProto] = []
    /// 0 = DEFAULT (in this file), 1 = EXTERNAL.
    public var dataLocation: Int32 = 0
}

public struct TensorShapeDimension: Sendable {
    public var value: Int64?
    public var parameter: String?
}

public struct ValueInfoProto: Sendable {
    public var name = ""
    /// Element type of a tensor type (nil when the type is not a tensor or absent).
    public var elementType: Int32?
    /// Dimensions of a tensor type (nil when the shape is absent).
    public var shape: [TensorShapeDimension]?
}

public enum AttributeType: Int32, Sendable {
    case undefined = 0, float = 1, int = 2, string = 3, tensor = 4, graph = 5, sparseTensor = 11, typeProto = 13
    case floats = 6, ints = 7, strings = 8, tensors = 9, graphs = 10, sparseTensors = 12, typeProtos = 14
}

public struct AttributeProto: Sendable {
    public var name = ""
    public var type: Int32 = 0
    public var f: Float?
    public var i: Int64?
    public var s: ArraySlice<UInt8>?
    public var t: TensorProto?
    public var floats: [Float] = []
    public var ints: [Int64] = []
    public var strings: [ArraySlice<UInt8>] = []
    /// A reference to a function attribute (only legal inside functions).
    public var refAttrName: String?
}

public struct NodeProto: Sendable {
    public var name = ""
    public var opType = ""
    public var domain = ""
    public var inputs: [String] = []
    public var outputs: [String] = []
    public var attributes: [AttributeProto] = []
}

public struct GraphProto: Sendable {
    public var name = ""
    public var nodes: [NodeProto] = []
    public var initializers: [TensorProto] = []
    public var sparseInitializerCount = 0
    public var inputs: [ValueInfoProto] = []
    public var outputs: [ValueInfoProto] = []
}

public struct ModelProto: Sendable {
    public var irVersion: Int64 = 0
    public var producerName = ""
    public var producerVersion = ""
    public var opsetImports: [OperatorSetIdProto] = []
    public var graph: GraphProto?
    public var metadata: [StringStringEntryProto] = []
    public var functionCount = 0
}

// MARK: - Decoding

extension ModelProto {
    /// Decodes a whole .onnx file.
    public init(decoding bytes: [UInt8]) throws {
        var r = ProtobufReader(bytes: bytes, messageType: "ModelProto")
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: irVersion = try r.int64(type, field: "ir_version")
            case 2: producerName = try r.string(type, field: "producer_name")
            case 3: producerVersion = try r.string(type, field: "producer_version")
            case 7:
                var g = try r.message(type, field: "graph", messageType: "GraphProto")
                graph = try GraphProto(&g)
            case 8:
                var m = try r.message(type, field: "opset_import[\(opsetImports.count)]", messageType: "OperatorSetIdProto")
                opsetImports.append(try OperatorSetIdProto(&m))
            case 14:
                var m = try r.message(type, field: "metadata_props[\(metadata.count)]", messageType: "StringStringEntryProto")
                metadata.append(try StringStringEntryProto(&m))
            case 25:
                try r.expect(type, .lengthDelimited, field: "functions")
                _ = try r.readLengthDelimited()
                functionCount += 1
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension OperatorSetIdProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: domain = try r.string(type, field: "domain")
            case 2: version = try r.int64(type, field: "version")
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension StringStringEntryProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: key = try r.string(type, field: "key")
            case 2: value = try r.string(type, field: "value")
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension GraphProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1:
                var m = try r.message(type, field: "node[\(nodes.count)]", messageType: "NodeProto")
                nodes.append(try NodeProto(&m))
            case 2: name = try r.string(type, field: "name")
            case 5:
                var m = try r.message(type, field: "initializer[\(initializers.count)]", messageType: "TensorProto")
                initializers.append(try TensorProto(&m))
            case 11:
                var m = try r.message(type, field: "input[\(inputs.count)]", messageType: "ValueInfoProto")
                inputs.append(try ValueInfoProto(&m))
            case 12:
                var m = try r.message(type, field: "output[\(outputs.count)]", messageType: "ValueInfoProto")
                outputs.append(try ValueInfoProto(&m))
            case 15:
                try r.expect(type, .lengthDelimited, field: "sparse_initializer")
                _ = try r.readLengthDelimited()
                sparseInitializerCount += 1
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension NodeProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: inputs.append(try r.string(type, field: "input"))
            case 2: outputs.append(try r.string(type, field: "output"))
            case 3: name = try r.string(type, field: "name")
            case 4: opType = try r.string(type, field: "op_type")
            case 5:
                var m = try r.message(type, field: "attribute[\(attributes.count)]", messageType: "AttributeProto")
                attributes.append(try AttributeProto(&m))
            case 7: domain = try r.string(type, field: "domain")
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension AttributeProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: name = try r.string(type, field: "name")
            case 2: f = try r.float(type, field: "f")
            case 3: i = try r.int64(type, field: "i")
            case 4: s = try r.bytes(type, field: "s")
            case 5:
                var m = try r.message(type, field: "t", messageType: "TensorProto")
                t = try TensorProto(&m)
            case 7: try r.appendFloats(type, field: "floats", to: &floats)
            case 8: try r.appendInt64s(type, field: "ints", to: &ints)
            case 9: strings.append(try r.bytes(type, field: "strings"))
            case 20: self.type = try r.int32(type, field: "type")
            case 21: refAttrName = try r.string(type, field: "ref_attr_name")
            default: try r.skip(type, field: field)   // g, tensors, graphs, sparse tensors, type protos
            }
        }
    }
}

extension TensorProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: try r.appendInt64s(type, field: "dims", to: &dims)
            case 2: dataType = try r.int32(type, field: "data_type")
            case 3:
                try r.expect(type, .lengthDelimited, field: "segment")
                _ = try r.readLengthDelimited()
                hasSegment = true
            case 4: try r.appendFloats(type, field: "float_data", to: &floatData)
            case 5: try r.appendInt32s(type, field: "int32_data", to: &int32Data)
            case 6:
                _ = try r.bytes(type, field: "string_data")
                hasStringData = true
            case 7: try r.appendInt64s(type, field: "int64_data", to: &int64Data)
            case 8: name = try r.string(type, field: "name")
            case 9: rawData = try r.bytes(type, field: "raw_data")
            case 10: try r.appendDoubles(type, field: "double_data", to: &doubleData)
            case 11: try r.appendUInt64s(type, field: "uint64_data", to: &uint64Data)
            case 13:
                var m = try r.message(type, field: "external_data[\(externalData.count)]", messageType: "StringStringEntryProto")
                externalData.append(try StringStringEntryProto(&m))
            case 14: dataLocation = try r.int32(type, field: "data_location")
            default: try r.skip(type, field: field)
            }
        }
    }
}

extension ValueInfoProto {
    init(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            switch field {
            case 1: name = try r.string(type, field: "name")
            case 2:
                var m = try r.message(type, field: "type", messageType: "TypeProto")
                try decodeType(&m)
            default: try r.skip(type, field: field)
            }
        }
    }

    /// TypeProto: only tensor_type (field 1) is read; sequences, maps and the rest are skipped.
    private mutating func decodeType(_ r: inout ProtobufReader) throws {
        while !r.isAtEnd {
            let (field, type) = try r.readTag()
            guard field == 1 else { try r.skip(type, field: field); continue }
            var t = try r.message(type, field: "tensor_type", messageType: "TypeProto.Tensor")
            while !t.isAtEnd {
                let (tf, tt) = try t.readTag()
                switch tf {
                case 1: elementType = try t.int32(tt, field: "elem_type")
                case 2:
                    var s = try t.message(tt, field: "shape", messageType: "TensorShapeProto")
                    var dims: [TensorShapeDimension] = []
                    while !s.isAtEnd {
                        let (sf, st) = try s.readTag()
                        guard sf == 1 else { try s.skip(st, field: sf); continue }
                        var d = try s.message(st, field: "dim[\(dims.count)]", messageType: "TensorShapeProto.Dimension")
                        var dim = TensorShapeDimension()
                        while !d.isAtEnd {
                            let (df, dt) = try d.readTag()
                            switch df {
                            case 1: dim.value = try d.int64(dt, field: "dim_value")
                            case 2: dim.parameter = try d.string(dt, field: "dim_param")
                            default: try d.skip(dt, field: df)
                            }
                        }
                        dims.append(dim)
                    }
                    shape = dims
                default: try t.skip(tt, field: tf)
                }
            }
        }
    }
}
