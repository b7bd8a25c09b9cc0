// Per-layer breakdown of every point that has per-layer records: where the time goes (share
// of the sum of layer times), what each layer achieves (GFLOP/s, GB/s against its analytic
// bytes), its counters with their provenance, the top layers by time and a summary per
// operation type. One Markdown and one CSV file per point, under layers/.
import SandglassHarness

public struct LayerBreakdown: Sendable {
    public struct Entry: Sendable {
        public var point: ReportPoint
        public var slug: String
        /// The machine's measured ceilings for this point, when the results hold them.
        public var calibration: CalibrationRecord?
        /// The caches of the machine that ran the point (from its environment), to tell which
        /// level a layer's data fits in.
        public var caches: [CacheInfo] = []
        public var markdownPath: String { "layers/\(slug).md" }
        public var csvPath: String { "layers/\(slug).csv" }
    }

    public var entries: [Entry] = []

    public static let topCount = 10

    public static func build(_ c: ResultsCollection) -> LayerBreakdown {
        var b = LayerBreakdown()
        var used = Set<String>()
        // Per point, the measurement with per-layer records (the latest, or a superseded one).
        let sources = c.points.compactMap { PointSelection.forLayers(c.withSuperseded([$0])) }
        for p in sources where !(p.record.layers?.isEmpty ?? true) {
            var slug = PointSelection.slug(p.record)
            var n = 2
            while used.contains(slug) { slug = PointSelection.slug(p.record) + "-\(n)"; n += 1 }
            used.insert(slug)
            b.entries.append(Entry(point: p, slug: slug, calibration: c.calibration(for: p),
                                   caches: c.environment(of: p)?.caches ?? []))
        }
        b.entries.sort { PointSelection.label($0.point.record) < PointSelection.label($1.point.record) }
        return b
    }

    /// Counter events of a point's layers, in name order, without the traffic counter (it has
    /// its own column).
    static func events(_ layers: [LayerRecord]) -> [String] {
        Set(layers.flatMap(\.counters.keys)).subtracting([MemoryTraffic.counterName]).sorted()
    }

    /// The provenance shared by every value of an event, if one is.
    static func uniformProvenance(_ event: String, _ layers: [LayerRecord]) -> String? {
        let ps = Set(layers.compactMap { $0.counters[event] }.map { $0.provenance ?? "unavailable" })
        return ps.count == 1 ? ps.first : nil
    }

    /// What each layer achieves against the machine's measured ceilings: the share of the FMA
    /// peak for the point's ISA and threads; the roofline bound with L2 bandwidth,
    /// min(peak, intensity × L2 GB/s); and the bound at the level its data fits in (the smallest
    /// data cache at least as large as the layer's analytic bytes, or DRAM), with how far below
    /// each the layer runs. A layer whose input was just written by a producer larger than L2
    /// streams it from L3, where the L2 bound would flatter the machine and blame the kernel.
    struct Ceilings {
        var peak: Double
        var l2: Double?
        /// (level name, data bytes it holds, measured GB/s) from the smallest cache up, then DRAM.
        var levels: [(name: String, bytes: Int?, gbps: Double)] = []

        init?(_ calibration: CalibrationRecord?, _ p: PointRecord, caches: [CacheInfo] = []) {
            guard let c = calibration, let peak = c.peak(isa: p.isaUsed, threads: p.threads) else { return nil }
            self.peak = peak
            l2 = c.bandwidth(level: "L2", threads: p.threads)
            for cache in caches.filter({ $0.type != "Instruction" }).sorted(by: { $0.level < $1.level }) {
                guard let size = cache.sizeBytes, let bw = c.bandwidth(level: "L\(cache.level)", threads: p.threads) else { continue }
                levels.append(("L\(cache.level)", size, bw))
            }
            if !levels.isEmpty, let dram = c.bandwidth(level: "DRAM", threads: p.threads) { levels.append(("DRAM", nil, dram)) }
        }

