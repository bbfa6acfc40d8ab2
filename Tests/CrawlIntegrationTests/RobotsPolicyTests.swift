import Foundation
import Testing

/// robots.txt as RFC 9309 asks: fetched first, large files parsed far enough, redirects followed,
/// 4xx = allow all, 5xx / 429 / network failure = nothing fetched, cached on the host row.
@Suite("crawl: robots.txt policy")
struct RobotsPolicyTests {
    /// `text` padded with "#" comment lines to exactly `size` bytes.
    static func padded(_ text: String, to size: Int) -> String {
        var result = text
        let line = String(repeating: "#", count: 63) + "\n"
        while result.utf8.count + line.utf8.count <= size { result += line }
        result += String(repeating: "#", count: max(0, size - result.utf8.count - 1))
        if result.utf8.count < size { result += "\n" }
        return result
    }

    @Test func rulesDeepInALargeRobotsTxtAreObeyed() async throws {
        let host = "127.0.0.103"
        let deepOffset = 510 * 1024
        let head = Self.padded("User-agent: *\nDisallow: /early/\n", to: deepOffset)
        let robots = Self.padded(head + "Disallow: /deep/\n", to: 600 * 1024)
        #expect(robots.utf8.count == 600 * 1024)
        var scenario = PoliteScenario()
        scenario[host, "/robots.txt"] = .robots(robots)
        scenario[host, "/"] = .page(["/early/a.html", "/deep/b.html", "/ok/c.html"])
        scenario[host, "/ok/c.html"] = .page()
        try await PoliteCrawl.with("robots-large", hosts: [host], scenario: scenario) { world in
            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            #expect(requests.first?.isRobots == true, "the first request was not robots.txt:\n\(requests.listing)")
            let counts = requests.countsByTarget
            #expect(counts["/robots.txt"] == 1 && counts["/"] == 1 && counts["/ok/c.html"] == 1, "\(requests.listing)")
            #expect(counts["/early/a.html"] == nil, "a path disallowed at the top of robots.txt was requested")
            #expect(counts["/deep/b.html"] == nil, "a path disallowed 510 KiB into robots.txt was requested")
            let rows = try world.rows()
            for path in ["/early/a.html", "/deep/b.html"] {
                let row = rows[world.url(path)]
                #expect(row?.state == "skipped" && row?.errorKind == "robots", "\(path): \(String(describing: row))")
            }
        }
    }

    @Test func robotsTxtRedirectsAreFollowedUpToFiveHops() async throws {
        let host = "127.0.0.104"
        var scenario = PoliteScenario()
        scenario[host, "/robots.txt"] = .redirect("/hop1.txt")
        scenario[host, "/hop1.txt"] = .redirect("{origin}/hop2.txt", status: 302)
        scenario[host, "/hop2.txt"] = .redirect("/hop3.txt", status: 307)
        scenario[host, "/hop3.txt"] = .redirect("hop4.txt", status: 308)
        scenario[host, "/hop4.txt"] = .redirect("/final/robots.txt", status: 303)
        scenario[host, "/final/robots.txt"] = .robots("User-agent: *\nDisallow: /secret/\n")
        scenario[host, "/"] = .page(["/secret/a.html", "/open.html"])
        scenario[host, "/open.html"] = .page()
        try await PoliteCrawl.with("robots-redirects", hosts: [host], scenario: scenario) { world in
            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            let counts = requests.countsByTarget
            for hop in ["/robots.txt", "/hop1.txt", "/hop2.txt", "/hop3.txt", "/hop4.txt", "/final/robots.txt"] {
                #expect(counts[hop] == 1, "\(hop) requested \(counts[hop] ?? 0) times:\n\(requests.listing)")
            }
            let firstPage = requests.firstIndex { $0.target == "/" } ?? -1
            let lastHop = requests.lastIndex { $0.target == "/final/robots.txt" } ?? Int.max
            #expect(firstPage > lastHop, "a page was requested before the robots.txt redirects were followed:\n\(requests.listing)")
            #expect(counts["/secret/a.html"] == nil, "a path disallowed by the redirected robots.txt was requested")
            #expect(counts["/open.html"] == 1)
            #expect(try world.rows()[world.url("/secret/a.html")]?.errorKind == "robots")
            #expect(try CrawlDatabase.hostPoliteness(world.scratch.db)[world.server.origin(host)]?.robotsState == "rules")
        }
    }

