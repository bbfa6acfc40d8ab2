import Foundation
import Testing

@testable import CrawlCore

@Suite("Fetcher against a loopback server")
struct FetcherTests {
    let server: LoopbackHTTPServer

    init() throws {
        server = try LoopbackHTTPServer()
    }

    private func makeFetcher(_ adjust: (inout FetcherConfiguration) -> Void = { _ in }) throws -> Fetcher {
        var configuration = FetcherConfiguration(userAgent: "crawl-test/1.0")
        configuration.connectTimeout = 5
        configuration.timeout = 10
        adjust(&configuration)
        return try Fetcher(configuration: configuration)
    }

    private func fetch(_ fetcher: Fetcher, _ path: String, headers: [String] = []) async -> FetchResponse {
        var request = FetchRequest(url: server.baseURL + path)
        request.headers = headers
        return await fetcher.fetch(request)
    }

    @Test func okResponseCarriesBodyAndHeaders() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/ok")
        #expect(response.error == nil)
        #expect(response.status == 200)
        #expect(response.url == server.baseURL + "/ok")
        #expect(String(decoding: response.body, as: UTF8.self) == LoopbackHTTPServer.okBody)
        #expect(response.contentType == "text/html; charset=utf-8")
        #expect(response.etag == "\"abc123\"")
        #expect(response.lastModified == "Wed, 21 Oct 2015 07:28:00 GMT")
        #expect(response.retryAfter == nil)
        #expect(response.location == nil)
        #expect(response.primaryIP == "127.0.0.1")
        #expect(response.totalSeconds > 0)
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let missing = await fetch(fetcher, "/missing")
        #expect(missing.error == nil)
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == "not found")

        let busy = await fetch(fetcher, "/busy")
        #expect(busy.error == nil)
        #expect(busy.status == 503)
        #expect(busy.retryAfter == "120")
    }

    @Test func redirectIsReportedAndNotFollowed() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/redirect")
        #expect(response.error == nil)
        #expect(response.status == 301)
        #expect(response.location == server.baseURL + "/ok")
        #expect(response.body.count == 0)
        #expect(server.requestsServed.load(ordering: .relaxed) == 1)
    }

    @Test func gzipBodyIsDecoded() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/gzip")
        #expect(response.error == nil)
        #expect(String(decoding: response.body, as: UTF8.self) == LoopbackHTTPServer.gzipPlainText)
        #expect(response.contentType == "text/plain")
    }

    @Test func requestHeadersAreSentAndNotLeakedIntoReusedHandles() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let first = String(decoding: await fetch(fetcher, "/echo", headers: ["X-Crawl-Test: 1"]).body, as: UTF8.self)
        #expect(first.contains("X-Crawl-Test: 1"))
        #expect(first.contains("User-Agent: crawl-test/1.0"))
        for encoding in ["gzip", "deflate", "br", "zstd"] {
            #expect(first.contains(encoding), "Accept-Encoding lacks \(encoding)")
        }
        let second = String(decoding: await fetch(fetcher, "/echo").body, as: UTF8.self)
        #expect(second.hasPrefix("GET /echo HTTP/1.1"))
        #expect(!second.contains("X-Crawl-Test"))
    }

    @Test func bodyAtTheLimitIsAcceptedAndOneByteMoreIsNot() async throws {
        let exact = try makeFetcher { $0.maxBodyBytes = LoopbackHTTPServer.okBody.utf8.count }
        defer { exact.shutdown() }
        #expect(await fetch(exact, "/ok").error == nil)

        let tight = try makeFetcher { $0.maxBodyBytes = LoopbackHTTPServer.okBody.utf8.count - 1 }
        defer { tight.shutdown() }
        #expect(await fetch(tight, "/ok").error == .tooLarge(limit: LoopbackHTTPServer.okBody.utf8.count - 1))
    }

    @Test(arguments: ["/large-declared", "/large-undeclared", "/bomb"])
    func bodyOverTheLimitIsTooLarge(path: String) async throws {
        let fetcher = try makeFetcher { $0.maxBodyBytes = 64 * 1024 }
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, path)
        #expect(response.error == .tooLarge(limit: 64 * 1024))
        #expect(response.error?.kind == "too_large")
        #expect(response.body.count == 0)
        #expect(response.status == 200)
    }

    /// Broken framing is told apart from a broken connection: a malformed chunk size is the
    /// server speaking bad HTTP (`protocol`), a body shorter than its Content-Length is a
    /// connection that ended early (`reset`).
    @Test(arguments: [("/bad-chunked", "protocol"), ("/short", "reset")])
    func brokenFramingHasItsOwnKind(path: String, kind: String) async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, path)
        #expect(response.error?.kind == kind, "\(String(describing: response.error))")
        #expect(response.body.isEmpty)
    }

    @Test func connectionRefusedIsConnect() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let port = try LoopbackHTTPServer.closedPort()
        let response = await fetcher.fetch(FetchRequest(url: "http://127.0.0.1:\(port)/"))
        #expect(response.error?.kind == "connect")
        #expect(response.status == 0)
    }

    @Test func silentServerTimesOutWithinTheConfiguredTimeout() async throws {
        let fetcher = try makeFetcher { $0.timeout = 1 }
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/hang")
        #expect(response.error?.kind == "timeout")
        // curl's own clock: a task's clock would also count the time this test waited for a
        // thread of a cooperative pool that other tests keep busy.
        #expect(response.totalSeconds >= 0.9)
        #expect(response.totalSeconds < 15, "gave up after \(response.totalSeconds) s")
    }

    @Test func unknownHostIsDNS() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetcher.fetch(FetchRequest(url: "http://nonexistent.invalid/"))
        #expect(response.error?.kind == "dns")
    }

    @Test(arguments: ["ftp://127.0.0.1/", "file:///etc/hostname", "dict://127.0.0.1/"])
    func nonHTTPSchemesAreBlocked(url: String) async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetcher.fetch(FetchRequest(url: url))
        #expect(response.error?.kind == "blocked_scheme")
    }

    @Test func sequentialFetchesReuseOneConnection() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        for _ in 0..<20 {
            #expect(await fetch(fetcher, "/ok").status == 200)
        }
        #expect(server.acceptedConnections.load(ordering: .relaxed) == 1)
        #expect(fetcher.connectionsOpened == 1)
    }

    @Test func hundredConcurrentFetchesShareAFewConnections() async throws {
        let fetcher = try makeFetcher {
            $0.maxConnections = 8
            $0.maxConnectionsPerHost = 8
        }
        defer { fetcher.shutdown() }
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask { await fetch(fetcher, index.isMultiple(of: 2) ? "/ok" : "/gzip").status }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 100))
        let accepted = server.acceptedConnections.load(ordering: .relaxed)
        #expect(accepted >= 1 && accepted <= 8)
        #expect(fetcher.connectionsOpened == accepted)
        #expect(server.requestsServed.load(ordering: .relaxed) == 100)
        #expect(fetcher.inFlightCount == 0)
    }
}