        func percentOfPeak(_ gflops: Double?) -> Double? { gflops.map { $0 / peak * 100 } }

        func l2Bound(_ intensity: Double?) -> Double? {
            guard let l2, let intensity else { return nil }
            return min(peak, intensity * l2)
        }

        /// The level a layer's data fits in and the roofline bound there; nil without cache sizes.
        func residentBound(bytes: Double?, _ intensity: Double?) -> (level: String, bound: Double)? {
            guard let bytes, let intensity,
                  let level = levels.first(where: { $0.bytes.map { Double($0) >= bytes } ?? true }) else { return nil }
            return (level.name, min(peak, intensity * level.gbps))
        }
    }

    static func allLayersTable(_ p: PointRecord, calibration: CalibrationRecord? = nil, caches: [CacheInfo] = []) -> ReportTable {
        let layers = p.layers ?? []
        let ceilings = Ceilings(calibration, p, caches: caches)
        let total = layers.reduce(0) { $0 + $1.timeMs }
        let events = events(layers)
        // Depth-first chains (fusion auto): what their layers would move run one by one, beside
        // the chain's own analytic bytes. Only where the point ran chains.
        let chained = layers.contains { $0.unfusedBytes != nil }
        var columns: [ReportColumn] = [
            ReportColumn("#", csv: "index"),
            ReportColumn("Layer", csv: "layer", numeric: false),
            ReportColumn("Op", csv: "op", numeric: false),
            ReportColumn("Kernel", csv: "kernel", numeric: false),
            ReportColumn("Time (ms)", csv: "time_ms"),
            ReportColumn("Share (%)", csv: "share_percent"),
            ReportColumn("MAdds (M)", csv: "madds_m"),
            ReportColumn("Shortcut adds", csv: "shortcut_adds"),
            ReportColumn("Analytic bytes (KB)", csv: "analytic_kb"),
        ]
        if chained { columns.append(ReportColumn("Layer by layer (KB)", csv: "unfused_analytic_kb")) }
        columns += [
            ReportColumn("Identity bytes (KB)", csv: "identity_kb"),
            ReportColumn("Intensity (FLOP/B)", csv: "arithmetic_intensity_flop_per_byte"),
            ReportColumn("Achieved GFLOP/s", csv: "achieved_gflops"),
            ReportColumn("Achieved GB/s (analytic bytes)", csv: "achieved_gbps"),
            ReportColumn("Traffic (KB)", csv: "traffic_kb"),
            ReportColumn("Traffic source", csv: "traffic_source", numeric: false),
        ]
        if ceilings != nil {
            columns += [ReportColumn("Of FMA peak (%)", csv: "percent_of_peak"),
                        ReportColumn("L2 roofline bound (GFLOP/s)", csv: "l2_roofline_bound_gflops"),
                        ReportColumn("Below the bound (×)", csv: "times_below_l2_bound")]
            if !(ceilings?.levels.isEmpty ?? true) {
                columns += [ReportColumn("Data fits in", csv: "data_fits_in", numeric: false),
                            ReportColumn("Bound there (GFLOP/s)", csv: "resident_roofline_bound_gflops"),
                            ReportColumn("Below it (×)", csv: "times_below_resident_bound")]
            }
        }
        for e in events {
            let uniform = uniformProvenance(e, layers)
            let title = uniform.map { $0 == "unavailable" ? "\(e) (unavailable)" : "\(e) (\($0))" } ?? e
            columns.append(ReportColumn(title, csv: nil))
            columns.append(ReportColumn(nil, csv: "counter_" + snake(e)))
            columns.append(ReportColumn(nil, csv: "counter_" + snake(e) + "_provenance", numeric: false))
        }
        var table = ReportTable(columns)
        for (i, l) in layers.enumerated() {
            let traffic = MemoryTraffic.layer(l)
            var row = ["\(i + 1)", l.name, l.op, l.kernel, ReportFormat.ms(l.timeMs),
                       ReportFormat.percent(total > 0 ? l.timeMs / total * 100 : nil), ReportFormat.millions(l.madds),
                       "\(l.shortcutAdds)", ReportFormat.kilobytes(l.analyticBytes)]
            if chained { row.append(l.unfusedBytes.map { ReportFormat.kilobytes(Double($0)) } ?? ReportFormat.missing) }
            row += [ReportFormat.kilobytes(Double(l.identityBytes)),
                       ReportFormat.fixed(l.arithmeticIntensity, 2), ReportFormat.rate(l.achievedGFLOPS), ReportFormat.rate(l.achievedGBps),
                       ReportFormat.kilobytes(traffic.bytes), traffic.label]
            if let ceilings {
                let bound = ceilings.l2Bound(l.arithmeticIntensity)
                let below = bound.flatMap { b in l.achievedGFLOPS.flatMap { $0 > 0 ? b / $0 : nil } }
                row += [ReportFormat.percent(ceilings.percentOfPeak(l.achievedGFLOPS)), ReportFormat.rate(bound),
                        ReportFormat.fixed(below, 2)]
                if !ceilings.levels.isEmpty {
                    let resident = ceilings.residentBound(bytes: l.analyticBytes, l.arithmeticIntensity)
                    let belowThere = resident.flatMap { r in l.achievedGFLOPS.flatMap { $0 > 0 ? r.bound / $0 : nil } }
                    row += [resident?.level ?? ReportFormat.missing, ReportFormat.rate(resident?.bound),
                            ReportFormat.fixed(belowThere, 2)]
                }
            }
            for e in events {
                let uniform = uniformProvenance(e, layers) != nil
                guard let c = l.counters[e] else {
                    row += [ReportFormat.missing, ReportFormat.missing, "not recorded"]
                    continue
                }
                if let v = c.value {
                    let value = ReportFormat.counter(v)
                    let provenance = c.provenance ?? "measured"
                    row += [uniform ? value : "\(value) (\(provenance))", value, provenance]
                } else {
                    row += ["unavailable", ReportFormat.missing, "unavailable"]
                }
            }
            table.add(row)
        }
        return table
    }