    /// 404 and 403 (a 4xx other than 429): no restrictions, whatever the body says.
    @Test func robotsTxtClientErrorsMeanAllowAll() async throws {
        let (notFound, forbidden) = ("127.0.0.105", "127.0.0.106")
        var scenario = PoliteScenario()
        scenario[notFound, "/robots.txt"] = .robots("User-agent: *\nDisallow: /\n", status: 404)
        scenario[forbidden, "/robots.txt"] = .robots("User-agent: *\nDisallow: /\n", status: 403)
        for host in [notFound, forbidden] {
            scenario[host, "/private/x.html"] = .page()
        }
        scenario[notFound, "/"] = .page(["/private/x.html", "http://\(forbidden):{port}/"])
        scenario[forbidden, "/"] = .page(["/private/x.html"])
        try await PoliteCrawl.with("robots-4xx", hosts: [notFound, forbidden], scenario: scenario) { world in
            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let politeness = try CrawlDatabase.hostPoliteness(world.scratch.db)
            for host in [notFound, forbidden] {
                let counts = world.server.requests(on: host).countsByTarget
                #expect(counts == ["/robots.txt": 1, "/": 1, "/private/x.html": 1], "\(host): \(counts)")
                #expect(politeness[world.server.origin(host)]?.robotsState == "allow_all")
                #expect(try world.rows()[world.url("/private/x.html", on: host)]?.state == "done")
            }
        }
    }

