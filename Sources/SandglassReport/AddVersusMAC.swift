// Element-wise adds versus memory access cost, measured: the comparison the paper argues from
// in Section 3.3. Lowering α cuts (1) the element-wise adds of each shortcut and (2) the
// memory access cost (MAC) of reading the identity tensor. For MobileNeXt at each α and for
// MobileNetV2, this counts the adds and the bytes each shortcut moves, sums MAC (bytes read +
// written) per block and in total for fused adds (in the last depthwise convolution's
// epilogue) and separate adds (their own step), and measures the time of the separate add
// steps and the latency difference between the two modes.
import SandglassHarness
import SandglassParameters

public struct AddVersusMAC: Sendable {
    /// One model, width and α in one setting: its fused and separate points.
    public struct Entry: Sendable {
        public var setting: MeasurementSetting
        public var model: String
        public var width: Double
        public var alpha: IdentityMultiplier
        public var fused: ReportPoint?
        public var separate: ReportPoint?
        /// Cache sizes of the machine that measured it, for "identity fits in".
        public var caches: [CacheInfo]
        /// Separate over fused, paired (interleaved in one group, or by round).
        public var paired: PairedRatio? = nil

        public var layersPoint: ReportPoint? { [separate, fused].compactMap { $0 }.first { !($0.record.layers?.isEmpty ?? true) } }
        public var anyPoint: ReportPoint { (fused ?? separate)! }
        public var modelName: String { ReportFormat.model(model, width: width) }
    }

    public var entries: [Entry] = []
    public var skippedReason: String?
    /// The results, for pairings beyond an entry's own (the cross-check).
    var collection: ResultsCollection?

    public static func build(_ c: ResultsCollection) -> AddVersusMAC {
        var groups: [String: (setting: MeasurementSetting, model: String, width: Double, alpha: IdentityMultiplier,
                              fused: [ReportPoint], separate: [ReportPoint])] = [:]
        for p in c.points {
            let r = p.record
            let setting = MeasurementSetting(r, add: "")
            let key = "\(setting)|\(r.model)|\(r.width)|\(r.alpha)"
            var g = groups[key] ?? (setting, r.model, r.width, r.alpha, [], [])
            if r.add == .separate { g.separate.append(p) } else { g.fused.append(p) }
            groups[key] = g
        }
        var result = AddVersusMAC()
        result.collection = c
        for g in groups.values {
            let fused = PointSelection.forLayers(c.withSuperseded(g.fused)), separate = PointSelection.forLayers(c.withSuperseded(g.separate))
            let hasLayers = [fused, separate].contains { !($0?.record.layers?.isEmpty ?? true) }
            guard (fused != nil && separate != nil) || hasLayers else { continue }
            let env = (fused ?? separate).flatMap { c.environment(of: $0) }
            let paired = fused.flatMap { f in separate.flatMap { PairedRounds.ratio($0, to: f, in: c) } }
            result.entries.append(Entry(setting: g.setting, model: g.model, width: g.width, alpha: g.alpha, fused: fused,
                                        separate: separate, caches: env?.caches ?? [], paired: paired))
        }
        result.entries.sort { a, b in
            if a.setting != b.setting { return a.setting < b.setting }
            if a.model != b.model { return a.model == "mobilenext" }
            if a.width != b.width { return a.width > b.width }
            return a.alpha > b.alpha
        }
        if result.entries.isEmpty {
            result.skippedReason = "needs the same points with fused and separate adds, or points with per-layer records (run `sandglass sweep --preset add-vs-mac`)"
        }
        return result
    }

    // MARK: - Figures

    static func sum(_ layers: [LayerRecord]?, _ f: (LayerRecord) -> Double) -> Double? {
        guard let layers, !layers.isEmpty else { return nil }
        return layers.reduce(0) { $0 + f($1) }
    }

    /// Blocks with a shortcut, in network order.
    static func shortcutBlocks(_ layers: [LayerRecord]) -> [String] {
        var order: [String] = []
        for l in layers where l.shortcutAdds > 0 && !order.contains(l.block) { order.append(l.block) }
        return order
    }

