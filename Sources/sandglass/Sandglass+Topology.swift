import ArgumentParser
import SandglassEngine
import SandglassProbes

extension Sandglass {
    struct TopologyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "topology",
            abstract: "Packages, cores and core kinds, caches (hwloc), and whether each shortcut block's identity tensor fits in L1 or L2.")

        @OptionGroup var model: ModelOptions

        @Option(help: ArgumentHelp("Whose caches the shortcut check uses: core:N or kind:big|little (default: the first core of the most powerful kind).", valueName: "where"))
        var pin: String = "kind:big"

        @Option(help: "Output format: table or json.")
        var format: OutputFormat = .table

        func validate() throws {
            guard format != .csv else { throw ValidationError("topology prints table or json, not csv") }
            do { _ = try PinRequest(parsing: pin) } catch let e as PinRequest.ParseError { throw ValidationError(e.description) }
        }

        struct Output: Codable {
            var topology: Topology
            var cacheLevels: [Topology.CacheLevel]
            var shortcuts: Shortcuts
        }

        struct Shortcuts: Codable {
            var model: String
            var cpu: Int
            var blocks: [ShortcutResidency]
        }

        func run() throws {
            let topology: Topology
            do { topology = try HwlocTopology.load() } catch { throw CommandFailure("\(error)") }
            let request = try PinRequest(parsing: pin)
            let cpu: Int
            do { cpu = try request.cpus(threads: 1, topology: topology)?.first ?? topology.cpus.first ?? 0 } catch let e as PinRequest.ParseError {
                throw CommandFailure.usage(e.description)
            }
            let spec = try model.spec()
            let plan = try Planner.plan(try spec.build(), options: PlanOptions(addMode: .separate))
            let output = Output(topology: topology, cacheLevels: topology.cacheLevels,
                                shortcuts: Shortcuts(model: spec.displayName, cpu: cpu,
                                                     blocks: ShortcutResidency.blocks(of: plan, topology: topology, cpu: cpu)))
            if format == .json {
                print(try jsonString(output))
                return
            }
            print("hwloc (API \(topology.hwlocVersion)): \(topology.packages) package(s), \(topology.cores.count) cores, \(topology.processingUnits) PUs")
            var kinds = TextTable(headers: ["kind", "label", "efficiency", "cpus", "info"], leftAligned: [1, 3, 4])
            for k in topology.kinds {
                kinds.add(["\(k.index)", k.label, "\(k.efficiency)", k.cpus.map(String.init).joined(separator: ","),
                           k.info.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")])
            }
            if topology.kinds.isEmpty { print("core kinds: none reported (hwloc found no per-core capacity or frequency information)") } else { print(kinds.render()) }
            var cores = TextTable(headers: ["core", "cpus", "kind"])
            for c in topology.cores {
                cores.add(["\(c.index)", c.cpus.map(String.init).joined(separator: ","),
                           c.kind.map { topology.kinds[$0].label } ?? "-"])
            }
            print(cores.render())
            var caches = TextTable(headers: ["cache", "size", "line", "ways", "instances", "cpus each"], leftAligned: [0])
            for l in topology.cacheLevels {
                caches.add(["L\(l.level) \(l.type)", kibibytes(l.sizeBytes), "\(l.lineBytes) B",
                            l.associativity < 0 ? "full" : l.associativity == 0 ? "?" : "\(l.associativity)",
                            "\(l.instances)", "\(l.cpusPerInstance)"])
            }
            print(caches.render())
            print("")
            let blocks = output.shortcuts.blocks
            let l1 = blocks.first?.l1Bytes.map(kibibytes) ?? "unknown"
            let l2 = blocks.first?.l2Bytes.map(kibibytes) ?? "unknown"
            print("\(spec.displayName): identity tensors of the shortcut adds (k·H·W·4 bytes) against CPU \(cpu)'s L1d (\(l1)) and L2 (\(l2)):")
            var t = TextTable(headers: ["shortcut", "identity KiB", "fits"])
            for b in blocks { t.add([b.layer, fixed(Double(b.identityBytes) / 1024, 1), b.fits]) }
            print(t.render())
        }

        func kibibytes(_ bytes: Int) -> String {
            bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes / 1024) KiB"
        }
    }
}
