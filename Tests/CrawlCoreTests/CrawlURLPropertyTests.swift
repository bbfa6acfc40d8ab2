import Testing

@testable import CrawlCore

/// Deterministic pseudo-random references built from the characters that exercise every branch
/// (separators, dots, escapes, non-ASCII, forbidden bytes); checks invariants of every result.
@Suite struct CrawlURLPropertyTests {
    static let alphabet: [String] = [
        "/", "/", "/", ".", ".", "..", "%", "%2e", "%2F", "%7e", "%c3%a9", "?", "#", "a", "B", "9", "é",
        "日", " ", "\\", ":", "@", "&", "=", "+", "\t", "\u{7F}", "\u{1}", "~", "[", "]", "//x.test",
    ]

    /// A 64-bit linear congruential generator, so failures are reproducible.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test func resolvedReferencesSatisfyInvariants() throws {
        let bases = try [
            CrawlURL(parsing: "http://example.com"),
            CrawlURL(parsing: "https://u:p@example.com:8443/a/b/c?q=%C3%A9&x"),
            CrawlURL(parsing: "http://[::1]/dir/"),
        ]
        var generator = Generator(state: 0x5EED)
        var resolvedCount = 0
        for round in 0..<3000 {
            var reference = ""
            for _ in 0..<generator.next(14) {
                reference += Self.alphabet[generator.next(Self.alphabet.count)]
            }
            let base = bases[round % bases.count]
            let url: CrawlURL
            do {
                url = try base.resolve(reference)
            } catch {
                continue
            }
            resolvedCount += 1
            #expect(url.string.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }, "\(reference)")
            #expect(url.path.hasPrefix("/"), "\(reference)")
            let segments = url.path.split(separator: "/", omittingEmptySubsequences: false)
            #expect(!segments.contains(".") && !segments.contains(".."), "\(reference)")
            #expect(!url.string.contains("#"), "\(reference)")
            let reparsed = try CrawlURL(parsing: url.string)
            #expect(reparsed.string == url.string, "\(reference)")
            #expect(reparsed.path == url.path && reparsed.query == url.query, "\(reference)")
            #expect(url.string.hasSuffix(url.pathAndQuery), "\(reference)")
        }
        #expect(resolvedCount > 2000)
    }
}