    /// "L1 (48 KiB)": the smallest data cache the bytes fit in, or "none".
    static func fitsIn(_ bytes: Int, _ caches: [CacheInfo]) -> String {
        guard !caches.isEmpty else { return "unknown" }
        let data = caches.filter { $0.type != "Instruction" && $0.sizeBytes != nil }.sorted { $0.level < $1.level }
        for c in data where bytes <= c.sizeBytes! { return "L\(c.level) (\(ReportFormat.binaryBytes(c.sizeBytes!)))" }
        return "none"
    }

    /// The row of the summary tables, as strings keyed by CSV column name.
    func cells(_ e: Entry) -> [String: String] {
        let any = e.anyPoint.record
        let fusedLayers = e.fused?.record.layers, separateLayers = e.separate?.record.layers
        let layers = e.layersPoint?.record.layers
        var c: [String: String] = [:]
        c["board"] = e.setting.board ?? ""
        c["resolution_px"] = "\(e.setting.resolution)"
        c["threads"] = "\(e.setting.threads)"
        c["isa"] = e.setting.isa
        c["pin"] = e.setting.pin
        c["model"] = e.modelName
        c["alpha"] = e.alpha.description
        c["shortcut_blocks"] = layers.map { "\(AddVersusMAC.shortcutBlocks($0).count)" } ?? ReportFormat.missing
        c["shortcut_adds"] = "\(any.totals.shortcutAdds)"
        c["identity_kb"] = ReportFormat.kilobytes(AddVersusMAC.sum(layers) { Double($0.identityBytes) })
        let addSteps = separateLayers?.filter(\.isSeparateAdd)
        let addBytes = AddVersusMAC.sum(addSteps) { $0.analyticBytes }
        c["separate_add_steps_kb"] = ReportFormat.kilobytes(addBytes)
        let macFused = AddVersusMAC.sum(fusedLayers) { $0.analyticBytes }
        let macSeparate = AddVersusMAC.sum(separateLayers) { $0.analyticBytes }
        c["mac_fused_mb"] = ReportFormat.megabytes(macFused)
        c["mac_separate_mb"] = ReportFormat.megabytes(macSeparate)
        c["mac_saved_by_fusing_mb"] = ReportFormat.megabytes(macFused.flatMap { f in macSeparate.map { $0 - f } })
        let measuredFused = e.fused.flatMap { MemoryTraffic.measured($0.record).0 }
        let measuredSeparate = e.separate.flatMap { MemoryTraffic.measured($0.record).0 }
        c["traffic_fused_mb"] = ReportFormat.megabytes(measuredFused?.bytes)
        c["traffic_fused_source"] = measuredFused?.label ?? ReportFormat.missing
        c["traffic_separate_mb"] = ReportFormat.megabytes(measuredSeparate?.bytes)
        c["traffic_separate_source"] = measuredSeparate?.label ?? ReportFormat.missing
        let addTime = AddVersusMAC.sum(addSteps) { $0.timeMs }
        c["separate_add_steps_ms"] = ReportFormat.ms(addTime)
        let layerSum = e.separate?.record.sumOfLayersMs
        c["separate_add_steps_share_percent"] = ReportFormat.percent(addTime.flatMap { t in layerSum.map { t / $0 * 100 } })
        c["separate_add_steps_gbps"] = ReportFormat.rate(addTime.flatMap { t in addBytes.map { t > 0 ? $0 / (t * 1e6) : .nan } })
        let f = e.fused?.record.latencyMs, s = e.separate?.record.latencyMs
        c["latency_fused_median_ms"] = ReportFormat.ms(f?.median)
        c["latency_fused_ci"] = f.map { "[\(ReportFormat.ms($0.ciLow)), \(ReportFormat.ms($0.ciHigh))]" } ?? ReportFormat.missing
        c["latency_fused_ci_low_ms"] = ReportFormat.ms(f?.ciLow)
        c["latency_fused_ci_high_ms"] = ReportFormat.ms(f?.ciHigh)
        c["latency_separate_median_ms"] = ReportFormat.ms(s?.median)
        c["latency_separate_ci"] = s.map { "[\(ReportFormat.ms($0.ciLow)), \(ReportFormat.ms($0.ciHigh))]" } ?? ReportFormat.missing
        c["latency_separate_ci_low_ms"] = ReportFormat.ms(s?.ciLow)
        c["latency_separate_ci_high_ms"] = ReportFormat.ms(s?.ciHigh)
        if let f, let s {
            c["separate_minus_fused_ms"] = ReportFormat.signedMs(s.median - f.median)
            c["separate_minus_fused_percent"] = ReportFormat.signedPercent((s.median / f.median - 1) * 100)
            c["difference_beyond_cis"] = PointSelection.disjoint(f, s) ? "yes" : "no"
        } else {
            c["separate_minus_fused_ms"] = ReportFormat.missing
            c["separate_minus_fused_percent"] = ReportFormat.missing
            c["difference_beyond_cis"] = ReportFormat.missing
        }
        c["paired_separate_over_fused"] = ReportFormat.ratio(e.paired?.median)
        c["paired_ci_low"] = ReportFormat.ratio(e.paired?.ciLow)
        c["paired_ci_high"] = ReportFormat.ratio(e.paired?.ciHigh)
        return c
    }

