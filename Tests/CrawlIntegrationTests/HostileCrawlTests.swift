import Foundation
import Testing

/// The hostile site (Tests/Fixtures/hostile_server.py): answers that never end, broken framing,
/// oversized bodies and a gzip bomb, hostile markup, crawler traps and hostile URLs, beside good
/// pages. One crawl with short time limits; then the database, the output directory, the
/// server's log and the kernel's peak-RSS figure for the process must show that crawl survived it.
@Suite("crawl: hostile site")
struct HostileCrawlTests {
    /// main, space, cal, pages (see hostile_server.py).
    static let hosts = ["127.0.0.131", "127.0.0.132", "127.0.0.133", "127.0.0.134"]
    /// --max-pages-per-host: more than the main host holds, so it stops only the trap hosts.
    static let pageCap = 80
    /// --max-body for the test: the oversized answers are cut here, quickly.
    static let maxBody = 8 << 20

    @Test func survivesTheHostileSiteAndFetchesEveryGoodPage() async throws {
        let scratch = try ScratchDirectory("hostile")
        defer { scratch.remove() }
        let server = try await HostileServer(hosts: Self.hosts, in: scratch.path)
        defer { server.stop() }
        // crawl runs in an empty directory of its own, its database in another: after the run,
        // --out is the only place that may hold anything new.
        let layout = HostileChecks.Layout(root: scratch.path)
        try layout.create()
        let run = try await MeasuredRun.run(
            try IntegrationEnvironment.crawlBinary(),
            ["start", server.manifest.seed] + server.allowOtherHosts + [
                "--db", layout.db, "--out", layout.out, "--delay", "0", "--concurrency", "8",
                "--timeout", "4", "--low-speed-time", "2", "--retries", "0", "--max-body", "\(Self.maxBody)",
                "--max-pages-per-host", "\(Self.pageCap)",
            ],
            in: layout.workingDirectory, logDirectory: scratch.path, name: "crawl", timeout: 300)
        await server.settle()

        // Never hang: the run ends by itself, drained, and every URL ended in a final state.
        #expect(run.result.code == 0, "\(run)")
        #expect(try RunChecks.endReasons(layout.db) == ["drained"])
        let rows = try CrawlDatabase.urls(layout.db)
        let unfinished = rows.values.filter { $0.state == "queued" || $0.state == "in_flight" }.map(\.url)
        #expect(unfinished.isEmpty, "rows not in a final state: \(HostileChecks.sample(unfinished))")

        let requests = server.requests()
        let checks = HostileChecks(manifest: server.manifest, rows: rows, requests: requests)
        checks.expectEveryTrapEndedWithItsReason()
        checks.expectGoodPagesFetchedOnce()
        checks.expectOnlyHTTPRequestsAsTheServerShouldSeeThem()
        checks.expectOneURLSpelledTwentyWaysFetchedOnce()
        checks.expectTrapHostsStoppedAtTheCap(Self.pageCap)
        checks.expectOversizedAnswersCutShort()
        try layout.expectNothingWrittenOutsideOut(rows: rows)

        // Bound every resource: the kernel's high-water mark for the process.
        #expect(run.maxRSSMegabytes < 256, "peak RSS \(run.maxRSSMegabytes) MB")
    }
}
