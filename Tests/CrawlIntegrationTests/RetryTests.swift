import Foundation
import Testing

/// Transient failures are retried `--retries` times with exponential backoff and jitter (the run
/// waits for them); permanent ones are not retried.
@Suite("crawl: retries")
struct RetryTests {
    /// 500, 500, 500, then 200 with the default --retries 3: four requests, the waits between them
    /// about 1–1.5 s, 2–3 s and 4–6 s, and the run waits for them.
    @Test func transientFailuresAreRetriedWithExponentialBackoff() async throws {
        let (seedHost, flakyHost) = ("127.0.0.103", "127.0.0.104")
        var scenario = PoliteScenario()
        scenario[seedHost, "/"] = .page(["http://\(flakyHost):{port}/flaky.html"])
        scenario[flakyHost, "/flaky.html"] = PoliteRoute(body: "finally", failFirst: 3, fail: PoliteFailure(status: 500))
        try await PoliteCrawl.with("retry-backoff", hosts: [seedHost, flakyHost], scenario: scenario) { world in
            let result = try await world.start(timeout: 60)
            #expect(result.code == 0, "\(result)")
            let attempts = world.server.requests(on: flakyHost).to("/flaky.html")
            #expect(attempts.map(\.status) == [500, 500, 500, 200], "\(attempts.listing)")
            let windows: [ClosedRange<Double>] = [1...1.5, 2...3, 4...6]
            for (index, window) in windows.enumerated() where index + 1 < attempts.count {
                let waited = attempts[index + 1].t0 - attempts[index].readAt
                #expect(waited >= window.lowerBound && attempts[index + 1].t0 - attempts[index].t1 <= window.upperBound + 0.5,
                        "retry \(index + 1) after \(String(format: "%.3f", waited)) s, not \(window)")
            }
            let row = try world.rows()[world.url("/flaky.html", on: flakyHost)]
            #expect(row?.state == "done" && row?.status == 200, "\(String(describing: row))")
            #expect(try CrawlDatabase.schedule(world.scratch.db)[world.url("/flaky.html", on: flakyHost)]?.attempts == 4)
        }
    }

    /// --retries 1: a reset, a 500, a 429 and a timeout are each tried twice, then failed; 404,
    /// 403, 410 and a body over --max-body once. One failing URL per host, so that host backoff
    /// stays short; the reset's host closes the connection after robots.txt, so that each attempt
    /// is the first request on a fresh connection (libcurl silently re-sends a request whose
    /// reused connection dies before any answer: that would be a third request, not a retry).
    @Test func retriesAreCountedAndPermanentFailuresAreNotRetried() async throws {
        let hosts = ["127.0.0.105", "127.0.0.106", "127.0.0.107", "127.0.0.108", "127.0.0.109"]
        let transient: [(host: String, path: String, route: PoliteRoute, kind: String)] = [
            (hosts[1], "/reset.html", PoliteRoute(action: "reset"), "reset"),
            (hosts[2], "/error.html", .status(500), "http_500"),
            (hosts[3], "/busy.html", .status(429), "http_429"),
            (hosts[4], "/slow.html", PoliteRoute(body: "late", delay: 2.5), "timeout"),
        ]
        let permanent: [(path: String, route: PoliteRoute, kind: String)] = [
            ("/missing.html", .status(404), "http_404"),
            ("/forbidden.html", .status(403), "http_403"),
            ("/gone.html", .status(410), "http_410"),
            ("/big.html", PoliteRoute(body: String(repeating: "x", count: 5000)), "too_large"),
        ]
        var scenario = PoliteScenario()
        scenario[hosts[0], "/"] = .page(transient.map { "http://\($0.host):{port}\($0.path)" } + permanent.map(\.path))
        for entry in transient { scenario[entry.host, entry.path] = entry.route }
        for entry in permanent { scenario[hosts[0], entry.path] = entry.route }
        scenario[hosts[1], "/robots.txt"] = PoliteRoute(status: 404, headers: ["Connection": "close"], body: "")
        try await PoliteCrawl.with("retry-count", hosts: hosts, scenario: scenario) { world in
            // quiet: the slow answers are logged 2.5 s after they were given up on.
            let result = try await world.start(["--retries", "1", "--timeout", "1", "--max-body", "1000"], timeout: 60, quiet: 2)
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            let rows = try world.rows()
            let schedule = try CrawlDatabase.schedule(world.scratch.db)
            for entry in transient {
                let url = world.url(entry.path, on: entry.host)
                let sent = requests.filter { $0.addr == entry.host && $0.target == entry.path }
                #expect(sent.count == 2, "\(entry.kind): requested \(sent.count) times with --retries 1:\n\(sent.listing)")
                #expect(rows[url]?.state == "failed" && rows[url]?.errorKind == entry.kind, "\(entry.kind): \(String(describing: rows[url]))")
                #expect(schedule[url]?.attempts == 2)
            }
            for entry in permanent {
                let url = world.url(entry.path)
                let count = requests.filter { $0.addr == hosts[0] && $0.target == entry.path }.count
                #expect(count == 1, "\(entry.kind): requested \(count) times (a permanent failure)")
                #expect(rows[url]?.state == "failed" && rows[url]?.errorKind == entry.kind, "\(entry.kind): \(String(describing: rows[url]))")
            }
        }
    }
}
