import Foundation
import Testing

/// Crawler traps: over-long URLs, paths repeating a segment, hosts with endless pages, query
/// parameters that make one page many URLs.
@Suite("crawl: trap guards")
struct CrawlTrapTests {
    /// A path under /long/ that makes `origin + path` exactly `length` bytes.
    static func longPath(origin: String, length: Int) -> String {
        let fixed = origin.utf8.count + "/long/".utf8.count + ".html".utf8.count
        return "/long/" + String(repeating: "a", count: length - fixed) + ".html"
    }

    @Test func longURLsAndRepeatedSegmentsAreSkippedNeverRequested() async throws {
        let host = "127.0.0.113"
        try await PoliteCrawl.with("traps", hosts: [host], scenario: PoliteScenario()) { world in
            let origin = world.server.origin(host)
            let fits = Self.longPath(origin: origin, length: 2048), tooLong = Self.longPath(origin: origin, length: 2049)
            let repeatsThrice = "/a/b/a/b/a/x.html", repeatsFourTimes = "/a/b/a/b/a/b/a/x.html"
            var scenario = PoliteScenario()
            scenario[host, "/"] = .page([fits, tooLong, repeatsThrice, repeatsFourTimes])
            for path in [fits, tooLong, repeatsThrice, repeatsFourTimes] { scenario[host, path] = .page() }
            try world.server.update(scenario)

            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let counts = world.server.requests().countsByTarget
            #expect(counts[fits] == 1, "a URL of exactly 2048 bytes was not requested")
            #expect(counts[repeatsThrice] == 1, "a path repeating a segment 3 times was not requested")
            #expect(counts[tooLong] == nil, "a URL of 2049 bytes was requested")
            #expect(counts[repeatsFourTimes] == nil, "a path repeating a segment 4 times was requested")
            let rows = try world.rows()
            for (path, kind) in [(tooLong, "url_too_long"), (repeatsFourTimes, "repeated_segments")] {
                let row = rows[origin + path]
                #expect(row?.state == "skipped" && row?.errorKind == kind, "\(kind): \(String(describing: row))")
            }
        }
    }

    @Test func maxPagesPerHostCapsEachHost() async throws {
        let (big, small) = ("127.0.0.114", "127.0.0.115")
        let pages = (1...8).map { "/p\($0).html" }
        var scenario = PoliteScenario()
        scenario[big, "/"] = .page(pages + ["http://\(small):{port}/"])
        for page in pages { scenario[big, page] = .page() }
        scenario[small, "/"] = .page(["/q1.html", "/q2.html"])
        scenario[small, "/q1.html"] = .page()
        scenario[small, "/q2.html"] = .page()
        try await PoliteCrawl.with("per-host-cap", hosts: [big, small], scenario: scenario) { world in
            let result = try await world.start(["--max-pages-per-host", "4"])
            #expect(result.code == 0, "\(result)")
            let onBig = world.server.requests(on: big).filter { !$0.isRobots }
            #expect(onBig.count == 4, "\(onBig.count) fetches on a host capped at 4:\n\(onBig.listing)")
            #expect(world.server.requests(on: small).filter { !$0.isRobots }.count == 3, "the cap is per host")
            let rows = try world.rows()
            let capped = pages.compactMap { rows[world.url($0)] }.filter { $0.state == "skipped" }
            #expect(capped.count == 5 && capped.allSatisfy { $0.errorKind == "max_pages_per_host" },
                    "\(capped.map { "\($0.url) \($0.errorKind ?? "-")" })")
        }
    }

    @Test func stripQueryMakesTrackingVariantsOneURL() async throws {
        let host = "127.0.0.116"
        var scenario = PoliteScenario()
        scenario[host, "/"] = .page(["/a?utm_source=x&id=1", "/a?id=1&utm_medium=y", "/b?utm_campaign=z", "/c?keep=1&utm_=2"])
        for path in ["/a", "/b", "/c"] { scenario[host, path] = .page() }
        try await PoliteCrawl.with("strip-query", hosts: [host], scenario: scenario) { world in
            let result = try await world.start(["--strip-query", "utm_*"])
            #expect(result.code == 0, "\(result)")
            let targets = world.server.requests().map(\.target).filter { $0 != "/robots.txt" && $0 != "/" }.sorted()
            #expect(targets == ["/a?id=1", "/b", "/c?keep=1"], "\(targets)")
            let keys = try world.rows().keys.filter { $0.contains("utm_") }
            #expect(keys.isEmpty, "rows with utm_ parameters: \(keys.sorted())")
        }
    }
}