    /// 503, 429 and a connection reset on robots.txt: nothing else is requested on that host; the
    /// fetch is retried after 5 s and 10 s, then the host is deferred (its URLs stay queued) and
    /// the run ends. The healthy seed host is crawled meanwhile, unslowed.
    @Test func unavailableRobotsTxtClosesTheHostThenDefersIt() async throws {
        let healthy = "127.0.0.107"
        let failing = ["127.0.0.108": "503", "127.0.0.109": "429", "127.0.0.110": "reset"]
        var scenario = PoliteScenario()
        scenario[healthy, "/robots.txt"] = .robots("User-agent: *\nAllow: /\n")
        scenario[healthy, "/"] = .page(["/p1.html", "/p2.html", "/p3.html"]
            + failing.keys.sorted().flatMap { ["http://\($0):{port}/a.html", "http://\($0):{port}/b.html"] })
        for page in ["/p1.html", "/p2.html", "/p3.html"] { scenario[healthy, page] = .page() }
        for (host, how) in failing {
            scenario[host, "/robots.txt"] = how == "reset" ? PoliteRoute(action: "reset") : .status(Int(how)!)
            scenario[host, "/a.html"] = .page()
            scenario[host, "/b.html"] = .page()
        }
        let hosts = [healthy] + failing.keys.sorted()
        try await PoliteCrawl.with("robots-unavailable", hosts: hosts, scenario: scenario) { world in
            let result = try await world.start(timeout: 90)
            #expect(result.code == 0, "\(result)")
            #expect(try RunChecks.endReasons(world.scratch.db) == ["drained"])
            let rows = try world.rows()
            let robotsColumn = try await world.robotsColumn()
            var firstFailure = Double.infinity
            for (host, how) in failing.sorted(by: { $0.key < $1.key }) {
                let requests = world.server.requests(on: host)
                #expect(requests.allSatisfy { $0.isRobots }, "\(how): a URL was requested without robots.txt:\n\(requests.listing)")
                #expect(requests.count == 3, "\(how): robots.txt requested \(requests.count) times, not 3:\n\(requests.listing)")
                if requests.count >= 3 {
                    firstFailure = min(firstFailure, requests[0].t1)
                    let firstWait = requests[1].t0 - requests[0].readAt, secondWait = requests[2].t0 - requests[1].readAt
                    #expect(firstWait >= 5 && firstWait < 8, "\(how): first robots.txt retry after \(firstWait) s, not 5")
                    #expect(secondWait >= 10 && secondWait < 13, "\(how): second robots.txt retry after \(secondWait) s, not 10")
                }
                for path in ["/a.html", "/b.html"] {
                    let row = rows[world.url(path, on: host)]
                    #expect(row?.state == "queued", "\(how) \(path): \(String(describing: row)) (should stay queued for a later run)")
                }
                #expect(robotsColumn[world.server.origin(host)] == "disallow_all",
                        "\(how): crawl stats --hosts robots = \(robotsColumn[world.server.origin(host)] ?? "no row")")
            }
            let healthyRequests = world.server.requests(on: healthy)
            #expect(healthyRequests.count == 5, "\(healthyRequests.listing)")
            let lastHealthy = healthyRequests.map(\.t0).max() ?? 0
            #expect(lastHealthy < firstFailure + 5, "the healthy host waited for the failing hosts' robots.txt retries")
        }
    }

    /// A resume within the day reuses the robots.txt stored on the host row; once it is older than
    /// a day, it is fetched again (and its new rules apply).
    @Test func robotsTxtIsCachedOnTheHostRowForADay() async throws {
        let host = "127.0.0.111"
        let pages = (1...6).map { "/p\($0).html" }
        var scenario = PoliteScenario()
        scenario[host, "/robots.txt"] = .robots("User-agent: *\nDisallow: /no/\n")
        scenario[host, "/"] = .page(pages + ["/no/x.html"])
        for page in pages { scenario[host, page] = .page() }
        try await PoliteCrawl.with("robots-cache", hosts: [host], scenario: scenario) { world in
            let origin = world.server.origin(host)
            let first = try await world.start(["--max-fetches", "3"])
            #expect(first.code == 0, "\(first)")
            let fetchedAt = try #require(try CrawlDatabase.hostPoliteness(world.scratch.db)[origin]?.robotsFetchedAt)
            #expect(world.server.requests().to("/robots.txt").count == 1)

            let second = try await world.resume(["--max-fetches", "3"])
            #expect(second.code == 0, "\(second)")
            let afterSecond = world.server.requests()
            #expect(afterSecond.to("/robots.txt").count == 1, "robots.txt fetched again on a resume within the day:\n\(afterSecond.listing)")
            #expect(afterSecond.count == 6, "the resume fetched \(afterSecond.count - 3) URLs, not 3:\n\(afterSecond.listing)")
            #expect(try CrawlDatabase.hostPoliteness(world.scratch.db)[origin]?.robotsFetchedAt == fetchedAt)
            #expect(afterSecond.to("/no/x.html").isEmpty)

            // A day and an hour later, with new rules on the server.
            try CrawlDatabase.execute(world.scratch.db, "UPDATE hosts SET robots_fetched_at = robots_fetched_at - 90000")
            scenario[host, "/robots.txt"] = .robots("User-agent: *\nDisallow: /no/\nDisallow: /p6.html\n")
            try world.server.update(scenario)
            let third = try await world.resume()
            #expect(third.code == 0, "\(third)")
            let afterThird = world.server.requests()
            #expect(afterThird.to("/robots.txt").count == 2, "robots.txt older than a day was not fetched again:\n\(afterThird.listing)")
            #expect(afterThird.to("/p6.html").isEmpty, "the refreshed robots.txt was not obeyed")
            #expect(try world.rows()[world.url("/p6.html")]?.errorKind == "robots")
            let refreshed = try CrawlDatabase.hostPoliteness(world.scratch.db)[origin]?.robotsFetchedAt ?? 0
            #expect(refreshed > fetchedAt)
        }
    }
}
