// What `--counters` asks for: nothing (timing only), the kernel's software events, named PMU
// events or presets through perf_event_open, or callgrind's simulation.

public enum CounterSelection: Hashable, Sendable, Codable, CustomStringConvertible {
    case none
    case software
    /// Event names or preset names (`memory`, `compute`), in order.
    case perf([String])
    case sim

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public static let presetNames = ["memory", "compute"]

    public init(parsing text: String) throws {
        let trimmed = text.trimmingSpaces
        switch trimmed.lowercased() {
        case "", "none": self = .none; return
        case "software", "sw": self = .software; return
        case "sim", "callgrind": self = .sim; return
        case "perf":
            throw ParseError(description: "--counters perf needs events: perf:cycles,instructions (libpfm4 names, raw codes such as r0c0) or a preset, perf:memory or perf:compute")
        default: break
        }
        guard trimmed.lowercased().hasPrefix("perf:") else {
            throw ParseError(description: "unknown counter backend '\(text)': choose none, software, perf:<events> (e.g. perf:cycles,instructions, perf:memory, perf:compute) or sim")
        }
        let events = trimmed.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        guard !events.isEmpty, !events.contains(where: \.isEmpty) else {
            throw ParseError(description: "--counters '\(text)': empty event name; list events separated by commas, e.g. perf:cycles,instructions")
        }
        self = .perf(events)
    }

    /// The backend's name as reports print it.
    public var backendName: String {
        switch self {
        case .none: return "none"
        case .software: return "software"
        case .perf: return "perf"
        case .sim: return "sim"
        }
    }

    /// The canonical text (what the CLI accepts back, and results files store).
    public var description: String {
        switch self {
        case .none: return "none"
        case .software: return "software"
        case let .perf(events): return "perf:" + events.joined(separator: ",")
        case .sim: return "sim"
        }
    }

    public init(from decoder: Decoder) throws { self = try TextCoding.decode(decoder, CounterSelection.init(parsing:)) }
    public func encode(to encoder: Encoder) throws { try TextCoding.encode(description, to: encoder) }
}
