// `--pin core:N` and `--pin kind:big|little`: which CPU each benchmark thread runs on. The
// vocabulary of --pin and the pin axis; choosing CPUs from the topology and binding live in
// SandglassProbes (ThreadPinning.swift).

public enum PinRequest: Hashable, Sendable, Codable, CustomStringConvertible {
    case none
    /// hwloc's logical core index; further threads take the following cores.
    case core(Int)
    /// "big" or "little"; threads take that kind's cores in order.
    case kind(String)

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(parsing text: String) throws {
        let t = text.trimmingSpaces.lowercased()
        if t.isEmpty || t == "none" { self = .none; return }
        if t.hasPrefix("core:"), let n = Int(t.dropFirst(5)), n >= 0 { self = .core(n); return }
        if t.hasPrefix("kind:") {
            let kind = String(t.dropFirst(5))
            guard kind == "big" || kind == "little" else {
                throw ParseError(description: "--pin kind:\(kind): choose kind:big or kind:little")
            }
            self = .kind(kind)
            return
        }
        throw ParseError(description: "--pin '\(text)': use core:N (a core index from 'sandglass topology'), kind:big or kind:little")
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case let .core(n): return "core:\(n)"
        case let .kind(k): return "kind:\(k)"
        }
    }

    public init(from decoder: Decoder) throws { self = try TextCoding.decode(decoder, PinRequest.init(parsing:)) }
    public func encode(to encoder: Encoder) throws { try TextCoding.encode(description, to: encoder) }
}