    static let settingColumns: [ReportColumn] = [
        ReportColumn(nil, csv: "board", numeric: false), ReportColumn(nil, csv: "resolution_px"),
        ReportColumn(nil, csv: "threads"), ReportColumn(nil, csv: "isa", numeric: false), ReportColumn(nil, csv: "pin", numeric: false),
    ]
    static let keyColumns: [ReportColumn] = [
        ReportColumn("Model", csv: "model", numeric: false), ReportColumn("α", csv: "alpha", numeric: false),
    ]
    static let workColumns: [ReportColumn] = [
        ReportColumn("Shortcut blocks", csv: "shortcut_blocks"),
        ReportColumn("Element-wise adds (per inference)", csv: "shortcut_adds"),
        ReportColumn("Identity tensor read (KB)", csv: "identity_kb"),
        ReportColumn("Separate add steps move (KB)", csv: "separate_add_steps_kb"),
        ReportColumn("MAC, fused adds (MB)", csv: "mac_fused_mb"),
        ReportColumn("MAC, separate adds (MB)", csv: "mac_separate_mb"),
        ReportColumn("MAC saved by fusing (MB)", csv: "mac_saved_by_fusing_mb"),
        ReportColumn("Measured traffic, fused (MB)", csv: "traffic_fused_mb"),
        ReportColumn("Source", csv: "traffic_fused_source", numeric: false),
        ReportColumn("Measured traffic, separate (MB)", csv: "traffic_separate_mb"),
        ReportColumn("Source", csv: "traffic_separate_source", numeric: false),
    ]
    static let timeColumns: [ReportColumn] = [
        ReportColumn("Separate add steps (ms)", csv: "separate_add_steps_ms"),
        ReportColumn("Share of layer time (%)", csv: "separate_add_steps_share_percent"),
        ReportColumn("Add steps achieved (GB/s)", csv: "separate_add_steps_gbps"),
        ReportColumn("Latency, fused (ms)", csv: "latency_fused_median_ms"),
        ReportColumn("95% CI (ms)", csv: nil, numeric: false),
        ReportColumn(nil, csv: "latency_fused_ci_low_ms"), ReportColumn(nil, csv: "latency_fused_ci_high_ms"),
        ReportColumn("Latency, separate (ms)", csv: "latency_separate_median_ms"),
        ReportColumn("95% CI (ms)", csv: nil, numeric: false),
        ReportColumn(nil, csv: "latency_separate_ci_low_ms"), ReportColumn(nil, csv: "latency_separate_ci_high_ms"),
        ReportColumn("Separate − fused (ms)", csv: "separate_minus_fused_ms"),
        ReportColumn("Separate − fused (%)", csv: "separate_minus_fused_percent"),
        ReportColumn("Beyond 95% CIs", csv: "difference_beyond_cis", numeric: false),
        ReportColumn("Separate / fused, paired (×)", csv: "paired_separate_over_fused"),
        ReportColumn("Paired 95% CI low", csv: "paired_ci_low"),
        ReportColumn("Paired 95% CI high", csv: "paired_ci_high"),
    ]

