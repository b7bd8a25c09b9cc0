// Typed, checked access to a node's attributes: the attribute's declared type must match what
// the operator defines, and integers that become sizes are range-checked before any arithmetic,
// so a corrupt value is an error rather than an overflow.

struct NodeAttributes {
    let node: NodeProto
    /// "Conv node 'stem'", for errors.
    let label: String
    private let byName: [String: AttributeProto]

    init(_ node: NodeProto, label: String) throws {
        self.node = node
        self.label = label
        var map: [String: AttributeProto] = [:]
        for a in node.attributes {
            guard map[a.name] == nil else { throw ONNXImportError("\(label) has attribute '\(a.name)' twice") }
            guard a.refAttrName == nil else {
                throw ONNXImportError("\(label): attribute '\(a.name)' refers to a function attribute, which is only valid inside a function")
            }
            map[a.name] = a
        }
        byName = map
    }

    var names: [String] { byName.keys.sorted() }

    func has(_ name: String) -> Bool { byName[name] != nil }

    /// The attribute, checked to be of `type` (files that leave the type UNDEFINED are taken
    /// by the field that is set).
    private func attribute(_ name: String, _ type: AttributeType) throws -> AttributeProto? {
        guard let a = byName[name] else { return nil }
        if a.type != AttributeType.undefined.rawValue && a.type != type.rawValue {
            let found = AttributeType(rawValue: a.type).map { "\($0)" } ?? "type \(a.type)"
            throw ONNXImportError("\(label): attribute '\(name)' should be of type \(type), it is \(found)")
        }
        return a
    }

    func int(_ name: String) throws -> Int64? {
        guard let a = try attribute(name, .int) else { return nil }
        guard let v = a.i else { throw ONNXImportError("\(label): attribute '\(name)' has no integer value") }
        return v
    }

    /// An integer attribute in `range` (or `default` when absent).
    func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let v = try int(name) else { return value }
        guard v >= Int64(range.lowerBound), v <= Int64(range.upperBound) else {
            throw ONNXImportError("\(label): attribute \(name) = \(v) is not supported (expected \(range.lowerBound)...\(range.upperBound))")
        }
        return Int(v)
    }

    func ints(_ name: String) throws -> [Int64]? {
        guard let a = try attribute(name, .ints) else { return nil }
        return a.ints
    }

    /// Integers that become sizes (kernel, stride, pads): each in `range`.
    func sizes(_ name: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard let v = try ints(name) else { return nil }
        guard v.allSatisfy({ $0 >= Int64(range.lowerBound) && $0 <= Int64(range.upperBound) }) else {
            throw ONNXImportError("\(label): attribute \(name) = \(v) is not supported (each value must be in \(range.lowerBound)...\(range.upperBound))")
        }
        return v.map { Int($0) }
    }

    func float(_ name: String) throws -> Float? {
        guard let a = try attribute(name, .float) else { return nil }
        guard let v = a.f else { throw ONNXImportError("\(label): attribute '\(name)' has no float value") }
        return v
    }

    func string(_ name: String) throws -> String? {
        guard let a = try attribute(name, .string) else { return nil }
        guard let s = a.s else { throw ONNXImportError("\(label): attribute '\(name)' has no string value") }
        return String(decoding: s, as: UTF8.self)
    }

    func tensor(_ name: String) throws -> TensorProto? {
        guard let a = try attribute(name, .tensor) else { return nil }
        guard let t = a.t else { throw ONNXImportError("\(label): attribute '\(name)' has no tensor value") }
        return t
    }

    func floats(_ name: String) throws -> [Float]? {
        try attribute(name, .floats)?.floats
    }
}