// MARK: - Cancellation and shutdown

extension FetcherTests {
    /// Polls `condition` every 10 ms for up to 5 s.
    /// Polls `condition` for up to 30 s (generous: with the whole suite running, a loaded
    /// machine can take seconds to schedule the test server's threads).
    private func eventually(_ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func cancellingARunningFetchReturnsCancelledAndFreesTheTransfer() async throws {
        let fetcher = try makeFetcher { $0.timeout = 30 }
        defer { fetcher.shutdown() }
        let task = Task { await fetch(fetcher, "/hang") }
        #expect(try await eventually { server.requestsServed.load(ordering: .relaxed) == 1 })
        let clock = ContinuousClock()
        let start = clock.now
        task.cancel()
        let response = await task.value
        #expect(response.error == .cancelled)
        #expect(response.error?.kind == "cancelled")
        #expect(clock.now - start < .seconds(10))  // returned, did not hang
        #expect(fetcher.inFlightCount == 0)
        // curl dropped the hung connection, so the server sees it close.
        #expect(try await eventually { server.openConnections == 0 })
        // The loop keeps working after a cancellation.
        #expect(await fetch(fetcher, "/ok").status == 200)
    }

    @Test func fetchInAnAlreadyCancelledTaskNeverStarts() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let task = Task {
            try? await Task.sleep(for: .seconds(60))  // returns early once cancelled
            return await fetch(fetcher, "/ok")
        }
        task.cancel()
        #expect(await task.value.error == .cancelled)
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.requestsServed.load(ordering: .relaxed) == 0)
    }

    @Test func shutdownCancelsInFlightFetchesAndIsIdempotent() async throws {
        let fetcher = try makeFetcher { $0.timeout = 30 }
        let tasks = (0..<4).map { _ in Task { await fetch(fetcher, "/hang") } }
        #expect(try await eventually { server.requestsServed.load(ordering: .relaxed) == 4 })
        #expect(fetcher.inFlightCount == 4)
        fetcher.shutdown()
        for task in tasks {
            #expect(await task.value.error == .cancelled)
        }
        fetcher.shutdown()
        #expect(await fetch(fetcher, "/ok").error == .cancelled)
        #expect(fetcher.inFlightCount == 0)
        #expect(try await eventually { server.openConnections == 0 })
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["CRAWL_FETCH_PERF"] != nil))
    func loopbackThroughput() async throws {
        let fetcher = try makeFetcher {
            $0.maxConnections = 32
            $0.maxConnectionsPerHost = 32
        }
        defer { fetcher.shutdown() }
        let total = 5000
        let concurrency = 32
        let clock = ContinuousClock()
        let start = clock.now
        let succeeded = await withTaskGroup(of: Bool.self) { group in
            var started = 0
            var succeeded = 0
            while started < min(concurrency, total) {
                group.addTask { await fetch(fetcher, "/ok").status == 200 }
                started += 1
            }
            for await ok in group {
                if ok { succeeded += 1 }
                if started < total {
                    group.addTask { await fetch(fetcher, "/ok").status == 200 }
                    started += 1
                }
            }
            return succeeded
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("loopback throughput: \(total) GETs, \(concurrency) concurrent, \(String(format: "%.2f", seconds)) s,"
            + " \(Int(Double(total) / seconds)) req/s, \(fetcher.connectionsOpened) connections")
        #expect(succeeded == total)
        #expect(fetcher.connectionsOpened <= concurrency)
    }
}
