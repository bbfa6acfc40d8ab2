import Foundation
import Testing

/// The hostile site again, with `--warc`: capturing every exchange as received (curl decodes
/// nothing then; crawl undoes chunked framing and gzip itself) must survive the same traps with
/// the same outcomes, within the same bounds, and leave WARC files warcio reads and verifies.
@Suite("crawl --warc: hostile site", .enabled("warcio is not installed and pip cannot reach PyPI") { await Warcio.reachable() })
struct HostileWarcTests {
    @Test func survivesTheHostileSiteAndArchivesWhatItFetched() async throws {
        let scratch = try ScratchDirectory("hostile-warc")
        defer { scratch.remove() }
        let server = try await HostileServer(hosts: HostileCrawlTests.hosts, in: scratch.path)
        defer { server.stop() }
        let layout = HostileChecks.Layout(root: scratch.path)
        try layout.create()
        let warc = scratch.path + "/warc"
        let run = try await MeasuredRun.run(
            try IntegrationEnvironment.crawlBinary(),
            ["start", server.manifest.seed] + server.allowOtherHosts + [
                "--db", layout.db, "--out", layout.out, "--warc", warc, "--delay", "0", "--concurrency", "8",
                "--timeout", "4", "--low-speed-time", "2", "--retries", "0", "--max-body", "\(HostileCrawlTests.maxBody)",
                "--max-pages-per-host", "\(HostileCrawlTests.pageCap)",
            ],
            in: layout.workingDirectory, logDirectory: scratch.path, name: "crawl", timeout: 300)
        await server.settle()

        #expect(run.result.code == 0, "\(run)")
        let rows = try CrawlDatabase.urls(layout.db)
        let checks = HostileChecks(manifest: server.manifest, rows: rows, requests: server.requests())
        checks.expectEveryTrapEndedWithItsReason()
        checks.expectGoodPagesFetchedOnce()
        checks.expectOversizedAnswersCutShort()
        #expect(run.maxRSSMegabytes < 256, "peak RSS \(run.maxRSSMegabytes) MB")

        let warcs = try await WarcChecks.load(directory: warc, db: layout.db)
        warcs.expectFiles()
        warcs.expectRequestsAndResponsesLinked()
        try warcs.expectResponses(for: rows, exactly: true)
    }
}
