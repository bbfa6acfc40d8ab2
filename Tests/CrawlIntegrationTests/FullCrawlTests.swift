import Foundation
import Testing

/// The real binary against the fixture site: one complete crawl, checked request by request,
/// row by row and body by body.
@Suite("crawl start: full crawl of the fixture site")
struct FullCrawlTests {
    @Test func fullCrawlRequestsEveryURLOnceAndStoresEveryBody() async throws {
        let scratch = try ScratchDirectory("full")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 3, firstIP: 21, pages: 40, images: 10, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)

        let result = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "8", "--per-host", "2", "--delay", "0"],
            timeout: 60)
        #expect(result.code == 0, "\(result)")

        let audit = CrawlAudit(server.requests())
        CoverageChecks.expectRequests(
            audit, once: manifest.requestedOnce,
            never: manifest.category("disallowed").union(manifest.category("never")))
        #expect(audit.hostsNotStartingWithRobots().isEmpty,
                "robots.txt must be a host's first request: \(sample(audit.hostsNotStartingWithRobots()))")
        #expect(manifest.category("robots").count == 3)

        let rows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows, manifest: manifest)
        CoverageChecks.expectBodies(rows, out: scratch.out, manifest: manifest)

        // `crawl stats --json` agrees with the manifest. Rows: pages, images and the slow page are
        // done 200, redirects done 301, missing failed 404, disallowed skipped; robots.txt is no row.
        let stats = try await CoverageChecks.stats(crawl, db: scratch.db)
        let pages = manifest.category("page").count, images = manifest.category("image").count
        let slow = manifest.category("slow").count, redirects = manifest.category("redirect").count
        let missing = manifest.category("missing").count, disallowed = manifest.category("disallowed").count
        #expect(stats.int("urls", "done") == pages + images + slow + redirects)
        #expect(stats.int("urls", "failed") == missing)
        #expect(stats.int("urls", "skipped") == disallowed)
        #expect(stats.int("urls", "queued") == 0)
        #expect(stats.int("urls", "total") == pages + images + slow + redirects + missing + disallowed)
        #expect(stats.int("status", "200") == pages + images + slow)
        #expect(stats.int("status", "301") == redirects)
        #expect(stats.int("status", "404") == missing)
        #expect((stats.int("bytes") ?? 0) > 0)
        #expect(stats.int("hosts") == 3)
        #expect(stats.int("runs") == 1)

        let reasons = try CrawlDatabase.column(scratch.db, "SELECT end_reason FROM runs ORDER BY id")
        #expect(reasons == ["drained"])
    }
}
