import Foundation
import Testing

/// A host's spacing between request starts is max(--delay, min(Crawl-delay, --max-crawl-delay)),
/// as the server sees it: no two starts closer than that.
@Suite("crawl: Crawl-delay")
struct CrawlDelayTests {
    @Test func spacingIsTheDelayOrTheCappedCrawlDelayWhicheverIsLarger() async throws {
        let delay = 0.3, cap = 0.5
        // Address → (Crawl-delay in robots.txt, the spacing expected).
        let hosts: [(host: String, crawlDelay: String, spacing: Double)] = [
            ("127.0.0.112", "5", cap),      // capped by --max-crawl-delay
            ("127.0.0.113", "0.1", delay),  // --delay is larger
            ("127.0.0.114", "0.4", 0.4),    // Crawl-delay is larger, under the cap
        ]
        let pages = (1...5).map { "/p\($0).html" }
        var scenario = PoliteScenario()
        for (index, entry) in hosts.enumerated() {
            scenario[entry.host, "/robots.txt"] = .robots("User-agent: *\nCrawl-delay: \(entry.crawlDelay)\n")
            let others = index == 0 ? hosts.dropFirst().map { "http://\($0.host):{port}/" } : []
            scenario[entry.host, "/"] = .page(pages + others)
            for page in pages { scenario[entry.host, page] = .page() }
        }
        try await PoliteCrawl.with("crawl-delay", hosts: hosts.map(\.host), scenario: scenario) { world in
            let result = try await world.start(
                ["--delay", "\(delay)", "--max-crawl-delay", "\(cap)", "--per-host", "4"], timeout: 60)
            #expect(result.code == 0, "\(result)")
            let stored = try CrawlDatabase.hostPoliteness(world.scratch.db)
            for entry in hosts {
                let requests = world.server.requests(on: entry.host)
                #expect(requests.count == 7, "\(entry.host): \(requests.listing)")
                #expect(requests.first?.isRobots == true)
                // Until robots.txt is read, only --delay applies; after it, the host's spacing.
                PoliteChecks.expectSpacing(requests, atLeast: delay, "\(entry.host) (any two requests)")
                let pagesOnly = requests.filter { !$0.isRobots }
                PoliteChecks.expectSpacing(pagesOnly, atLeast: entry.spacing, "\(entry.host) (Crawl-delay \(entry.crawlDelay))")
                let widest = pagesOnly.startGaps.map(\.gap).max() ?? 0
                #expect(widest < entry.spacing + 1.5, "\(entry.host): a gap of \(widest) s, for a spacing of \(entry.spacing) s")
                let crawlDelayMS = Int((Double(entry.crawlDelay)! * 1000).rounded())
                #expect(stored[world.server.origin(entry.host)]?.crawlDelayMS == crawlDelayMS)
            }
        }
    }
}
