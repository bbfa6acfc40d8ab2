import Foundation
import Testing

/// One politeness test's world: a scratch directory, a polite_server.py on `hosts`, and a
/// crawl runner. The first host is the seed's.
struct PoliteCrawl {
    let scratch: ScratchDirectory
    let server: PoliteServer
    let crawl: CrawlRunner

    /// Sets up, runs `body`, then stops the server and removes the scratch directory.
    static func with(_ name: String, hosts: [String], scenario: PoliteScenario,
                     _ body: (PoliteCrawl) async throws -> Void) async throws {
        let scratch = try ScratchDirectory(name)
        defer { scratch.remove() }
        let server = try await PoliteServer(hosts: hosts, scenario: scenario, in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)
        try await body(PoliteCrawl(scratch: scratch, server: server, crawl: crawl))
    }

    var seedHost: String { server.hosts[0] }
    var seed: String { server.origin(seedHost) + "/" }

    /// The absolute URL of `path` on `host` (the seed's host by default).
    func url(_ path: String, on host: String? = nil) -> String {
        server.origin(host ?? seedHost) + path
    }

    /// `crawl start` from the seed, scoped to every served host, with short timeouts and a small
    /// delay (`extra` comes last, so it may repeat an option to override it); then waits for the
    /// server's log to settle (`quiet`: longer than any answer still being delayed at exit).
    func start(_ extra: [String] = [], timeout: Double = 60, quiet: Double = 0.2) async throws -> CommandResult {
        let result = try await crawl.run(
            ["start", seed] + server.allow(Array(server.hosts.dropFirst()))
                + ["--db", scratch.db, "--out", scratch.out, "--timeout", "2", "--delay", "0.05", "--concurrency", "8"] + extra,
            timeout: timeout)
        await server.settle(quiet: quiet)
        return result
    }

    /// `crawl resume` with `extra`; then waits for the server's log to settle.
    func resume(_ extra: [String] = [], timeout: Double = 60) async throws -> CommandResult {
        let result = try await crawl.run(["resume", "--db", scratch.db] + extra, timeout: timeout)
        await server.settle()
        return result
    }

    func rows() throws -> [String: URLRow] { try CrawlDatabase.urls(scratch.db) }

    /// `crawl stats --json --hosts`, parsed.
    func stats() async throws -> [String: Any] {
        let result = try await crawl.run(["stats", "--db", scratch.db, "--json", "--hosts"], timeout: 30)
        guard result.code == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw SetupError("crawl stats --json --hosts failed: \(result)")
        }
        return object
    }

    /// The `robots` column of `crawl stats --hosts` for each origin.
    func robotsColumn() async throws -> [String: String] {
        let table = try await stats()["host_table"] as? [[String: Any]] ?? []
        var column: [String: String] = [:]
        for host in table {
            if let origin = host["origin"] as? String { column[origin] = host["robots"] as? String ?? "?" }
        }
        return column
    }
}

/// Checks shared by the politeness tests.
enum PoliteChecks {
    /// Every gap between consecutive request starts in `requests` is at least `spacing` seconds
    /// (no slack: the crawler keeps a margin of its own).
    static func expectSpacing(_ requests: [PoliteRequest], atLeast spacing: Double, _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let short = requests.startGaps.filter { $0.gap < spacing }
        #expect(short.isEmpty, """
            \(what): \(short.count) request starts closer than \(spacing) s: \
            \(short.prefix(5).map { String(format: "%.3f s %@ → %@", $0.gap, $0.from.target, $0.to.target) })
            \(requests.listing)
            """, sourceLocation: sourceLocation)
    }
}
