import Foundation
import Testing

/// kill -9 at arbitrary points, then `crawl resume`: nothing lost, little fetched twice, the
/// database intact.
@Suite("crawl resume after kill -9")
struct KillResumeTests {
    @Test func killNineThreeTimesThenResumeCoversEverything() async throws {
        let scratch = try ScratchDirectory("kill")
        defer { scratch.remove() }
        // 40 ms per response and at most 6 transfers at once (3 hosts x 2): about 150 requests/s,
        // so the ~600 requests of the site take ≥ 4 s.
        let server = try await FixtureServer(
            .init(hosts: 3, firstIP: 31, pages: 150, images: 20, delayMS: 40, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)
        let concurrency = 8
        let expectedTotal = manifest.requestedOnce.count
        #expect(expectedTotal >= 550, "site too small for the kill points: \(expectedTotal)")

        // Kill points: cumulative requests the server has seen.
        let killPoints = [expectedTotal / 6, expectedTotal * 2 / 5, expectedTotal * 3 / 5]
        var arguments = ["start", server.seed] + server.allowOtherHosts
            + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "\(concurrency)", "--per-host", "2", "--delay", "0"]
        for (round, point) in killPoints.enumerated() {
            let child = try crawl.launch(arguments)
            let reached = await server.waitForRequests(point, while: child, seconds: 60)
            let early = child.exited
            let exit = await child.killNow()
            try #require(early == nil, "round \(round): crawl ended (\(early!)) before the kill point \(point) (log: \(reached)); stderr: \(child.stderr)")
            #expect(exit == .signaled(SIGKILL), "round \(round): \(exit.map(\.description) ?? "still running")")
            #expect(reached >= point, "round \(round): only \(reached) requests before the time limit")
            arguments = ["resume", "--db", scratch.db]
        }

        let final = try await crawl.run(["resume", "--db", scratch.db], timeout: 90)
        #expect(final.code == 0, "\(final)")

        let audit = CrawlAudit(server.requests())
        let once = manifest.requestedOnce
        let never = manifest.category("disallowed").union(manifest.category("never"))
        #expect(audit.notRequested(once).isEmpty, "never requested: \(sample(audit.notRequested(once)))")
        #expect(audit.requested(never).isEmpty, "must never be requested: \(sample(audit.requested(never)))")
        #expect(audit.outside(once.union(never)).isEmpty, "not in the manifest: \(sample(audit.outside(once.union(never))))")
        #expect(audit.duplicateRequests <= 3 * concurrency,
                "\(audit.duplicateRequests) repeated requests (at most \(3 * concurrency) allowed): \(sample(audit.requestedMoreThanOnce(once)))")

        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
        let rows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows, manifest: manifest)
        CoverageChecks.expectBodies(rows, out: scratch.out, manifest: manifest)
        let reasons = try CrawlDatabase.column(scratch.db, "SELECT coalesce(end_reason, 'NULL') FROM runs ORDER BY id")
        #expect(reasons == ["interrupted", "interrupted", "interrupted", "drained"])

        let stats = try await CoverageChecks.stats(crawl, db: scratch.db)
        #expect(stats.int("urls", "queued") == 0)
        #expect(stats.int("urls", "in_flight") == 0)
        #expect(stats.int("runs") == 4)
    }
}
