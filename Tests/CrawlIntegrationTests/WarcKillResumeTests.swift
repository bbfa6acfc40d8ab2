import Foundation
import Testing

@testable import CrawlCore

/// kill -9 during a `--warc` crawl, then resume: every file still passes `warcio check`, and no
/// fetched URL lacks its response record, even when the file lost records the database had
/// committed (cut by hand here, as an OS crash could).
@Suite("crawl --warc: kill -9 and resume", .enabled("warcio is not installed and pip cannot reach PyPI") { await Warcio.reachable() })
struct WarcKillResumeTests {
    @Test func killNineThenResumeLeavesCheckableFilesWithAResponsePerFetchedURL() async throws {
        let scratch = try ScratchDirectory("warc-kill")
        defer { scratch.remove() }
        // 30 ms per response, at most 6 transfers at once: about 200 requests/s over ~450 requests.
        let server = try await FixtureServer(
            .init(hosts: 3, firstIP: 209, pages: 100, images: 12, delayMS: 30, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)
        let warc = scratch.path + "/warc"
        let total = manifest.requestedOnce.count
        var arguments = ["start", server.seed] + server.allowOtherHosts
            + ["--db", scratch.db, "--out", scratch.out, "--warc", warc, "--warc-max-size", "150K", "--concurrency", "8",
               "--per-host", "2", "--delay", "0"]
        for (round, point) in [total / 4, total / 2].enumerated() {
            let child = try crawl.launch(arguments)
            let reached = await server.kill(child, atRequests: point, seconds: 60)
            child.terminate()  // after the kill a no-op; stops a crawl that stalled short of the point
            let exit = await child.wait(seconds: 10)
            try #require(reached >= point && exit == .signaled(SIGKILL), """
                round \(round): \(reached) requests, then \(exit.map(\.description) ?? "still running"); \
                the kill point was \(point)
                """)
            arguments = ["resume", "--db", scratch.db]
        }

        // As if the OS had lost the end of a file: cut into the last response record the database
        // committed in the newest file that has one.
        let (newest, lastEnd) = try #require(try CrawlDatabase.column(scratch.db, """
            SELECT f.name || ' ' || max(w.warc_offset + w.warc_length) FROM fetches w JOIN warc_files f ON f.id = w.warc_file
            GROUP BY f.id ORDER BY f.name DESC LIMIT 1
            """).first.flatMap { row -> (String, Int64)? in
                let parts = row.split(separator: " ")
                return Int64(parts[1]).map { (String(parts[0]), $0) }
            })
        let cut = lastEnd - 20
        let lostURLs = try CrawlDatabase.column(scratch.db, """
            SELECT u.url FROM fetches w JOIN warc_files f ON f.id = w.warc_file JOIN urls u ON u.id = w.url_id
            WHERE f.name = '\(newest)' AND w.warc_offset + w.warc_length > \(cut) AND w.warc_type = 'response'
            """)
        try #require(lostURLs.count == 1, "one committed response record at the end of \(newest): \(lostURLs)")
        try #require(truncate(warc + "/" + newest, off_t(cut)) == 0)

        let final = try await crawl.run(["resume", "--db", scratch.db], timeout: 120)
        #expect(final.code == 0, "\(final)")
        #expect(final.stderr.contains("fetched again"), "the cut file is reported: \(final.stderr)")
        #expect(final.stderr.contains("\(lostURLs.count) fetched URLs had no WARC response record: queued again"), "\(final.stderr)")

        let rows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows, manifest: manifest)
        let warcs = try await WarcChecks.load(directory: warc, db: scratch.db)
        warcs.expectFiles()
        try warcs.expectResponses(for: rows, exactly: false)
        // The requeued URLs were fetched again after the cut: their records are in the newest files.
        let responses = warcs.records("response")
        for url in lostURLs {
            #expect(responses.contains { $0.target == url && $0.filename >= newest }, "\(url) has no response after the cut")
        }
        // Requests without their response are only ever left by a crash in between (cut on resume).
        let responded = Set(responses.compactMap(\.concurrentTo))
        let dangling = warcs.records("request").filter { !responded.contains($0.id) }
        #expect(dangling.isEmpty, "requests without a response: \(sample(dangling.compactMap(\.target)))")
        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
    }
}