    static func snake(_ event: String) -> String {
        String(event.map { $0.isLetter || $0.isNumber ? $0 : "_" }).lowercased()
    }

    static func topTable(_ p: PointRecord) -> ReportTable {
        let layers = p.layers ?? []
        let total = layers.reduce(0) { $0 + $1.timeMs }
        var table = ReportTable([
            ReportColumn("Rank", csv: "rank"), ReportColumn("Layer", csv: "layer", numeric: false),
            ReportColumn("Op", csv: "op", numeric: false), ReportColumn("Time (ms)", csv: "time_ms"),
            ReportColumn("Share (%)", csv: "share_percent"), ReportColumn("Achieved GFLOP/s", csv: "achieved_gflops"),
            ReportColumn("Achieved GB/s (analytic bytes)", csv: "achieved_gbps"),
        ])
        let ranked = layers.enumerated().sorted { $0.element.timeMs != $1.element.timeMs ? $0.element.timeMs > $1.element.timeMs : $0.offset < $1.offset }
        for (rank, item) in ranked.prefix(topCount).enumerated() {
            let l = item.element
            table.add(["\(rank + 1)", l.name, l.op, ReportFormat.ms(l.timeMs), ReportFormat.percent(total > 0 ? l.timeMs / total * 100 : nil),
                       ReportFormat.rate(l.achievedGFLOPS), ReportFormat.rate(l.achievedGBps)])
        }
        return table
    }

    /// Per operation type: layers, time, share, MAdds, analytic bytes and achieved rates.
    public struct OpSummary: Sendable {
        public var op: String
        public var layers: Int
        public var timeMs: Double
        public var madds: Int
        public var flops: Double
        public var bytes: Double
    }

