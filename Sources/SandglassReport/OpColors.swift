// One colour per operation type across a whole report, so that `conv1x1` is the same colour in
// the stacked bars and in every roofline. Ops are ordered by name for a stable assignment.
import SandglassHarness

public struct OpColors: Sendable {
    public let ops: [String]

    public init(_ c: ResultsCollection) {
        ops = Set(c.points.flatMap { $0.record.layers?.map(\.op) ?? [] }).sorted()
    }

    public func color(_ op: String) -> String {
        PlotPalette.color(ops.firstIndex(of: op) ?? ops.count)
    }
}
