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