    public static func opSummaries(_ layers: [LayerRecord]) -> [OpSummary] {
        var order: [String] = []
        var by: [String: OpSummary] = [:]
        for l in layers {
            if by[l.op] == nil { order.append(l.op); by[l.op] = OpSummary(op: l.op, layers: 0, timeMs: 0, madds: 0, flops: 0, bytes: 0) }
            by[l.op]!.layers += 1
            by[l.op]!.timeMs += l.timeMs
            by[l.op]!.madds += l.madds
            by[l.op]!.flops += l.flops
            by[l.op]!.bytes += l.analyticBytes
        }
        return order.map { by[$0]! }.sorted { $0.timeMs != $1.timeMs ? $0.timeMs > $1.timeMs : $0.op < $1.op }
    }

    static func opTable(_ p: PointRecord) -> ReportTable {
        let layers = p.layers ?? []
        let total = layers.reduce(0) { $0 + $1.timeMs }
        var table = ReportTable([
            ReportColumn("Op", csv: "op", numeric: false), ReportColumn("Layers", csv: "layers"),
            ReportColumn("Time (ms)", csv: "time_ms"), ReportColumn("Share (%)", csv: "share_percent"),
            ReportColumn("MAdds (M)", csv: "madds_m"), ReportColumn("Analytic bytes (MB)", csv: "analytic_mb"),
            ReportColumn("Achieved GFLOP/s", csv: "achieved_gflops"), ReportColumn("Achieved GB/s (analytic bytes)", csv: "achieved_gbps"),
        ])
        for s in opSummaries(layers) {
            table.add([s.op, "\(s.layers)", ReportFormat.ms(s.timeMs), ReportFormat.percent(total > 0 ? s.timeMs / total * 100 : nil),
                       ReportFormat.millions(s.madds), ReportFormat.megabytes(s.bytes),
                       ReportFormat.rate(s.timeMs > 0 ? s.flops / (s.timeMs * 1e6) : nil),
                       ReportFormat.rate(s.timeMs > 0 ? s.bytes / (s.timeMs * 1e6) : nil)])
        }
        return table
    }

    public func csv(_ e: Entry) -> String {
        CSVTableWriter.render(LayerBreakdown.allLayersTable(e.point.record, calibration: e.calibration, caches: e.caches))
    }

