import Testing

@testable import CrawlCore

private func url(_ text: String) throws -> CrawlURL {
    try CrawlURL(parsing: text)
}

@Suite struct TrapGuardTests {
    let guardrail = TrapGuard()

    @Test func defaultsMatchTheDocumentedLimits() {
        #expect(guardrail.maxURLLength == 2048)
        #expect(guardrail.maxRepeatedSegments == 3)
        #expect(guardrail.maxPathDepth == 32)
        #expect(TrapGuard() == TrapGuard(maxURLLength: 2048, maxRepeatedSegments: 3, maxPathDepth: 32))
        #expect(TrapGuard() != TrapGuard(maxPathDepth: 8))
    }

    @Test(arguments: [
        "https://example.com/",
        "https://example.com",
        "https://example.com/a/b/c/index.html",
        "https://example.com/2024/01/01/news/01",
        "https://example.com/a/b/a/b/a/b",
        "https://example.com/x/x/x/",
        "https://example.com//a//a//a//",
        "https://example.com/search?q=a/a/a/a/a/a&page=7",
    ])
    func acceptsOrdinaryURLs(text: String) throws {
        #expect(guardrail.rejection(for: try url(text)) == nil)
    }

    @Test func rejectsASegmentRepeatedMoreThanThreeTimes() throws {
        #expect(guardrail.rejection(for: try url("https://example.com/a/b/a/b/a/b/a/")) == "repeated_segments")
        #expect(guardrail.rejection(for: try url("https://example.com/x/x/x/x")) == TrapGuard.repeatedSegments)
        #expect(guardrail.rejection(for: try url("https://example.com/p/1/q/2/r/3/s/p/p/p")) == "repeated_segments")
        #expect(guardrail.rejection(for: try url("https://example.com/a//a/a///a/")) == "repeated_segments")
    }

    @Test func rejectsACalendarThatLinksToItselfForever() throws {
        let base = try url("https://example.com/events/cal/2024/01/")
        var page = base
        var months: [String?] = []
        for month in 2...6 {
            page = try page.resolve("cal/2024/\(month)/")
            months.append(guardrail.rejection(for: page))
        }
        // /events/cal/2024/01/cal/2024/2/ ... `cal` and `2024` reach 4 occurrences at the third hop.
        #expect(months == [nil, nil, "repeated_segments", "repeated_segments", "repeated_segments"])
        // A well-behaved calendar that replaces its month segment is fine however far it goes.
        #expect(guardrail.rejection(for: try base.resolve("/events/cal/2031/12/")) == nil)
    }

    @Test func segmentsCompareByExactEncodedText() throws {
        // `A` and `a` differ; `%2F` is no separator; normalization decodes `%41` and upper-cases `%c3`.
        #expect(guardrail.rejection(for: try url("https://example.com/a/A/a/A/a/A")) == nil)
        #expect(guardrail.rejection(for: try url("https://example.com/a%2Fb/a%2Fb/a%2Fb/a")) == nil)
        #expect(guardrail.rejection(for: try url("https://example.com/A/%41/A/%41")) == "repeated_segments")
        let cafe = try url("https://example.com/caf%C3%A9/café/cafe/caf%c3%a9/café")
        #expect(guardrail.rejection(for: cafe) == "repeated_segments")
        #expect(guardrail.rejection(for: try url("https://example.com/caf%C3%A9/cafe/cafe/café")) == nil)
    }

    @Test func queriesAreNotSegments() throws {
        // A pagination trap lives in the query; the per-host page cap bounds it, not this guard.
        for page in [1, 2, 500, 99_999] {
            #expect(guardrail.rejection(for: try url("https://example.com/list?page=\(page)&sort=a")) == nil)
        }
        #expect(guardrail.rejection(for: try url("https://example.com/a/b?x=/a/a/a/a/a")) == nil)
    }

    @Test func rejectsPathsDeeperThanTheLimit() throws {
        let thirtyTwo = (1...32).map { "d\($0)" }.joined(separator: "/")
        #expect(guardrail.rejection(for: try url("https://example.com/\(thirtyTwo)/")) == nil)
        #expect(guardrail.rejection(for: try url("https://example.com/\(thirtyTwo)/extra")) == "path_too_deep")
        // Depth is checked before repetition.
        let repeatedAndDeep = Array(repeating: "x", count: 40).joined(separator: "/")
        #expect(guardrail.rejection(for: try url("https://example.com/\(repeatedAndDeep)")) == TrapGuard.pathTooDeep)
    }

    @Test func rejectsURLsLongerThanTheLimitInNormalizedBytes() throws {
        let prefix = "https://example.com/"
        let fits = try url(prefix + String(repeating: "a", count: 2048 - prefix.utf8.count))
        #expect(fits.string.utf8.count == 2048)
        #expect(guardrail.rejection(for: fits) == nil)
        let tooLong = try url(prefix + String(repeating: "a", count: 2049 - prefix.utf8.count))
        #expect(guardrail.rejection(for: tooLong) == "url_too_long")
        // Normalization grows `é` to `%C3%A9`: 6 bytes each, counted after encoding.
        let encoded = try url(prefix + String(repeating: "é", count: 340))
        #expect(encoded.string.utf8.count == prefix.utf8.count + 2040)
        #expect(guardrail.rejection(for: encoded) == "url_too_long")
        // The query counts towards the length; length is checked first.
        let longQuery = try url("https://example.com/x/x/x/x?" + String(repeating: "q", count: 2100))
        #expect(guardrail.rejection(for: longQuery) == TrapGuard.urlTooLong)
    }

    @Test func honorsCustomLimits() throws {
        let strict = TrapGuard(maxURLLength: 40, maxRepeatedSegments: 1, maxPathDepth: 3)
        #expect(strict.rejection(for: try url("https://example.com/a/b/c")) == nil)
        #expect(strict.rejection(for: try url("https://example.com/a/b/c/d")) == "path_too_deep")
        #expect(strict.rejection(for: try url("https://example.com/a/b/a")) == "repeated_segments")
        #expect(strict.rejection(for: try url("https://example.com/abcdefghijklmnopqrstu")) == "url_too_long")
        var lenient = TrapGuard()
        lenient.maxRepeatedSegments = 10
        lenient.maxPathDepth = 100
        let deepRepeats = Array(repeating: "x", count: 10).joined(separator: "/")
        #expect(lenient.rejection(for: try url("https://example.com/\(deepRepeats)")) == nil)
        #expect(lenient.rejection(for: try url("https://example.com/\(deepRepeats)/x")) == "repeated_segments")
        let zero = TrapGuard(maxRepeatedSegments: 0)
        #expect(zero.rejection(for: try url("https://example.com/")) == nil)
        #expect(zero.rejection(for: try url("https://example.com/a")) == "repeated_segments")
    }
}
