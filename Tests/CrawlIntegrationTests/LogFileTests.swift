import Foundation
import Testing

/// `--log-file` and `--quiet`: the log goes to the file (appended), the summary line always;
/// SIGHUP reopens the file so that logrotate can move it away mid-run.
@Suite("crawl: --log-file and --quiet")
struct LogFileTests {
    @Test func quietLogFileGetsTheSummaryLineAndSIGHUPReopensIt() async throws {
        let scratch = try ScratchDirectory("logfile")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 100, pages: 20, images: 6, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let logPath = scratch.path + "/crawl.log"
        let rotatedPath = logPath + ".1"

        let quiet = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "4", "--per-host", "2", "--delay", "0",
                   "--max-fetches", "8", "--log-file", logPath, "--quiet"],
            timeout: 30)
        #expect(quiet.code == 0, "\(quiet)")
        #expect(quiet.stderr.isEmpty, "stderr with --log-file --quiet: \(quiet.stderr)")
        #expect(quiet.stdout.isEmpty, "stdout with --log-file --quiet: \(quiet.stdout)")
        let quietLines = RunChecks.lines(of: logPath)
        #expect(quietLines.count == 1, "--quiet log: \(quietLines)")
        let expected = RunChecks.Summary(run: try RunChecks.latestRun(try await CoverageChecks.stats(crawl, db: scratch.db)))
        #expect(RunChecks.Summary(in: quietLines) == expected && expected.reason == "budget",
                "log \(quietLines) vs run_history[0] \(expected)")

        // A slow resume, logging to the same file; logrotate moves it away and sends SIGHUP.
        try server.mutate(SiteMutations(delayMS: 300))
        let before = server.requestCount()
        let child = try crawl.launch(["resume", "--db", scratch.db, "--log-file", logPath])
        defer { child.terminate() }
        let reached = await server.waitForRequests(before + 2, while: child, seconds: 20)
        try #require(child.exited == nil && reached >= before + 2, "the resume ended or stalled: \(child.stderr)")
        #expect(rename(logPath, rotatedPath) == 0)
        child.send(SIGHUP)
        try await Task.sleep(for: .milliseconds(300))
        try server.mutate(SiteMutations(delayMS: 0))
        let exit = await child.wait(seconds: 60)
        #expect(exit == .exited(0), "after SIGHUP: \(exit.map(\.description) ?? "still running"); stderr: \(child.stderr)")
        #expect(child.stderr.isEmpty, "stderr with --log-file: \(child.stderr)")

        let rotated = RunChecks.lines(of: rotatedPath)
        let reopened = RunChecks.lines(of: logPath)
        #expect(rotated.first == quietLines.first, "the first run's line was not kept (appending): \(rotated.prefix(3))")
        #expect(!rotated.dropFirst().contains { $0.contains("run ended (") }, "the resume's summary went to the moved file: \(rotated)")
        #expect(FileManager.default.fileExists(atPath: logPath), "no new log file after SIGHUP")
        let summary = RunChecks.Summary(in: reopened)
        #expect(summary?.reason == "drained", "new log file: \(reopened)")
        let latest = RunChecks.Summary(run: try RunChecks.latestRun(try await CoverageChecks.stats(crawl, db: scratch.db)))
        #expect(summary == latest, "summary line \(summary.map(\.description) ?? "none") ≠ run_history[0] \(latest)")
    }
}
