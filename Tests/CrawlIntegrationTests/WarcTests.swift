import Foundation
import Testing

@testable import CrawlCore

/// `--warc`: WARC 1.1 files that warcio reads and verifies; `crawl export` of the URL table and
/// of a CDXJ index.
@Suite("crawl --warc, read back with warcio", .enabled("warcio is not installed and pip cannot reach PyPI") { await Warcio.reachable() })
struct WarcTests {
    @Test func crawlWritesFilesWarcioChecksWithOneResponsePerFetchedURL() async throws {
        let scratch = try ScratchDirectory("warc")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 201, pages: 40, images: 6, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)
        let warc = scratch.path + "/warc"
        let result = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--warc", warc, "--warc-max-size", "60K", "--delay", "0",
                   "--concurrency", "8", "--per-host", "4"], timeout: 60)
        try #require(result.code == 0, "\(result)")
        let rows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows, manifest: manifest)

        let warcs = try await WarcChecks.load(directory: warc, db: scratch.db)
        #expect(warcs.files.count >= 3, "60 KB files: expected several, got \(warcs.files)")
        warcs.expectFiles()
        warcs.expectRequestsAndResponsesLinked()
        try warcs.expectResponses(for: rows, exactly: true)
        #expect(warcs.records("revisit").isEmpty)
        let robots = Set(warcs.records("response").compactMap(\.target).filter { $0.hasSuffix("/robots.txt") })
        #expect(robots == manifest.category("robots"), "robots.txt responses: \(robots.sorted())")

        // Bodies came as they are stored (no content coding here): the payload digest is the SHA-256 of the stored body.
        var wrong: [String] = []
        let responses = Dictionary(warcs.records("response").map { ($0.target ?? "", $0) }, uniquingKeysWith: { $1 })
        for row in rows.values where row.state == "done" && row.status == 200 {
            guard let path = row.bodyPath, let body = FileManager.default.contents(atPath: scratch.out + "/" + path) else { continue }
            if responses[row.url]?.payloadDigest != WarcDigest.label(of: [UInt8](body)) { wrong.append(row.url) }
        }
        #expect(wrong.isEmpty, "payload digest ≠ SHA-256 of the stored body: \(sample(wrong))")

        // A metadata record with the outlinks of every parsed page that has links.
        let metadata = Set(warcs.records("metadata").compactMap(\.target))
        let pages = Set(manifest.links.filter { !$0.value.isEmpty && rows[$0.key]?.state == "done" }.keys)
        #expect(pages.count > 40)
        #expect(pages.subtracting(metadata).isEmpty, "pages without outlink metadata: \(sample(pages.subtracting(metadata).sorted()))")

        // The CDXJ index: one sorted line per response, at the offsets warcio finds.
        let cdxj = try await crawl.run(["export", "--db", scratch.db, "--format", "cdxj"], timeout: 60)
        #expect(cdxj.code == 0, "\(cdxj)")
        let lines = cdxj.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == warcs.records("response").count)
        #expect(lines == lines.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "CDXJ lines are not sorted")
        let located = Set(warcs.records("response").map { "\($0.filename) \($0.offset) \($0.length) \($0.target ?? "")" })
        var unmatched: [String] = []
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, parts[1].count == 14,
                  let json = try JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: String],
                  let url = json["url"], let offset = json["offset"], let length = json["length"], let file = json["filename"],
                  located.contains("\(file) \(offset) \(length) \(url)"), String(parts[0]) == SURT.key(url),
                  json["status"] == (rows[url]?.status).map(String.init) ?? "200"
            else { unmatched.append(line); continue }
        }
        #expect(unmatched.isEmpty, "CDXJ lines: \(sample(unmatched, 3))")
    }

    @Test func recrawlWritesRevisitRecordsThatReferToTheFirstResponse() async throws {
        let scratch = try ScratchDirectory("warc-recrawl")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 205, pages: 30, images: 4, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let warc = scratch.path + "/warc"
        let first = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--warc", warc, "--warc-gzip-level", "6", "--delay", "0",
                   "--revisit-after", "1s"], timeout: 60)
        try #require(first.code == 0, "\(first)")
        let before = try await WarcChecks.load(directory: warc, db: scratch.db)
        let firstResponse = Dictionary(before.records("response").map { ($0.target ?? "", $0.id) }, uniquingKeysWith: { $1 })

        let pages = server.manifest.category("page").filter { $0.contains("/p/") && !$0.contains("?") }.sorted()
        let changed = Array(pages.prefix(2)), touched = Array(pages.dropFirst(2).prefix(3))
        try await Task.sleep(for: .milliseconds(1200))
        try server.mutate(SiteMutations(change: changed, touch: touched))
        await server.settle()
        let secondStart = Date().timeIntervalSince1970
        let second = try await crawl.run(["resume", "--db", scratch.db], timeout: 60)
        try #require(second.code == 0, "\(second)")
        await server.settle()
        let served = server.requests(since: secondStart)

        let after = try await WarcChecks.load(directory: warc, db: scratch.db)
        after.expectRequestsAndResponsesLinked()
        try after.expectResponses(for: try CrawlDatabase.urls(scratch.db), exactly: false)
        let revisits = after.records("revisit")
        let notModified = revisits.filter { $0.profile == WarcRecord.profileServerNotModified }
        let identical = revisits.filter { $0.profile == WarcRecord.profileIdenticalPayload }
        #expect(notModified.count == served.filter { $0.status == 304 }.count, "server-not-modified revisits vs 304s served")
        #expect(Set(notModified.map(\.status)) == ["304"] && notModified.count > 50, "\(notModified.count) 304 revisits")
        // 200s with the same body: touched pages (new ETag) and redirects (no validators, same 301).
        let sameBody = Set(served.filter { ($0.status == 200 && $0.mutation == "touch") || $0.status == 301 }.map(\.url))
        #expect(Set(identical.compactMap(\.target)) == sameBody, "identical-payload revisits: \(sample(identical.compactMap(\.target)))")
        #expect(Set(touched).isSubset(of: sameBody))
        var wrong: [String] = []
        for revisit in revisits {
            let url = revisit.target ?? ""
            if revisit.refersTo == nil || revisit.refersTo != firstResponse[url] { wrong.append("\(url) refers to \(revisit.refersTo ?? "nothing")") }
            if revisit.payloadDigest == nil { wrong.append("\(url): no payload digest") }
        }
        #expect(wrong.isEmpty, "revisits: \(sample(wrong))")
        // Changed pages got a second, full response record.
        let secondResponses = after.records("response").filter { changed.contains($0.target ?? "") }
        #expect(secondResponses.count == 2 * changed.count, "changed pages: \(secondResponses.count) responses in all")
        let cdxj = try await crawl.run(["export", "--db", scratch.db, "--format", "cdxj"], timeout: 60)
        #expect(cdxj.stdout.split(separator: "\n").filter { $0.contains("\"mime\": \"warc/revisit\"") }.count == revisits.count)
    }
}