    /// Builds a table from cells keyed by CSV name; Markdown-only CI columns take their cell
    /// from the key given here.
    func table(_ columns: [ReportColumn], _ entries: [Entry], dropMeasuredIfEmpty: Bool = true) -> ReportTable {
        let rows = entries.map(cells)
        var cols = columns
        if dropMeasuredIfEmpty && rows.allSatisfy({ $0["traffic_fused_mb"] == ReportFormat.missing && $0["traffic_separate_mb"] == ReportFormat.missing }) {
            cols.removeAll { ($0.csvName ?? "").hasPrefix("traffic_") }
        }
        var table = ReportTable(cols)
        for c in rows {
            var ciIndex = 0
            table.add(cols.map { col in
                if let name = col.csvName { return c[name] ?? ReportFormat.missing }
                ciIndex += 1
                return c[ciIndex == 1 ? "latency_fused_ci" : "latency_separate_ci"] ?? ReportFormat.missing
            })
        }
        return table
    }

    var settings: [MeasurementSetting] {
        var seen: [MeasurementSetting] = []
        for e in entries where !seen.contains(e.setting) { seen.append(e.setting) }
        return seen
    }

    public var csv: String? {
        guard !entries.isEmpty else { return nil }
        let all = AddVersusMAC.settingColumns + AddVersusMAC.keyColumns + AddVersusMAC.workColumns + AddVersusMAC.timeColumns
        return CSVTableWriter.render(table(all, entries, dropMeasuredIfEmpty: false))
    }

    // MARK: - Per block

    static let blockColumns: [ReportColumn] = [
        ReportColumn(nil, csv: "board", numeric: false), ReportColumn(nil, csv: "resolution_px"),
        ReportColumn(nil, csv: "threads"), ReportColumn(nil, csv: "isa", numeric: false), ReportColumn(nil, csv: "pin", numeric: false),
        ReportColumn(nil, csv: "model", numeric: false), ReportColumn(nil, csv: "alpha", numeric: false),
        ReportColumn("Block", csv: "block", numeric: false),
        ReportColumn("Element-wise adds", csv: "shortcut_adds"),
        ReportColumn("Identity read (KB)", csv: "identity_kb"),
        ReportColumn("Identity fits in", csv: "identity_fits_in", numeric: false),
        ReportColumn("MAC, fused (KB)", csv: "mac_fused_kb"),
        ReportColumn("MAC, separate (KB)", csv: "mac_separate_kb"),
        ReportColumn("Add step moves (KB)", csv: "add_step_kb"),
        ReportColumn("Add step (ms)", csv: "add_step_ms"),
        ReportColumn("Add step (GB/s)", csv: "add_step_gbps"),
        ReportColumn("Block, fused (ms)", csv: "block_fused_ms"),
        ReportColumn("Block, separate (ms)", csv: "block_separate_ms"),
    ]

    func blockTable(_ e: Entry) -> ReportTable? {
        guard let layers = e.layersPoint?.record.layers else { return nil }
        let fused = e.fused?.record.layers, separate = e.separate?.record.layers
        func inBlock(_ ls: [LayerRecord]?, _ b: String?) -> [LayerRecord]? { ls.map { ls in b == nil ? ls : ls.filter { $0.block == b } } }
        var table = ReportTable(AddVersusMAC.blockColumns)
        let blocks: [String?] = AddVersusMAC.shortcutBlocks(layers).map { $0 } + [nil]
        for b in blocks {
            let own = inBlock(layers, b)!.filter { b != nil || $0.shortcutAdds > 0 || $0.isSeparateAdd }
            let adds = own.reduce(0) { $0 + $1.shortcutAdds }
            let identity = own.reduce(0) { $0 + $1.identityBytes }
            let addSteps = inBlock(separate, b)?.filter(\.isSeparateAdd)
            let addBytes = AddVersusMAC.sum(addSteps) { $0.analyticBytes }
            let addTime = AddVersusMAC.sum(addSteps) { $0.timeMs }
            let macF = AddVersusMAC.sum(inBlock(fused, b)) { $0.analyticBytes }
            let macS = AddVersusMAC.sum(inBlock(separate, b)) { $0.analyticBytes }
            table.add([e.setting.board ?? "", "\(e.setting.resolution)", "\(e.setting.threads)", e.setting.isa, e.setting.pin,
                       e.modelName, e.alpha.description, b ?? "whole network",
                       "\(adds)", ReportFormat.kilobytes(Double(identity)),
                       b == nil ? ReportFormat.missing : AddVersusMAC.fitsIn(identity, e.caches),
                       ReportFormat.kilobytes(macF), ReportFormat.kilobytes(macS), ReportFormat.kilobytes(addBytes),
                       ReportFormat.ms(addTime), ReportFormat.rate(addTime.flatMap { t in addBytes.map { t > 0 ? $0 / (t * 1e6) : .nan } }),
                       ReportFormat.ms(AddVersusMAC.sum(inBlock(fused, b)) { $0.timeMs }),
                       ReportFormat.ms(AddVersusMAC.sum(inBlock(separate, b)) { $0.timeMs })])
        }
        return table
    }

