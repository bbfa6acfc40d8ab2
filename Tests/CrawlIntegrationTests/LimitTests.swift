import Foundation
import Testing

@testable import CrawlCore

/// --max-pages, --max-depth, --no-images, --ignore-robots: what the server sees matches the limit.
@Suite("crawl: limits and switches")
struct LimitTests {
    private func crawlSite(_ name: String, firstIP: Int, _ extra: [String],
                           body: (FixtureServer, ScratchDirectory, CrawlRunner, CommandResult) async throws -> Void) async throws {
        let scratch = try ScratchDirectory(name)
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: firstIP, pages: 24, images: 6), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let result = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "8", "--per-host", "2", "--delay", "0"] + extra,
            timeout: 60)
        try await body(server, scratch, crawl, result)
    }

    @Test func maxPagesStopsAfterThatManyFetches() async throws {
        try await crawlSite("maxpages", firstIP: 61, ["--max-pages", "5"]) { server, scratch, crawl, result in
            #expect(result.code == 0, "\(result)")
            let fetches = server.requests().filter { !$0.isRobots }
            #expect(fetches.count == 5, "requests other than robots.txt: \(sample(fetches.map(\.url)))")
            let rows = try CrawlDatabase.urls(scratch.db)
            let fetchedRows = rows.values.filter { $0.state == "done" || $0.state == "failed" }
            #expect(fetchedRows.count == 5, "done/failed rows: \(sample(fetchedRows.map(\.url).sorted()))")
            let reasons = try CrawlDatabase.column(scratch.db, "SELECT end_reason FROM runs")
            #expect(reasons == ["limit"])
        }
    }

    /// A job whose stored settings lack `bodyLayout` (created by an older crawl) keeps writing
    /// `ab/cd/<sha256>` bodies when resumed, beside the ones it has; a new job writes `ab/<sha256>`.
    @Test func aJobStoredWithoutABodyLayoutKeepsTheTwoLevelOne() async throws {
        try await crawlSite("legacylayout", firstIP: 74, ["--max-pages", "4"]) { _, scratch, crawl, result in
            #expect(result.code == 0, "\(result)")
            let bodies = "SELECT u.body_path FROM urls u JOIN fetches f ON f.url_id = u.id WHERE f.run_id = ?1 AND u.body_path IS NOT NULL"
            let first = try CrawlDatabase.column(scratch.db, bodies.replacingOccurrences(of: "?1", with: "1"))
            #expect(!first.isEmpty && first.allSatisfy { $0.split(separator: "/").count == 2 }, "a new job's bodies: \(first)")
            try CrawlDatabase.execute(scratch.db, "UPDATE job SET settings = json_remove(settings, '$.bodyLayout')")

            let resumed = try await crawl.run(["resume", "--db", scratch.db, "--max-pages", "12"], timeout: 60)
            #expect(resumed.code == 0, "\(resumed)")
            let second = try CrawlDatabase.column(scratch.db, bodies.replacingOccurrences(of: "?1", with: "2"))
            #expect(!second.isEmpty && second.allSatisfy { $0.split(separator: "/").count == 3 }, "the resumed job's bodies: \(second)")
            for path in first + second {
                let data = FileManager.default.contents(atPath: scratch.out + "/" + path)
                #expect(data.map { ContentHash.sha256Hex([UInt8]($0)) } == String(path.suffix(64)), "\(path)")
            }
            // The resumed run stored its settings again, now naming the layout.
            #expect(try CrawlDatabase.column(scratch.db, "SELECT json_extract(settings, '$.bodyLayout') FROM job") == ["2"])
        }
    }

    @Test func maxDepthOneFetchesTheSeedItsLinksAndTheirImages() async throws {
        try await crawlSite("maxdepth", firstIP: 64, ["--max-depth", "1"]) { server, scratch, _, result in
            #expect(result.code == 0, "\(result)")
            let expected = Self.reachable(from: server.seed, maxDepth: 1, manifest: server.manifest)
            let audit = CrawlAudit(server.requests().filter { !$0.isRobots })
            CoverageChecks.expectRequests(audit, once: expected, never: [])
            // The bound matters: the site has pages two links away from the seed.
            #expect(server.manifest.category("page").subtracting(expected).count > 10)
            let rows = try CrawlDatabase.urls(scratch.db)
            let tooDeep = rows.values.filter { $0.kind != "image" && $0.depth > 1 }.map { "\($0.url) depth \($0.depth)" }
            #expect(tooDeep.isEmpty, "pages beyond --max-depth stored: \(sample(tooDeep.sorted()))")
        }
    }

    @Test func noImagesFetchesNoImage() async throws {
        try await crawlSite("noimages", firstIP: 67, ["--no-images"]) { server, scratch, _, result in
            #expect(result.code == 0, "\(result)")
            let manifest = server.manifest
            let audit = CrawlAudit(server.requests())
            CoverageChecks.expectRequests(
                audit, once: manifest.requestedOnce.subtracting(manifest.category("image")),
                never: manifest.category("image").union(manifest.category("disallowed")).union(manifest.category("never")))
            let images = try CrawlDatabase.urls(scratch.db).values.filter { $0.kind == "image" }
            #expect(images.isEmpty, "image rows: \(sample(images.map(\.url)))")
        }
    }

    @Test func ignoreRobotsFetchesPrivatePagesAndNeverRobotsTxt() async throws {
        try await crawlSite("norobots", firstIP: 70, ["--ignore-robots"]) { server, scratch, _, result in
            #expect(result.code == 0, "\(result)")
            let manifest = server.manifest
            #expect(!manifest.category("disallowed").isEmpty)
            let audit = CrawlAudit(server.requests())
            CoverageChecks.expectRequests(
                audit, once: manifest.requestedOnce.subtracting(manifest.category("robots")).union(manifest.category("disallowed")),
                never: manifest.category("robots").union(manifest.category("never")))
            CoverageChecks.expectRows(try CrawlDatabase.urls(scratch.db), manifest: manifest, robotsObeyed: false)
        }
    }

    /// The URLs a crawler following the rules of `--max-depth` requests from `seed`: pages up to
    /// `maxDepth` links away (a redirect target keeps its source's depth), every image of every
    /// page it parses, nothing robots.txt disallows, nothing off the served hosts.
    static func reachable(from seed: String, maxDepth: Int, manifest: SiteManifest) -> Set<String> {
        let disallowed = manifest.category("disallowed")
        let inScope = { (url: String) in manifest.origins.contains { url.hasPrefix($0 + "/") } }
        var depth: [String: Int] = [seed: 0]
        var queue = [seed]
        var requested = Set<String>()
        var next = 0
        while next < queue.count {
            let url = queue[next]
            next += 1
            let d = depth[url]!
            if disallowed.contains(url) { continue }
            requested.insert(url)
            if let target = manifest.redirects[url] {
                if depth[target] == nil, inScope(target) {
                    depth[target] = d
                    queue.append(target)
                }
                continue
            }
            for link in manifest.links[url] ?? [] where link.count == 2 && inScope(link[0]) && depth[link[0]] == nil {
                if link[1] == "image" || d + 1 <= maxDepth {
                    depth[link[0]] = d + 1
                    queue.append(link[0])
                }
            }
        }
        return requested
    }
}
