import CrawlCore

/// What every ``CrawlURL`` must satisfy, whatever text it came from. A violation stops the fuzzer
/// with `fatalError`, so libFuzzer saves the input that caused it.
public enum URLInvariants {
    /// Checks `url`, made from `source` (the text, for the failure message).
    public static func check(_ url: CrawlURL, from source: @autoclosure () -> String) {
        func fail(_ what: String) -> Never {
            fatalError("invariant violated: \(what)\n  url: \(url.string.debugDescription)\n  from: \(source().debugDescription)")
        }
        guard url.scheme == "http" || url.scheme == "https" else { fail("scheme \(url.scheme) is not http(s)") }
        guard !url.host.isEmpty else { fail("empty host") }
        guard url.path.hasPrefix("/") else { fail("path does not start with /") }
        if let port = url.port {
            guard (0...65_535).contains(port) else { fail("port \(port) out of range") }
            guard port != (url.scheme == "http" ? 80 : 443) else { fail("default port kept") }
        }
        var withoutUserinfo = url.host
        if let port = url.port { withoutUserinfo += ":" + String(port) }
        withoutUserinfo += url.path
        if let query = url.query { withoutUserinfo += "?" + query }
        let assembled = url.scheme + "://" + (url.userinfo.map { $0 + "@" } ?? "") + withoutUserinfo
        guard assembled == url.string else { fail("parts assemble to \(assembled.debugDescription)") }
        guard url.redacted == url.scheme + "://" + withoutUserinfo else { fail("redacted form \(url.redacted.debugDescription)") }
        guard url.origin == url.scheme + "://" + url.host + (url.port.map { ":" + String($0) } ?? "") else {
            fail("origin \(url.origin.debugDescription)")
        }
        for byte in url.string.utf8 where byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "#") {
            fail("byte 0x\(String(byte, radix: 16)) in the serialization")
        }
        for segment in url.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        where segment == "." || segment == ".." {
            fail("dot segment left in the path")
        }
        // Normalization is idempotent: the serialization parses back to itself.
        let reparsed: CrawlURL
        do {
            reparsed = try CrawlURL(parsing: url.string)
        } catch {
            fail("serialization does not parse again: \(error)")
        }
        guard reparsed.string == url.string else { fail("normalize(normalize(x)) = \(reparsed.string.debugDescription)") }
        // An absolute URL resolves to itself against any base; an empty or fragment reference is the base.
        guard let resolved = try? otherBase.resolve(url.string), resolved == url else {
            fail("resolving the serialization against another base changes it")
        }
        guard let same = try? url.resolve(""), same == url, let fragment = try? url.resolve("#top"), fragment == url else {
            fail("an empty or fragment-only reference does not resolve to the base")
        }
    }

    /// A base unrelated to any fuzzed input.
    static let otherBase = try! CrawlURL(parsing: "https://base.example:8443/one/two?three")
}
