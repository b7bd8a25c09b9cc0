// The per-layer table of a graph (what `sandglass inspect` prints and results embed):
// shapes, parameters, MAdds, shortcut adds and analytic bytes, per layer and in total.
import SandglassKernels  // ElementType (SandglassParameters, re-exported)

public struct ModelSummary: Codable, Sendable {
    public struct Totals: Codable, Sendable, Equatable {
        /// Parameters including BatchNorm γ/β (PyTorch's count).
        public var params: Int
        /// Conv and FC parameters only.
        public var paramsConvFC: Int
        public var batchNormParams: Int
        public var madds: Int
        public var shortcutAdds: Int
        public var weightBytes: Int
        public var bytesRead: Int
        public var bytesWritten: Int

        public init(_ c: LayerCounts) {
            params = c.paramsWithBatchNorm
            paramsConvFC = c.params
            batchNormParams = c.batchNormParams
            madds = c.madds
            shortcutAdds = c.shortcutAdds
            weightBytes = c.weightBytes
            bytesRead = c.bytesRead
            bytesWritten = c.bytesWritten
        }
    }

    public struct Row: Codable, Sendable {
        public var index: Int
        public var name: String
        public var op: String
        public var inputs: [String]
        public var output: String
        public var params: Int
        public var paramsConvFC: Int
        public var madds: Int
        public var shortcutAdds: Int
        public var weightBytes: Int
        public var bytesRead: Int
        public var bytesWritten: Int
    }

    public var model: String
    public var input: String
    public var output: String
    public var totals: Totals
    public var layers: [Row]

    /// - Parameter dtype: the element type the analytic bytes count (f32: 4 bytes, int8: 1).
    public init(_ graph: Graph, dtype: ElementType = .f32) {
        model = graph.name
        input = graph.inputShape.description
        output = graph.outputShape.description
        let counts = graph.layerCounts.map { $0.bytesScaled(toElementBytes: dtype.bytes) }
        totals = Totals(counts.reduce(LayerCounts(), +))
        layers = graph.layers.enumerated().map { i, layer in
            let c = counts[i]
            var op = layer.operation.opName
            if case let .shortcutAdd(add) = layer.operation, add.addedChannels < graph.values[layer.output].channels {
                op = "add[\(add.addedChannels)/\(graph.values[layer.output].channels)]"
            }
            return Row(index: i, name: layer.name, op: op, inputs: layer.inputs.map { graph.values[$0].description },
                       output: graph.values[layer.output].description, params: c.paramsWithBatchNorm,
                       paramsConvFC: c.params, madds: c.madds, shortcutAdds: c.shortcutAdds,
                       weightBytes: c.weightBytes, bytesRead: c.bytesRead, bytesWritten: c.bytesWritten)
        }
    }
}
