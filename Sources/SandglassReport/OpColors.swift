// One colour per operation type across a whole report, so that `conv1x1` is the same colour in
// the stacked bars and in every roofline: Paul Tol's muted scheme (PlotPalette.tolMuted), whose
// nine colours stay apart with the common colour-vision deficiencies. Ops are ordered by name
// for a stable assignment. A report with more op types than the palette holds gives its own
// colours to the eight that take the most time, and shows the rest together as "other" in
// Tol's pale grey, named in the legend: never two op types in one colour without saying so.
import SandglassHarness

public struct OpColors: Sendable {
    /// The declared palette, in assignment order.
    public static let palette = PlotPalette.tolMuted

    /// Every op type in the report, by name.
    public let ops: [String]
    /// The op types with a colour of their own, by name (all of them when they fit the palette).
    public let colored: [String]

    public init(_ c: ResultsCollection) {
        var time: [String: Double] = [:]
        // Superseded measurements too: a breakdown may come from one (the latest has no layers).
        for p in c.withSuperseded(c.points) {
            for l in p.record.layers ?? [] { time[l.op, default: 0] += l.timeMs }
        }
        self.init(time: time)
    }

    /// From each op type's total time (which only matters when they outnumber the palette).
    public init(time: [String: Double]) {
        ops = time.keys.sorted()
        if ops.count <= OpColors.palette.count {
            colored = ops
        } else {
            let ranked = ops.sorted { a, b in
                let ta: Double = time[a] ?? 0
                let tb: Double = time[b] ?? 0
                return ta != tb ? ta > tb : a < b
            }
            colored = ranked.prefix(OpColors.palette.count - 1).sorted()
        }
    }

    /// The op types shown together as "other" (none when every type has its own colour).
    public var other: [String] { ops.filter { !colored.contains($0) } }

    public func color(_ op: String) -> String {
        colored.firstIndex(of: op).map { OpColors.palette[$0] } ?? PlotPalette.other
    }

    /// Legend entries for the given op types (all by default): one per colour, "other" last.
    public func legend(for present: [String]? = nil) -> [(label: String, color: String)] {
        let shown = Set(present ?? ops)
        var out: [(label: String, color: String)] = colored.filter { shown.contains($0) }.map { ($0, color($0)) }
        let rest = other.filter { shown.contains($0) }
        if !rest.isEmpty { out.append(("other: " + rest.joined(separator: ", "), PlotPalette.other)) }
        return out
    }
}