/// `--warc` and `crawl export` refuse bad input with one line, before doing anything.
@Suite("crawl --warc and export: bad input")
struct WarcOptionTests {
    @Test func warcOptionsAndExportFormatsAreChecked() async throws {
        let scratch = try ScratchDirectory("warc-options")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let used = scratch.path + "/used"
        try FileManager.default.createDirectory(atPath: used, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: used + "/crawl-20250101000000000-00001-other.warc.gz", contents: Data()))
        let seed = "http://127.0.0.214:9/"
        let inUse = try await crawl.run(["start", seed, "--db", scratch.db, "--warc", used], timeout: 30)
        #expect(inUse.code == 1 && inUse.stderrLines.count == 1 && inUse.stderr.contains("already holds WARC files"), "\(inUse)")
        #expect(!FileManager.default.fileExists(atPath: scratch.db), "no job is created")
        let badSize = try await crawl.run(["start", seed, "--db", scratch.db, "--warc", "w", "--warc-max-size", "lots"], timeout: 30)
        #expect(badSize.code == 2 && badSize.stderrLines.count == 1 && badSize.stderr.contains("--warc-max-size"), "\(badSize)")

        // A job without --warc (its one URL refuses connections) keeps it that way.
        let plain = try await crawl.run(["start", seed, "--db", scratch.db, "--retries", "0", "--ignore-robots"], timeout: 30)
        try #require(plain.code == 0, "\(plain)")
        let late = try await crawl.run(["resume", "--db", scratch.db, "--warc", "w"], timeout: 30)
        #expect(late.code == 2 && late.stderrLines.count == 1 && late.stderr.contains("--warc is set when a job starts"), "\(late)")
        let noWarc = try await crawl.run(["export", "--db", scratch.db, "--format", "cdxj"], timeout: 30)
        #expect(noWarc.code == 2 && noWarc.stderr.contains("writes no WARC files"), "\(noWarc)")
        for arguments in [["--format", "xml"], ["--format", "csv", "--fields", "url,nope"], ["--format", "jsonl", "--state", "gone"],
                          ["--format", "cdxj", "--state", "done"]] {
            let bad = try await crawl.run(["export", "--db", scratch.db] + arguments, timeout: 30)
            #expect(bad.code == 2 && bad.stderrLines.count == 1, "\(arguments): \(bad)")
        }
        let missing = try await crawl.run(["export", "--db", scratch.path + "/none.db", "--format", "jsonl"], timeout: 30)
        #expect(missing.code == 1 && missing.stderr.contains("holds no crawl job"), "\(missing)")
    }
}
