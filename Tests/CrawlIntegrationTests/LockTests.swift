import Foundation
import Testing

/// `crawl start|resume` hold an exclusive lock on `<db>.lock`: a second run on a live database
/// exits 75 at once; `crawl stats` works meanwhile; kill -9 leaves no stale lock.
@Suite("crawl: one run per database")
struct LockTests {
    @Test func secondRunExits75WhileStatsWorksAndKillNineLeavesNoStaleLock() async throws {
        let scratch = try ScratchDirectory("lock")
        defer { scratch.remove() }
        let server = try await FixtureServer(
            .init(hosts: 2, firstIP: 80, pages: 20, images: 6, delayMS: 400, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let first = try crawl.launch(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "4", "--per-host", "2", "--delay", "0"])
        defer { first.terminate() }
        let reached = await server.waitForRequests(2, while: first, seconds: 20)
        try #require(first.exited == nil, "the first run ended early (\(first.exited!)): \(first.stderr)")
        try #require(reached >= 2, "the first run made no requests within 20 s")

        let holder = (try? String(contentsOfFile: scratch.db + ".lock", encoding: .utf8)) ?? ""
        #expect(holder.hasPrefix("pid \(first.pid), started "), "lock file: \(holder)")

        let attempts = [
            ["resume", "--db", scratch.db],
            ["start", server.seed, "--db", scratch.db, "--out", scratch.out],
        ]
        for arguments in attempts {
            let result = try await crawl.run(arguments, timeout: 10)
            #expect(result.code == 75, "\(result)")
            #expect(result.seconds < 10, "\(arguments[0]) took \(result.seconds) s to give up")
            #expect(result.stderrLines.count == 1, "stderr: \(result.stderr)")
            let line = result.stderrLines.first ?? ""
            let expectedStart = "crawl: \(scratch.db) is in use by another crawl run (pid \(first.pid), started "
            #expect(line.hasPrefix(expectedStart) && line.hasSuffix("); try again later"), "stderr line: \(line)")
            #expect(result.stdout.isEmpty, "stdout: \(result.stdout)")
        }

        let statsRun = try await crawl.run(["stats", "--db", scratch.db, "--json"], timeout: 30)
        #expect(statsRun.seconds < 15, "crawl stats waited for the running crawl: \(statsRun.seconds) s")
        let stats = try CoverageChecks.stats(from: statsRun)
        #expect(stats.int("runs") == 1, "a refused run was recorded: runs \(stats.int("runs") ?? -1)")
        let latest = try RunChecks.latestRun(stats)
        #expect(latest["end_reason"] == nil || latest["end_reason"] is NSNull, "the live run has an end reason: \(latest)")
        #expect(first.exited == nil, "the first run ended while refused runs were tried: \(first.exited!)")

        let killed = await first.killNow()
        #expect(killed == .signaled(SIGKILL))
        try server.mutate(SiteMutations(delayMS: 0))
        let before = server.requestCount()
        let resume = try crawl.launch(["resume", "--db", scratch.db])
        defer { resume.terminate() }
        let after = await server.waitForRequests(before + 1, while: resume, seconds: 10)
        #expect(after > before, "the resume after kill -9 made no request: \(resume.stderr)")
        // Timed by the server's log, not by this task (which a busy test pool can hold up).
        if let first = server.requests().dropFirst(before).map(\.t0).min() {
            let delay = first - resume.launchedAt.timeIntervalSince1970
            #expect(delay < 10, "the resume took \(delay) s to start fetching")
        }
        let exit = await resume.wait(seconds: 60)
        #expect(exit == .exited(0), "resume: \(exit.map(\.description) ?? "timed out"); stderr: \(resume.stderr)")
        #expect(!resume.stderr.contains("in use by another crawl run"), "stale lock: \(resume.stderr)")
        let holderNow = (try? String(contentsOfFile: scratch.db + ".lock", encoding: .utf8)) ?? ""
        #expect(holderNow.hasPrefix("pid \(resume.pid), started "), "lock file after the resume: \(holderNow)")

        #expect(try RunChecks.endReasons(scratch.db) == ["interrupted", "drained"])
        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
        CoverageChecks.expectRows(try CrawlDatabase.urls(scratch.db), manifest: server.manifest)
    }
}