    public var blocksCSV: String? {
        ReportTable.concatenated(entries.compactMap(blockTable)).map(CSVTableWriter.render)
    }

    // MARK: - Markdown

    public var markdown: String {
        var out = "# Element-wise adds versus memory access cost, measured (paper Section 3.3)\n\n"
        out += "The paper argues that a smaller identity tensor multiplier α lowers latency in two ways: fewer element-wise additions in each shortcut, and less memory access cost (MAC) for the identity tensor, which then also fits in a cache more easily. "
        out += "This page counts both for each model and α, and measures what they cost: with the add fused into the epilogue of the block's last depthwise convolution (`fused`), and as its own step over the first ⌊α·C⌋ channels (`separate`), whose time then shows.\n\n"
        if let skippedReason { return out + "Not available: \(skippedReason).\n" }
        for setting in settings {
            let group = entries.filter { $0.setting == setting }
            out += "## \(setting.description)\n\n"
            out += "### Work and memory access cost (analytic, per inference)\n\n"
            out += MarkdownTableWriter.render(table(AddVersusMAC.keyColumns + AddVersusMAC.workColumns, group)) + "\n"
            out += "### Time (measured)\n\n"
            out += MarkdownTableWriter.render(table(AddVersusMAC.keyColumns + AddVersusMAC.timeColumns, group)) + "\n"
            out += findings(group).map { "- \($0)\n" }.joined()
            for e in group {
                guard let t = blockTable(e) else { continue }
                out += "\n### Per shortcut block: \(e.modelName), α = \(e.alpha)\n\n" + MarkdownTableWriter.render(t)
            }
            out += "\n"
        }
        out += "Definitions:\n"
        out += "- Element-wise adds: additions of the shortcut per inference (⌊α·C⌋ channels × H × W per shortcut block). Identity tensor read: the bytes of the identity channels the adds read (fp32).\n"
        out += "- MAC: bytes read plus bytes written by every step as planned, including weights (analytic minimum, fp32). A separate add step reads the branch and the identity channels and writes the sum; fused, the branch stays in registers and only the identity is read. 1 KB = 10^3 bytes, 1 MB = 10^6 bytes.\n"
        out += "- Separate add steps: the sum of the `add` steps' times in the per-layer pass of the separate-adds point; share: of that point's sum of layer times. Achieved GB/s: their MAC over their time.\n"
        out += "- Latency: medians of the uninstrumented end-to-end samples, with 95% confidence intervals of the median, from the same records as the per-layer figures (so they may differ from Table 7's where a point was measured more than once); a difference is beyond the CIs when the two intervals are disjoint. 'Paired' is the median of separate / fused over pairs measured next to each other, with its 95% CI: interleaved (both points alternated inference by inference in one comparison group) or by round (block medians of the same round). It cancels the host's drift, which the pooled CIs do not see, and decides whether the difference is measurable; an effect below the run's A/A resolution is not called real.\n"
        out += "- Identity fits in: the smallest data cache (per the captured environment) at least as large as the identity channels the block reads.\n"
        out += "- Measured traffic columns appear when the counters give `\(MemoryTraffic.counterName)`.\n"
        if entries.contains(where: { $0.model == "mobilenetv2" && $0.alpha != .one }) {
            out += "- MobileNetV2 at α < 1 applies the same partial shortcut (the first ⌊α·C⌋ channels) to its thin bottleneck tensors: not torchvision's model, measured for comparison only.\n"
        }
        return out
    }

