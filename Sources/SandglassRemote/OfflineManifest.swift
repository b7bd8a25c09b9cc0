// Boards are often offline, so the deployed package must build without resolving anything:
// every `.package(url: …, <requirement>)` in the deployed manifests becomes
// `.package(path: "<vendored copy>")`, pointing at the dependency's sources shipped alongside
// (the exact revisions of the local Package.resolved). Path dependencies need no network, no
// Package.resolved and no repository cache, and SwiftPM 6.0 builds them as is.
import Foundation

public enum OfflineManifest {
    /// The directory name a package URL is vendored under (what SwiftPM's checkouts use):
    /// https://github.com/apple/swift-argument-parser(.git) → swift-argument-parser.
    public static func vendorName(forURL url: String) -> String {
        var last = url.split(separator: "/").last.map(String.init) ?? url
        if last.hasSuffix(".git") { last.removeLast(4) }
        return last
    }

    /// Rewrites each `.package(url: "U", …)` to `.package(path: "<pathPrefix><vendorName(U)>")`.
    /// Fails on a URL that `available` does not hold (it would need the network).
    public static func rewrite(_ manifest: String, pathPrefix: String, available: Set<String>) throws -> String {
        var result = ""
        var rest = Substring(manifest)
        let opener = ".package("
        while let start = rest.range(of: opener) {
            result += rest[..<start.lowerBound]
            // Find the matching ')' (manifests put no parentheses inside the strings of a dependency).
            var depth = 1
            var index = start.upperBound
            while index < rest.endIndex && depth > 0 {
                if rest[index] == "(" { depth += 1 } else if rest[index] == ")" { depth -= 1 }
                index = rest.index(after: index)
            }
            guard depth == 0 else { throw RemoteError(.localFailed, "Package.swift: unbalanced parentheses after .package(") }
            let call = rest[start.lowerBound..<index]
            let inner = call.dropFirst(opener.count).dropLast()
            let trimmed = inner.drop { $0 == " " || $0 == "\n" }
            if trimmed.hasPrefix("url:"), let open = trimmed.firstIndex(of: "\"") {
                let afterQuote = trimmed[trimmed.index(after: open)...]
                guard let close = afterQuote.firstIndex(of: "\"") else {
                    throw RemoteError(.localFailed, "Package.swift: unterminated URL in \(call)")
                }
                let url = String(afterQuote[..<close])
                let name = vendorName(forURL: url)
                guard available.contains(name) else {
                    throw RemoteError(.localFailed, "the dependency \(url) has no vendored copy (it is not in Package.resolved or .build/checkouts): run 'swift package resolve' in the source checkout first")
                }
                result += ".package(path: \"\(pathPrefix)\(name)\")"
            } else {
                result += call
            }
            rest = rest[index...]
        }
        result += rest
        return result
    }
}
