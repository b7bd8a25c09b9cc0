// One counter's figure for one layer: a value with its provenance, or the reason there is none.
// Unavailable is never written as 0. In JSON: {"value": 123, "provenance": "measured"} or
// {"unavailable": "why, and how to fix it"}.

public enum CounterReading: Equatable, Sendable {
    case value(Double, Provenance, runningFraction: Double? = nil)
    case unavailable(String)

    public var value: Double? {
        if case let .value(v, _, _) = self { return v }
        return nil
    }

    public var provenance: Provenance? {
        if case let .value(_, p, _) = self { return p }
        return nil
    }

    public var unavailableReason: String? {
        if case let .unavailable(reason) = self { return reason }
        return nil
    }
}

extension CounterReading: Codable {
    private enum Keys: String, CodingKey {
        case value, provenance, runningFraction, unavailable
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let reason = try c.decodeIfPresent(String.self, forKey: .unavailable) {
            self = .unavailable(reason)
        } else {
            self = .value(try c.decode(Double.self, forKey: .value), try c.decode(Provenance.self, forKey: .provenance),
                          runningFraction: try c.decodeIfPresent(Double.self, forKey: .runningFraction))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case let .value(v, p, fraction):
            try c.encode(v, forKey: .value)
            try c.encode(p, forKey: .provenance)
            // Only where the kernel multiplexed the group: the share of the region it counted.
            try c.encodeIfPresent(fraction, forKey: .runningFraction)
        case let .unavailable(reason):
            try c.encode(reason, forKey: .unavailable)
        }
    }
}

/// Counter readings keyed by event name, kept in the order the events were requested, and
/// encoded as a JSON object.
public struct CounterReadings: Equatable, Sendable, Codable {
    public private(set) var names: [String] = []
    public private(set) var readings: [String: CounterReading] = [:]

    public init() {}

    public subscript(name: String) -> CounterReading? {
        get { readings[name] }
        set {
            if readings[name] == nil, newValue != nil { names.append(name) }
            if newValue == nil { names.removeAll { $0 == name } }
            readings[name] = newValue
        }
    }

    public var isEmpty: Bool { names.isEmpty }
    public var entries: [(name: String, reading: CounterReading)] { names.map { ($0, readings[$0]!) } }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            self[key.stringValue] = try c.decode(CounterReading.self, forKey: key)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for name in names { try c.encode(readings[name]!, forKey: Key(stringValue: name)) }
    }
}