    /// `supersededBy`: the later file whose record of the same point the latency tables use.
    public func markdown(_ e: Entry, sourceName: String, rooflinePath: String?, supersededBy: String? = nil) -> String {
        let p = e.point.record
        let layers = p.layers ?? []
        let sum = layers.reduce(0) { $0 + $1.timeMs }
        var out = "# Per-layer breakdown: \(PointSelection.label(p))\n\n"
        out += "- Point: `\(p.id)`\(p.board.map { " on board \($0)" } ?? "") (ISA used: \(p.isaUsed)), from `\(sourceName)`.\n"
        if let supersededBy {
            out += "- A later record of this point in `\(supersededBy)` has no per-layer records: the tables' latency comes from it, this breakdown from `\(sourceName)`.\n"
        }
        out += "- End-to-end latency: median \(ReportFormat.ms(p.latencyMs.median)) ms over \(p.latencyMs.count) uninstrumented inferences.\n"
        if let s = p.perLayer {
            // Typed steps: Swift 6.0's type checker gives up on this line as one expression.
            var paired = ""
            if let o = s.overheadPairedPercent {
                let median: String = ReportFormat.signedPercent(o.median)
                let low: String = ReportFormat.signedPercent(o.ciLow)
                let high: String = ReportFormat.signedPercent(o.ciHigh)
                paired = " (paired: \(median)% [\(low)%, \(high)%])"
            }
            let overhead: String = ReportFormat.signedPercent(s.overheadPercent) + "%" + paired
            out += "- Per-layer pass: \(s.iterations) instrumented inferences; sum of layer times \(ReportFormat.ms(sum)) ms beside an uninstrumented median of \(ReportFormat.ms(s.endToEndMs)) ms measured alongside; instrumentation overhead \(overhead); counter backend: \(s.counterBackend).\n"
        }
        out += "- Share is of the sum of layer times; FLOPs = 2 × MAdds + shortcut adds; achieved GB/s divides the analytic bytes (the minimum the layer must move) by its time; 1 KB = 10^3 bytes.\n"
        if let ceilings = Ceilings(e.calibration, p, caches: e.caches) {
            out += "- Against the measured ceilings (calibration record): FMA peak \(ReportFormat.rate(ceilings.peak)) GFLOP/s for \(p.isaUsed) with \(p.threads) thread(s); the L2 roofline bound of a layer is min(peak, intensity × \(ReportFormat.rate(ceilings.l2)) GB/s), the attainable rate if its data streams from L2; 'below the bound' is that bound over the achieved rate.\n"
            if !ceilings.levels.isEmpty {
                let sizes = ceilings.levels.map { l in l.bytes.map { "\(l.name) \(ReportFormat.kilobytes(Double($0))) KB at \(ReportFormat.rate(l.gbps)) GB/s" } ?? "\(l.name) at \(ReportFormat.rate(l.gbps)) GB/s" }
                out += "- 'Data fits in' is the smallest data cache at least as large as the layer's analytic bytes (\(sizes.joined(separator: ", "))); 'bound there' is min(peak, intensity × that level's bandwidth), a model of where the layer's data streams from, not a measurement.\n"
            }
        } else {
            out += "- No calibration record for this point: no share of peak or roofline bound (sweep without `--no-calibrate`, or `sandglass calibrate --out FILE`).\n"
        }
        if let rooflinePath { out += "- Roofline: [\(rooflinePath)](\(rooflinePath)).\n" }
        out += "\n## Top \(min(LayerBreakdown.topCount, layers.count)) layers by time\n\n" + MarkdownTableWriter.render(LayerBreakdown.topTable(p))
        out += "\n## By operation type\n\n" + MarkdownTableWriter.render(LayerBreakdown.opTable(p))
        out += "\n## All layers\n\n" + MarkdownTableWriter.render(LayerBreakdown.allLayersTable(p, calibration: e.calibration, caches: e.caches))
        out += "\n## Counters\n\n" + LayerBreakdown.counterNotes(p).map { "- \($0)\n" }.joined()
        return out
    }

    /// What the counters say, and why some are missing: unavailable events with their reasons
    /// (each reason once), or that no counters were recorded at all.
    public static func counterNotes(_ p: PointRecord) -> [String] {
        let layers = p.layers ?? []
        let events = Set(layers.flatMap(\.counters.keys)).sorted()
        if events.isEmpty {
            let backend = p.perLayer?.counterBackend ?? "none"
            return p.counters == .none
                ? ["No counters were requested for this point (counters = none): times only. Traffic is the analytic minimum."]
                : ["The point asked for counters `\(p.counters)` but its records hold none (counter backend: \(backend)): this Sandglass recorded times only. Traffic is the analytic minimum."]
        }
        var notes: [String] = []
        for e in events {
            let values = layers.compactMap { $0.counters[e] }
            let unavailable = values.compactMap(\.unavailable)
            let provenances = Set(values.compactMap(\.provenance)).sorted()
            if unavailable.isEmpty {
                notes.append("`\(e)`: \(provenances.joined(separator: ", ")) in \(values.count) of \(layers.count) layers.")
            } else {
                let reasons = Array(Set(unavailable)).sorted()
                notes.append("`\(e)`: unavailable in \(unavailable.count) of \(layers.count) layers — \(reasons.joined(separator: "; ")).")
            }
        }
        return notes
    }
}
