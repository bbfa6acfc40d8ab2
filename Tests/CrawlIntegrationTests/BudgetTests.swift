import Foundation
import Testing

/// The cron budgets of one run (--max-fetches, --max-duration) and SIGTERM: the run stops starting
/// fetches, lets in-flight ones finish and commits them, exits with the right code and end reason,
/// and a resume completes the job without fetching anything twice.
@Suite("crawl: run budgets and signals")
struct BudgetTests {
    private static func startArguments(_ server: FixtureServer, _ scratch: ScratchDirectory, concurrency: Int = 4) -> [String] {
        ["start", server.seed] + server.allowOtherHosts
            + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "\(concurrency)", "--per-host", "2", "--delay", "0"]
    }

    @Test func maxFetchesStartsExactlyThatManyFetchesRobotsIncluded() async throws {
        let scratch = try ScratchDirectory("maxfetches")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 84, pages: 20, images: 6), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        let result = try await crawl.run(Self.startArguments(server, scratch, concurrency: 8) + ["--max-fetches", "10"], timeout: 30)
        #expect(result.code == 0, "\(result)")
        await server.settle()
        let first = server.requests()
        // robots.txt counts toward --max-fetches (SchedulerLimits.maxFetchesThisRun): 10 requests in all.
        #expect(first.count == 10, "requests: \(sample(first.map(\.url)))")
        let pages = first.filter { !$0.isRobots }
        #expect(try RunChecks.endReasons(scratch.db) == ["budget"])
        let rows = try CrawlDatabase.urls(scratch.db)
        let fetchedRows = rows.values.filter { $0.state == "done" || $0.state == "failed" }.map(\.url)
        #expect(Set(fetchedRows) == Set(pages.map(\.url)), "done/failed rows \(sample(fetchedRows.sorted())) ≠ requested")
        #expect(!rows.inState("queued").isEmpty, "the budget stopped nothing: no queued rows")

        let stats = try await crawlStatsWithHosts(crawl, db: scratch.db)
        let latest = RunChecks.Summary(run: try RunChecks.latestRun(stats))
        #expect(latest.reason == "budget" && latest.fetched == pages.count, "run_history[0]: \(latest)")
        #expect(RunChecks.Summary(in: result.stderrLines) == latest, "summary line ≠ run_history[0]: \(result.stderr)")
        let hostTable = stats["host_table"] as? [[String: Any]] ?? []
        var fetchedPerOrigin: [String: Int] = [:]
        for row in hostTable { fetchedPerOrigin[row["origin"] as? String ?? "?"] = row.int("fetched") }
        var servedPerOrigin: [String: Int] = [:]
        for request in pages { servedPerOrigin["http://\(request.addr):\(request.port)", default: 0] += 1 }
        for origin in server.manifest.origins where fetchedPerOrigin[origin] != nil || servedPerOrigin[origin] != nil {
            #expect(fetchedPerOrigin[origin] == servedPerOrigin[origin] ?? 0,
                    "host_table fetched for \(origin): \(fetchedPerOrigin[origin] ?? -1), server saw \(servedPerOrigin[origin] ?? 0)")
        }

        // The budget is per run: the next run gets 10 more, none of them a repeat.
        let since = Date().timeIntervalSince1970
        let again = try await crawl.run(["resume", "--db", scratch.db, "--max-fetches", "10"], timeout: 30)
        #expect(again.code == 0, "\(again)")
        await server.settle()
        let second = server.requests(since: since)
        #expect(second.count == 10, "second run requests: \(sample(second.map(\.url)))")
        let repeated = Set(second.map(\.url)).intersection(first.map(\.url)).sorted()
        #expect(repeated.isEmpty, "fetched again by the second run: \(sample(repeated))")
        #expect(try RunChecks.endReasons(scratch.db) == ["budget", "budget"])
    }

    @Test func maxDurationStopsStartingFetchesAndResumeCompletesTheJob() async throws {
        let scratch = try ScratchDirectory("maxduration")
        defer { scratch.remove() }
        // 4 transfers of 150 ms at a time: about 26 requests/s, so the ~110 requests need ≥ 4 s.
        let server = try await FixtureServer(
            .init(hosts: 2, firstIP: 88, pages: 40, images: 6, delayMS: 150, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)
        let timeout = 2.0

        let result = try await crawl.run(
            Self.startArguments(server, scratch) + ["--max-duration", "2s", "--timeout", "\(timeout)"], timeout: 30)
        #expect(result.code == 0, "\(result)")
        // Budget plus the longest in-flight transfer, plus slack for process start and exit on a
        // loaded machine: what matters is that the run did not go on fetching the site.
        #expect(result.seconds >= 2 && result.seconds < 2 + timeout + 4, "the 2 s run took \(result.seconds) s")
        await server.settle(quiet: 0.4)
        let first = server.requests()
        #expect(first.count < manifest.requestedOnce.count, "the whole site was fetched within the budget")
        let aborted = first.filter { $0.error != nil }.map(\.url)
        #expect(aborted.isEmpty, "in-flight transfers were cut off at the budget: \(sample(aborted))")
        let rows = try CrawlDatabase.urls(scratch.db)
        let lost = RunChecks.uncommitted(first, rows: rows)
        #expect(lost.isEmpty, "answered but not committed: \(sample(lost))")
        #expect(try RunChecks.endReasons(scratch.db) == ["budget"])
        let latest = try RunChecks.latestRun(try await CoverageChecks.stats(crawl, db: scratch.db))
        #expect((latest["duration_s"] as? NSNumber).map { $0.doubleValue >= 1.9 } == true, "run_history[0]: \(latest)")

        try server.mutate(SiteMutations(delayMS: 0))
        let resumed = try await crawl.run(["resume", "--db", scratch.db], timeout: 60)
        #expect(resumed.code == 0, "\(resumed)")
        await server.settle()
        let audit = CrawlAudit(server.requests())
        CoverageChecks.expectRequests(
            audit, once: manifest.requestedOnce, never: manifest.category("disallowed").union(manifest.category("never")))
        #expect(try RunChecks.endReasons(scratch.db) == ["budget", "drained"])
        let finalRows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(finalRows, manifest: manifest)
        CoverageChecks.expectBodies(finalRows, out: scratch.out, manifest: manifest)
    }

    @Test func sigtermStopsGracefullyWithExit143AndResumeCompletesTheJob() async throws {
        let scratch = try ScratchDirectory("sigterm")
        defer { scratch.remove() }
        let server = try await FixtureServer(
            .init(hosts: 2, firstIP: 92, pages: 30, images: 6, delayMS: 400, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)

        let child = try crawl.launch(Self.startArguments(server, scratch))
        defer { child.terminate() }
        let reached = await server.waitForRequests(6, while: child, seconds: 20)
        try #require(child.exited == nil && reached >= 6, "the crawl ended or stalled before the signal: \(child.stderr)")
        let signalledAt = Date().timeIntervalSince1970
        child.send(SIGTERM)
        let exit = await child.wait(seconds: 10)
        let stopSeconds = Date().timeIntervalSince1970 - signalledAt
        #expect(exit == .exited(143), "after SIGTERM: \(exit.map(\.description) ?? "still running"); stderr: \(child.stderr)")
        // In-flight transfers take 400 ms; nothing new may start.
        #expect(stopSeconds < 10, "took \(stopSeconds) s to stop")
        await server.settle(quiet: 0.6)
        let first = server.requests()
        let lateStarts = first.filter { $0.t0 > signalledAt + 1.0 }.map(\.url)  // slack for a loaded machine
        #expect(lateStarts.isEmpty, "requests started after SIGTERM: \(sample(lateStarts))")
        let aborted = first.filter { $0.error != nil }.map(\.url)
        #expect(aborted.isEmpty, "in-flight transfers were cut off: \(sample(aborted))")
        let rows = try CrawlDatabase.urls(scratch.db)
        let lost = RunChecks.uncommitted(first, rows: rows)
        #expect(lost.isEmpty, "answered but not committed: \(sample(lost))")
        #expect(try RunChecks.endReasons(scratch.db) == ["signal"])
        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
        #expect(RunChecks.Summary(in: child.stderr.split(separator: "\n").map(String.init))?.reason == "signal",
                "no 'run ended (signal)' line: \(child.stderr)")

        try server.mutate(SiteMutations(delayMS: 0))
        let resumed = try await crawl.run(["resume", "--db", scratch.db], timeout: 60)
        #expect(resumed.code == 0, "\(resumed)")
        await server.settle()
        CoverageChecks.expectRequests(
            CrawlAudit(server.requests()), once: manifest.requestedOnce,
            never: manifest.category("disallowed").union(manifest.category("never")))
        #expect(try RunChecks.endReasons(scratch.db) == ["signal", "drained"])
        let finalRows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(finalRows, manifest: manifest)
        CoverageChecks.expectBodies(finalRows, out: scratch.out, manifest: manifest)
    }

    private func crawlStatsWithHosts(_ crawl: CrawlRunner, db: String) async throws -> [String: Any] {
        let result = try await crawl.run(["stats", "--db", db, "--json", "--hosts"], timeout: 30)
        guard result.code == 0,
              let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        else { throw SetupError("crawl stats --json --hosts: \(result)") }
        return object
    }
}