    /// The instrument checks itself: with separate adds, α changes nothing but the add steps, so
    /// the paired end-to-end difference between α = 1 and the smallest α should match the
    /// difference of the add steps' per-layer times.
    func crossCheck(_ rows: [Entry]) -> String? {
        guard let one = rows.first(where: { $0.alpha == .one })?.separate,
              let smallest = rows.filter({ $0.alpha != .one && $0.separate != nil })
                  .min(by: { $0.alpha < $1.alpha }),
              let low = smallest.separate, let collection,
              let paired = PairedRounds.ratio(low, to: one, in: collection), let d = paired.differenceMs,
              let layersOne = one.record.layers, let layersLow = low.record.layers, !layersOne.isEmpty, !layersLow.isEmpty
        else { return nil }
        let addsOne = layersOne.filter(\.isSeparateAdd).reduce(0) { $0 + $1.timeMs }
        let addsLow = layersLow.filter(\.isSeparateAdd).reduce(0) { $0 + $1.timeMs }
        let perLayer = addsLow - addsOne
        let agrees = d.contains(perLayer)
        return "cross-check, separate adds, α = 1 → \(smallest.alpha): end-to-end paired difference \(ReportFormat.signedMs(d.median)) ms [\(ReportFormat.signedMs(d.ciLow)), \(ReportFormat.signedMs(d.ciHigh))] (\(paired.basis)); the add steps' per-layer times differ by \(ReportFormat.signedMs(perLayer)) ms: "
            + (agrees ? "they agree (the per-layer figure lies within the end-to-end CI)." : "they do not agree within the end-to-end CI: the change of α affects more than the add steps here (cache effects on neighbouring layers), or the per-layer pass's overhead differs between the two.")
    }

    /// Plain statements of what the numbers show, per model and width.
    func findings(_ group: [Entry]) -> [String] {
        var lines: [String] = []
        var seen: [String] = []
        for e in group where !seen.contains(e.modelName) {
            seen.append(e.modelName)
            let rows = group.filter { $0.modelName == e.modelName }
            let timed = rows.compactMap { r -> (String, Double, Double?)? in
                guard let layers = r.separate?.record.layers, !layers.isEmpty else { return nil }
                let t = layers.filter(\.isSeparateAdd).reduce(0) { $0 + $1.timeMs }
                return (r.alpha.description, t, r.separate?.record.sumOfLayersMs.map { t / $0 * 100 })
            }
            if timed.count >= 1 {
                let parts = timed.map { "\(ReportFormat.ms($0.1)) ms at α = \($0.0) (\(ReportFormat.percent($0.2))% of layer time)" }
                lines.append("\(e.modelName): the separate add steps take \(parts.joined(separator: ", ")).")
            }
            let deltas = rows.compactMap { r -> String? in
                guard let f = r.fused?.record.latencyMs, let s = r.separate?.record.latencyMs else { return nil }
                if let p = r.paired {
                    return "\(ReportFormat.signedMs(s.median - f.median)) ms at α = \(r.alpha) (paired \(p.basis): \(ReportFormat.signedPercent((p.median - 1) * 100))% [\(ReportFormat.signedPercent((p.ciLow - 1) * 100))%, \(ReportFormat.signedPercent((p.ciHigh - 1) * 100))%]\(p.isChange ? "" : ", not distinguishable at this run's resolution"))"
                }
                return "\(ReportFormat.signedMs(s.median - f.median)) ms at α = \(r.alpha)\(PointSelection.disjoint(f, s) ? "" : " (within the CIs)")"
            }
            if !deltas.isEmpty {
                lines.append("\(e.modelName): separate minus fused latency: \(deltas.joined(separator: ", ")).")
            }
            if let check = crossCheck(rows) { lines.append("\(e.modelName): \(check)") }
        }
        return lines
    }
}

extension AddVersusMAC {
    static let ownedPaths = ["add-vs-mac.md", "add-vs-mac.csv", "add-vs-mac-blocks.csv"]

    var section: ReportSection {
        var s = ReportSection(title: "Element-wise adds versus memory access cost", markdownPath: "add-vs-mac.md",
                              links: [("CSV", "add-vs-mac.csv"), ("per block", "add-vs-mac-blocks.csv")],
                              what: "adds, identity bytes, MAC per block and in total, time of separate adds, fused versus separate latency")
        if let skippedReason {
            s.skipped = "Adds versus memory access cost: \(skippedReason)"
            return s
        }
        s.files["add-vs-mac.md"] = markdown
        s.files["add-vs-mac.csv"] = csv
        s.files["add-vs-mac-blocks.csv"] = blocksCSV
        if let first = settings.first {
            s.headlines = findings(entries.filter { $0.setting == first }).map { "Adds vs MAC, \(first.description): \($0)" }
        }
        return s
    }
}
