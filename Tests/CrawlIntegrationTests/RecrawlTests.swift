import Foundation
import Testing

@testable import CrawlCore

/// `--revisit-after`: done URLs are fetched again with conditional requests; 304 and same-hash
/// 200s are unchanged, a new hash is stored as a change, 404 is gone and never asked for again.
@Suite("crawl resume: incremental recrawl")
struct RecrawlTests {
    @Test func revisitSendsConditionalRequestsAndRecordsChangedUnchangedAndGone() async throws {
        let scratch = try ScratchDirectory("recrawl")
        defer { scratch.remove() }
        // One transfer per host claims 64 URLs at a time (SchedulerLimits.readyPerHost) and refills at
        // 32 left. Each host has more than 64 done URLs, and in the revisit run every response takes
        // 50 ms, so the first refill comes more than 1 s (the revisit period) into the run: a
        // crawler that revisited what this run fetched itself would request URLs twice there.
        let server = try await FixtureServer(
            .init(hosts: 2, firstIP: 96, pages: 70, images: 6, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)

        let first = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "2", "--per-host", "1", "--delay", "0",
                   "--revisit-after", "1s"],
            timeout: 60)
        try #require(first.code == 0, "\(first)")
        let rows1 = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows1, manifest: manifest)
        let done1 = rows1.values.filter { $0.state == "done" }
        let done1URLs = Set(done1.map(\.url))
        for origin in manifest.origins {
            let count = done1URLs.filter { $0.hasPrefix(origin + "/") }.count
            #expect(count > 64, "\(origin) has \(count) done URLs: too few for a refill during the revisit run")
        }

        // Mutate 12 pages: 5 changed (the first one with a query variant when the site has one,
        // which then changes too), 5 touched (new validators, same body), 2 gone. In the revisit
        // run every response takes 50 ms (see above).
        let plain = manifest.category("page").filter { $0.contains("/p/") && !$0.contains("?") && $0 != manifest.seed }.sorted()
        let withVariant = plain.filter { page in manifest.category("page").contains { $0.hasPrefix(page + "?") } }
        var picks = Array(withVariant.prefix(1))
        picks += plain.filter { !picks.contains($0) && !withVariant.contains($0) }.enumerated()
            .filter { $0.offset % 3 == 0 }.map(\.element).prefix(11)
        try #require(picks.count == 12, "not enough pages to mutate: \(picks.count)")
        let mutations = SiteMutations(
            change: Array(picks[0..<5]), touch: Array(picks[5..<10]), gone: Array(picks[10..<12]), delayMS: 50)
        let servedAs = { (keys: [String]) in Set(done1URLs.filter { keys.contains(Self.withoutQuery($0)) }) }
        let changed = servedAs(mutations.change), touched = servedAs(mutations.touch), gone = servedAs(mutations.gone)
        #expect(changed.count >= 5 && touched.count == 5 && gone.count == 2)

        try await Task.sleep(for: .milliseconds(1200))
        try server.mutate(mutations)
        await server.settle()
        let secondStart = Date().timeIntervalSince1970
        let second = try await crawl.run(["resume", "--db", scratch.db], timeout: 30)
        #expect(second.code == 0, "\(second)")
        await server.settle()
        let run2 = server.requests(since: secondStart)
        let unconditional = run2.filter { $0.conditional != true }.map(\.url)
        #expect(unconditional.isEmpty, "revisits without If-None-Match/If-Modified-Since: \(sample(unconditional))")
        #expect(run2.count == done1.count, "second run: \(run2.count) requests, first run left \(done1.count) done rows")
        let audit2 = CrawlAudit(run2)
        #expect(audit2.notRequested(done1URLs).isEmpty, "not revisited: \(sample(audit2.notRequested(done1URLs)))")
        #expect(audit2.requestedMoreThanOnce(done1URLs).isEmpty, "revisited twice: \(sample(audit2.requestedMoreThanOnce(done1URLs)))")
        #expect(audit2.outside(done1URLs).isEmpty, "requested but not done before: \(sample(audit2.outside(done1URLs)))")

        let stats2 = try await CoverageChecks.stats(crawl, db: scratch.db)
        let summary2 = RunChecks.Summary(run: try RunChecks.latestRun(stats2))
        let revisited = done1.count
        #expect(summary2.reason == "drained" && summary2.fetched == revisited && summary2.new == 0, "run_history[0]: \(summary2)")
        #expect(summary2.changed == changed.count, "changed \(summary2.changed), expected \(changed.count): \(changed.sorted())")
        #expect(summary2.gone == gone.count, "gone \(summary2.gone), expected \(gone.count)")
        #expect(summary2.unchanged == revisited - changed.count - gone.count, "run_history[0]: \(summary2)")
        #expect(RunChecks.Summary(in: second.stderrLines) == summary2, "summary line ≠ run_history[0]: \(second.stderr)")

        // fetches: one row per revisit, outcomes as the server answered.
        let outcomes = try Self.outcomes(scratch.db, run: "(SELECT max(id) FROM runs)")
        let notModified = run2.filter { $0.status == 304 }.count
        #expect(outcomes["not_modified", default: 0] == notModified, "fetches outcomes \(outcomes); server sent \(notModified) 304s")
        #expect(outcomes["changed", default: 0] == changed.count && outcomes["gone", default: 0] == gone.count, "\(outcomes)")
        #expect(outcomes["unchanged", default: 0] == revisited - changed.count - gone.count - notModified, "\(outcomes)")
        #expect(outcomes["new", default: 0] == 0 && outcomes.values.reduce(0, +) == revisited, "\(outcomes)")
        let touched304 = run2.filter { touched.contains($0.url) && $0.status != 200 }.map(\.url)
        #expect(touched304.isEmpty, "touched pages (new ETag) not answered 200: \(sample(touched304))")

        let rows2 = try CrawlDatabase.urls(scratch.db)
        var wrong: [String] = []
        for url in changed {
            guard let old = rows1[url], let new = rows2[url], let oldPath = old.bodyPath, let newPath = new.bodyPath,
                  let oldHash = old.contentHash, let newHash = new.contentHash
            else { wrong.append("\(url): no body"); continue }
            let hashes = try CrawlDatabase.column(scratch.db, """
                SELECT DISTINCT f.content_hash FROM fetches f JOIN urls u ON u.id = f.url_id
                WHERE u.url = '\(url.replacingOccurrences(of: "'", with: "''"))' AND f.content_hash IS NOT NULL
                """)
            if Set(hashes) != [oldHash, newHash] || oldHash == newHash { wrong.append("\(url): fetches hashes \(hashes)") }
            let oldBody = FileManager.default.contents(atPath: scratch.out + "/" + oldPath)
            let newBody = FileManager.default.contents(atPath: scratch.out + "/" + newPath)
            if oldBody == nil || newBody == nil { wrong.append("\(url): body file missing (old \(oldPath), new \(newPath))"); continue }
            if [UInt8](newBody!) != [UInt8](oldBody!) + FixtureServer.changeSuffix { wrong.append("\(url): new body is not the changed one") }
            if ContentHash.sha256Hex([UInt8](newBody!)) != newHash { wrong.append("\(url): new body ≠ content_hash") }
            if new.state != "done" || new.status != 200 { wrong.append("\(url): \(new.state) \(new.status ?? -1)") }
        }
        for url in done1URLs.subtracting(changed).subtracting(gone) where rows2[url]?.contentHash != rows1[url]?.contentHash {
            wrong.append("\(url): content_hash moved without a change")
        }
        for url in gone {
            let row = rows2[url]
            if row?.state != "failed" || row?.errorKind != "gone" || row?.status != 404 {
                wrong.append("\(url): \(row?.state ?? "no row") \(row?.errorKind ?? "-") \(row?.status ?? -1) (want failed gone 404)")
            }
        }
        #expect(wrong.isEmpty, "rows after the revisit: \(sample(wrong.sorted()))")

        // Right away, with a revisit period not yet over: nothing is due, nothing fetched.
        let thirdStart = Date().timeIntervalSince1970
        let third = try await crawl.run(["resume", "--db", scratch.db, "--revisit-after", "1h"], timeout: 60)
        #expect(third.code == 0, "\(third)")
        await server.settle()
        #expect(server.requests(since: thirdStart).isEmpty, "third run requested \(sample(server.requests(since: thirdStart).map(\.url)))")
        let stats3 = try await CoverageChecks.stats(crawl, db: scratch.db)
        #expect(RunChecks.Summary(run: try RunChecks.latestRun(stats3)).fetched == 0)
        let done2 = Set(rows2.values.filter { $0.state == "done" }.map(\.url))
        #expect(stats3.int("due", "revisit_now") == 0 && stats3.int("due", "revisit_next_hour") == done2.count,
                "due: \(stats3["due"] ?? "none"), \(done2.count) done rows")

        // Back to 1 s: everything done is revisited once more, answered 304 (the touched pages'
        // new ETags were stored), and gone pages are never asked for again.
        try server.mutate(SiteMutations(change: mutations.change, touch: mutations.touch, gone: mutations.gone))
        try await Task.sleep(for: .milliseconds(1200))
        let fourthStart = Date().timeIntervalSince1970
        let fourth = try await crawl.run(["resume", "--db", scratch.db, "--revisit-after", "1s"], timeout: 60)
        #expect(fourth.code == 0, "\(fourth)")
        await server.settle()
        let run4 = server.requests(since: fourthStart)
        #expect(Set(run4.map(\.url)) == done2 && run4.count == done2.count,
                "fourth run: \(run4.count) requests for \(done2.count) done rows; gone asked: \(sample(run4.map(\.url).filter(gone.contains)))")
        let not304 = run4.filter { $0.status != 304 && manifest.redirects[$0.url] == nil }.map { "\($0.url) \($0.status)" }
        #expect(not304.isEmpty, "unmodified pages not answered 304: \(sample(not304.sorted()))")
        #expect(run4.allSatisfy { $0.conditional == true }, "unconditional revisits in the fourth run")
        let summary4 = RunChecks.Summary(run: try RunChecks.latestRun(try await CoverageChecks.stats(crawl, db: scratch.db)))
        #expect(summary4.changed == 0 && summary4.gone == 0 && summary4.unchanged == done2.count, "run_history[0]: \(summary4)")
        #expect(try RunChecks.endReasons(scratch.db) == ["drained", "drained", "drained", "drained"])
        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
    }

    static func withoutQuery(_ url: String) -> String {
        String(url.prefix { $0 != "?" })
    }

    /// outcome → count of the `fetches` rows of the run `runSQL` selects.
    static func outcomes(_ db: String, run runSQL: String) throws -> [String: Int] {
        let pairs = try CrawlDatabase.column(
            db, "SELECT outcome || ' ' || count(*) FROM fetches WHERE run_id = \(runSQL) GROUP BY outcome")
        var result: [String: Int] = [:]
        for pair in pairs {
            let parts = pair.split(separator: " ")
            if parts.count == 2 { result[String(parts[0])] = Int(parts[1]) }
        }
        return result
    }
}
