// The one error type of the importer: a single line that says what is wrong, where (node,
// tensor, byte offset) and, where there is one, how to fix it.

public struct ONNXImportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Names a node in errors: "Conv node 'stem_conv' (node 3)".
func describe(_ node: NodeProto, index: Int) -> String {
    let op = node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
    return node.name.isEmpty ? "\(op) node #\(index)" : "\(op) node '\(node.name)'"
}
