import Foundation
import Testing

/// Broken responses and unreachable hosts are recorded on their URL (or host) and the crawl goes on.
@Suite("crawl: per-URL errors do not stop the crawl")
struct PerURLErrorTests {
    /// Robots ignored, so that every URL on the refusing address and on the unresolvable host is
    /// fetched and fails on its own (with robots obeyed, their robots.txt fails first: see below).
    @Test func binaryMalformedRefusedDNSAndTimeoutAreRecordedAndTheRestIsCrawled() async throws {
        let scratch = try ScratchDirectory("errors")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 51, pages: 24, images: 6, slowSleep: 5), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)

        let result = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--allow-host", manifest.refusedHost, "--allow-host", manifest.dnsHost, "--ignore-robots",
                   "--timeout", "1", "--db", scratch.db, "--out", scratch.out, "--concurrency", "8", "--per-host", "2",
                   "--delay", "0", "--retries", "0"],  // retries have their own tests
            timeout: 60)
        #expect(result.code == 0, "\(result)")

        let rows = try CrawlDatabase.urls(scratch.db)
        let origin = "http://\(server.hosts[0]):\(server.port)"
        let binary = rows[origin + "/special/binary.html"]
        #expect(binary?.state == "done" && binary?.status == 200, "binary page: \(String(describing: binary))")
        let refused = try #require(manifest.category("refused").first)
        #expect(rows[refused]?.state == "failed" && rows[refused]?.errorKind == "connect",
                "refused: \(String(describing: rows[refused]))")
        let dns = try #require(manifest.category("dns").first)
        #expect(rows[dns]?.state == "failed" && rows[dns]?.errorKind == "dns", "dns: \(String(describing: rows[dns]))")
        let slow = try #require(manifest.category("slow").first)
        #expect(rows[slow]?.state == "failed" && rows[slow]?.errorKind == "timeout", "slow: \(String(describing: rows[slow]))")

        // The rest: everything but robots.txt requested once; the link hidden in the binary page
        // never (it was not parsed); the link inside the malformed page was found. (The server logs
        // a request when it has answered: the slow one may not be logged yet.)
        let audit = CrawlAudit(server.requests())
        let once = manifest.requestedOnce.subtracting(manifest.category("robots")).union(manifest.category("disallowed"))
            .subtracting(manifest.category("slow"))
        CoverageChecks.expectRequests(
            audit, once: once, never: manifest.category("never").union(manifest.category("robots")),
            optional: manifest.category("slow"))
        #expect(audit.counts[origin + "/special/after-malformed.html"] == 1)
        let settled = rows.filter { !manifest.category("slow").contains($0.key) }
        CoverageChecks.expectRows(settled, manifest: manifest.withoutSlow(), robotsObeyed: false)
        CoverageChecks.expectBodies(rows, out: scratch.out, manifest: manifest)
    }

    /// With robots obeyed, an unreachable host's robots.txt fails (recorded on its host row) and
    /// its URLs are not fetched in this run; the other hosts are crawled in full and the run ends.
    @Test func unreachableHostsWithRobotsObeyedDoNotStopTheCrawl() async throws {
        let scratch = try ScratchDirectory("unreachable")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 56, pages: 16, images: 4), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)

        let result = try await crawl.run(
            ["start", server.seed] + server.allowOtherHosts
                + ["--allow-host", manifest.refusedHost, "--allow-host", manifest.dnsHost,
                   "--db", scratch.db, "--out", scratch.out, "--delay", "0"],
            timeout: 60)
        #expect(result.code == 0, "\(result)")

        let audit = CrawlAudit(server.requests())
        CoverageChecks.expectRequests(
            audit, once: manifest.requestedOnce, never: manifest.category("disallowed").union(manifest.category("never")))
        let hosts = try CrawlDatabase.hosts(scratch.db)
        let refusedOrigin = "http://\(manifest.refusedHost):\(manifest.port)"
        let dnsOrigin = "http://\(manifest.dnsHost)"
        #expect(hosts[refusedOrigin]?.robotsError?.contains("connect") == true, "\(String(describing: hosts[refusedOrigin]))")
        #expect(hosts[dnsOrigin]?.robotsError?.contains("dns") == true, "\(String(describing: hosts[dnsOrigin]))")
        let rows = try CrawlDatabase.urls(scratch.db)
        for url in manifest.category("refused").union(manifest.category("dns")) {
            #expect(rows[url] != nil && rows[url]?.state != "done" && rows[url]?.state != "in_flight",
                    "\(url): \(rows[url]?.state ?? "no row") after the run ended")
        }
        let served = rows.filter { row in manifest.origins.contains { row.key.hasPrefix($0 + "/") } }
        CoverageChecks.expectRows(served, manifest: manifest)
        CoverageChecks.expectBodies(rows, out: scratch.out, manifest: manifest)
    }
}
