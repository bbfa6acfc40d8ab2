import Foundation
import Testing

/// 429 and 503: Retry-After closes the whole host until then (delta-seconds or HTTP-date);
/// without it the host backs off exponentially; other hosts go on at their own pace.
@Suite("crawl: 429, 503 and Retry-After")
struct ThrottleTests {
    /// The requests to a host that started after `answer` was sent, none of them before `until`.
    static func expectClosed(_ requests: [PoliteRequest], after answer: PoliteRequest, until: Double, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let later = requests.filter { $0.t0 > answer.t0 }
        #expect(!later.isEmpty, "\(what): nothing requested after the \(answer.status)", sourceLocation: sourceLocation)
        let early = later.filter { $0.t0 < until }
        #expect(early.isEmpty, """
            \(what): \(early.count) requests started \(String(format: "%.3f", until - (early.first?.t0 ?? until))) s \
            before the host reopened (the \(answer.status) was answered at \(String(format: "%.3f", answer.readAt))):
            \(requests.listing)
            """, sourceLocation: sourceLocation)
    }

    @Test func retryAfterClosesTheWholeHostAndTheURLIsRetriedNoEarlier() async throws {
        let (healthy, seconds, date) = ("127.0.0.115", "127.0.0.116", "127.0.0.117")
        let healthyPages = (1...8).map { "/f\($0).html" }
        var scenario = PoliteScenario()
        scenario[healthy, "/"] = .page(healthyPages
            + ["/a.html", "/a2.html", "/a3.html"].map { "http://\(seconds):{port}\($0)" }
            + ["/c.html", "/c2.html"].map { "http://\(date):{port}\($0)" })
        for page in healthyPages { scenario[healthy, page] = .page() }
        scenario[seconds, "/a.html"] = PoliteRoute(body: "ok", failFirst: 1, fail: PoliteFailure(status: 429, headers: ["Retry-After": "2"]))
        scenario[seconds, "/a2.html"] = .page()
        scenario[seconds, "/a3.html"] = .page()
        scenario[date, "/c.html"] = PoliteRoute(body: "ok", failFirst: 1, fail: PoliteFailure(status: 503, headers: ["Retry-After": "{date+4}"]))
        scenario[date, "/c2.html"] = .page()
        try await PoliteCrawl.with("retry-after", hosts: [healthy, seconds, date], scenario: scenario) { world in
            let result = try await world.start(["--per-host", "1", "--retries", "3"], timeout: 60)
            #expect(result.code == 0, "\(result)")
            let rows = try world.rows()

            let onSeconds = world.server.requests(on: seconds)
            let throttled = try #require(onSeconds.first { $0.status == 429 }, "no 429 answered:\n\(onSeconds.listing)")
            #expect(throttled.target == "/a.html")
            Self.expectClosed(onSeconds, after: throttled, until: throttled.readAt + 2, "Retry-After: 2")
            #expect(onSeconds.to("/a.html").count == 2, "\(onSeconds.listing)")
            #expect(rows[world.url("/a.html", on: seconds)]?.state == "done")

            let onDate = world.server.requests(on: date)
            let unavailable = try #require(onDate.first { $0.status == 503 }, "no 503 answered:\n\(onDate.listing)")
            // The HTTP-date has whole seconds: it names floor(t0 + 4).
            Self.expectClosed(onDate, after: unavailable, until: (unavailable.t0 + 4).rounded(.down), "Retry-After: HTTP-date")
            #expect(onDate.to("/c.html").count == 2, "\(onDate.listing)")
            #expect(rows[world.url("/c.html", on: date)]?.state == "done")

            // The healthy host was crawled at its own pace meanwhile.
            let onHealthy = world.server.requests(on: healthy)
            #expect(onHealthy.count == 10, "\(onHealthy.listing)")
            let widest = onHealthy.startGaps.map(\.gap).max() ?? 0
            #expect(widest < 0.5, "the healthy host had a gap of \(widest) s between requests:\n\(onHealthy.listing)")
        }
    }

    /// Without Retry-After: each 503 in a row doubles the pause before the host's next request
    /// (1 s, 2 s, 4 s); successes halve it again. The streak and backoff are kept on the host row.
    @Test func withoutRetryAfterTheHostBacksOffExponentiallyAndRecovers() async throws {
        let (healthy, backingOff, failing) = ("127.0.0.120", "127.0.0.118", "127.0.0.119")
        let healthyPages = (1...8).map { "/h\($0).html" }
        let failingPages = ["/d1.html", "/d2.html", "/d3.html"]
        let recoveringPages = ["/d4.html", "/d5.html", "/d6.html", "/d7.html"]
        var scenario = PoliteScenario()
        scenario[healthy, "/"] = .page(healthyPages
            + (failingPages + recoveringPages).map { "http://\(backingOff):{port}\($0)" }
            + ["/e1.html", "/e2.html"].map { "http://\(failing):{port}\($0)" })
        for page in healthyPages { scenario[healthy, page] = .page() }
        for page in failingPages { scenario[backingOff, page] = .status(503) }
        for page in recoveringPages { scenario[backingOff, page] = .page() }
        scenario[failing, "/e1.html"] = .status(500)
        scenario[failing, "/e2.html"] = .status(500)
        try await PoliteCrawl.with("backoff", hosts: [healthy, backingOff, failing], scenario: scenario) { world in
            let result = try await world.start(["--per-host", "1", "--retries", "0"], timeout: 60)
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests(on: backingOff).filter { !$0.isRobots }
            #expect(requests.map(\.target) == failingPages + recoveringPages, "\(requests.listing)")
            // Pause after each 503 in a row: 1 s, 2 s, 4 s (the first step is 0.5 s doubled per failure).
            for (index, pause) in [1.0, 2, 4].enumerated() where index + 1 < requests.count {
                let waited = requests[index + 1].t0 - requests[index].readAt
                #expect(waited >= pause, "after \(requests[index].target) (\(requests[index].status)): \(waited) s, not \(pause) s")
                #expect(requests[index + 1].t0 - requests[index].t1 < pause * 1.5 + 0.5, "after \(requests[index].target): \(waited) s, far beyond \(pause) s")
            }
            // Successes halve it again: the last pause is short.
            if let last = requests.startGaps.last {
                #expect(last.gap < 1.6, "after three successes the host still waits \(last.gap) s:\n\(requests.listing)")
            }
            let hosts = try CrawlDatabase.hostPoliteness(world.scratch.db)
            let recovered = hosts[world.server.origin(backingOff)]
            #expect(recovered?.errorStreak == 0 && recovered?.backoffMS == 0, "after four successes: \(String(describing: recovered))")
            let stillFailing = hosts[world.server.origin(failing)]
            #expect(stillFailing?.errorStreak == 2 && (stillFailing?.backoffMS ?? 0) >= 2000,
                    "after two 500s: \(String(describing: stillFailing))")
            let onHealthy = world.server.requests(on: healthy)
            let widest = onHealthy.startGaps.map(\.gap).max() ?? 0
            #expect(onHealthy.count == 10 && widest < 0.5, "the healthy host was slowed (gap \(widest) s):\n\(onHealthy.listing)")
        }
    }

    /// A Retry-After beyond the five minutes a run waits: the run ends, the URL stays queued with
    /// its next attempt no earlier than asked, and the host's other URLs wait too.
    @Test func retryAfterBeyondFiveMinutesLeavesTheHostForALaterRun() async throws {
        let host = "127.0.0.116"
        var scenario = PoliteScenario()
        scenario[host, "/"] = .page(["/later.html", "/later2.html"])
        scenario[host, "/later.html"] = .status(503, headers: ["Retry-After": "3600"])
        scenario[host, "/later2.html"] = .page()
        try await PoliteCrawl.with("retry-after-later", hosts: [host], scenario: scenario) { world in
            let result = try await world.start(["--per-host", "1"], timeout: 15)
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            #expect(requests.map(\.target) == ["/robots.txt", "/", "/later.html"], "\(requests.listing)")
            let answered = try #require(requests.last).readAt
            let schedule = try CrawlDatabase.schedule(world.scratch.db)
            let later = schedule[world.url("/later.html")]
            #expect(later?.state == "queued" && later?.attempts == 1, "\(String(describing: later))")
            #expect((later?.nextAttemptAt ?? 0) >= answered + 3600, "next attempt \(String(describing: later?.nextAttemptAt)), answered \(answered)")
            #expect(schedule[world.url("/later2.html")]?.state == "queued")
            #expect(try RunChecks.endReasons(world.scratch.db) == ["drained"])
        }
    }
}
