import ArgumentParser
import Foundation
import SandglassEngine

extension Sandglass {
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the per-layer table: shapes, parameters, MAdds, shortcut adds and analytic bytes.",
            discussion: "With --dtype int8 the analytic bytes count one byte per activation and weight (the int32 biases are not counted apart).")

        @OptionGroup var model: ModelOptions

        @Option(help: "Output format: table, json or csv.")
        var format: OutputFormat = .table

        @Option(help: "Element type the analytic bytes count: f32 or int8.")
        var dtype: String = "f32"

        func run() throws {
            let type: ElementType
            do { type = try ElementType(parsing: dtype) } catch let e as ParameterError { throw ValidationError(e.message) }
            let graph = try model.load().graph
            let summary = ModelSummary(graph, dtype: type)
            switch format {
            case .json: print(try jsonString(summary))
            case .csv: print(csv(summary))
            case .table: print(table(summary))
            }
        }

        func table(_ s: ModelSummary) -> String {
            var t = TextTable(headers: ["#", "layer", "op", "input", "output", "params", "MAdds", "adds", "read B", "write B"],
                              leftAligned: [1, 2, 3, 4])
            for r in s.layers {
                t.add(["\(r.index)", r.name, r.op, r.inputs.joined(separator: ","), r.output, grouped(r.params),
                       grouped(r.madds), grouped(r.shortcutAdds), grouped(r.bytesRead), grouped(r.bytesWritten)])
            }
            let total = s.totals
            t.add(["", "total", "", s.input, s.output, grouped(total.params), grouped(total.madds), grouped(total.shortcutAdds),
                   grouped(total.bytesRead), grouped(total.bytesWritten)])
            return """
            \(s.model)
            params \(grouped(total.params)) incl. BN (\(grouped(total.paramsConvFC)) conv+fc), MAdds \(grouped(total.madds)), shortcut adds \(grouped(total.shortcutAdds))

            \(t.render())
            """
        }

        func csv(_ s: ModelSummary) -> String {
            var lines = ["index,name,op,inputs,output,params,params_conv_fc,madds,shortcut_adds,weight_bytes,bytes_read,bytes_written"]
            for r in s.layers {
                // Typed halves: Swift 6.0 takes over a second to type-check this as one array literal.
                let names: [String] = [String(r.index), r.name, r.op, r.inputs.joined(separator: " "), r.output]
                let counts: [String] = [String(r.params), String(r.paramsConvFC), String(r.madds), String(r.shortcutAdds),
                                        String(r.weightBytes), String(r.bytesRead), String(r.bytesWritten)]
                lines.append((names + counts).joined(separator: ","))
            }
            let t = s.totals
            let totalNames: [String] = ["", "total", "", s.input, s.output]
            let totalCounts: [String] = [String(t.params), String(t.paramsConvFC), String(t.madds), String(t.shortcutAdds),
                                         String(t.weightBytes), String(t.bytesRead), String(t.bytesWritten)]
            lines.append((totalNames + totalCounts).joined(separator: ","))
            return lines.joined(separator: "\n")
        }
    }
}

/// Pretty, key-sorted JSON.
func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
