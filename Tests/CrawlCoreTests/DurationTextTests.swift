import Testing
@testable import CrawlCore

@Suite struct DurationTextTests {
    @Test(arguments: [("90s", 90.0), ("14m", 840), ("2h", 7200), ("1d", 86400), ("1.5h", 5400), ("30", 30), ("0.5", 0.5), (" 2H ", 7200)])
    func parses(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "m", "-5m", "0", "abc", "5x", "1e400", "nan"])
    func rejects(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test func formats() {
        #expect(DurationText.format(7200) == "2h")
        #expect(DurationText.format(840) == "14m")
        #expect(DurationText.format(90) == "90s")
        #expect(DurationText.format(1.5) == "1.5s")
    }
}

@Suite struct ConditionalHeaderTests {
    @Test func httpDateIsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func validatorsWinOverTheFetchTime() {
        let both = PreviousFetch(status: 200, contentHash: "h", etag: "\"e\"", lastModified: "Mon, 01 Jan 2024 00:00:00 GMT", fetchedAt: 5)
        #expect(both.conditionalHeaders == ["If-None-Match: \"e\"", "If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT"])
        let etagOnly = PreviousFetch(status: 200, contentHash: "h", etag: "\"e\"", lastModified: nil, fetchedAt: 5)
        #expect(etagOnly.conditionalHeaders == ["If-None-Match: \"e\""])
        let none = PreviousFetch(status: 301, contentHash: nil, etag: nil, lastModified: nil, fetchedAt: 784_111_777)
        #expect(none.conditionalHeaders == ["If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"])
    }
}
