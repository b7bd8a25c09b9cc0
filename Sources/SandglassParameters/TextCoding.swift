// Parameters are stored as the text a user writes ("1/6", "perf:cycles", "core:0"), in results
// files and encoded points alike: decoding runs the same parser as a flag or a spec value, so a
// file with a value no flag would accept is refused with that parser's message.

enum TextCoding {
    static func decode<T>(_ decoder: Decoder, _ parse: (String) throws -> T) throws -> T {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { return try parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    static func encode(_ text: String, to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
