import Foundation
import Testing

@testable import CrawlCore

/// A capturing fetcher (for WARC): the exchange as it went over the wire, and the body decoded by
/// the fetcher itself with the same limits as curl's decoding.
@Suite("Fetcher capture mode")
struct FetcherCaptureTests {
    let server: LoopbackHTTPServer

    init() throws {
        server = try LoopbackHTTPServer()
    }

    private func makeFetcher(maxBody: Int = 50 << 20) throws -> Fetcher {
        var configuration = FetcherConfiguration(userAgent: "crawl-test/1.0")
        configuration.connectTimeout = 5
        configuration.timeout = 10
        configuration.maxBodyBytes = maxBody
        configuration.capturesExchange = true
        return try Fetcher(configuration: configuration)
    }

    private func fetch(_ fetcher: Fetcher, _ path: String, headers: [String] = []) async -> FetchResponse {
        var request = FetchRequest(url: server.baseURL + path)
        request.headers = headers
        return await fetcher.fetch(request)
    }

    private func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    @Test func plainResponseKeepsBothHeadsAndOneCopyOfTheBody() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let before = MonotonicClock.wallNow
        let response = await fetch(fetcher, "/ok", headers: ["If-None-Match: \"x\""])
        #expect(response.error == nil)
        #expect(text(response.body) == LoopbackHTTPServer.okBody)
        let exchange = try #require(response.exchange)
        #expect(exchange.rawBody == nil, "identity body: the decoded body is the raw one")
        let request = text(exchange.requestHead)
        #expect(request.hasPrefix("GET /ok HTTP/1.1\r\n"))
        #expect(request.hasSuffix("\r\n\r\n"))
        #expect(request.contains("\r\nUser-Agent: crawl-test/1.0\r\n"))
        #expect(request.contains("\r\nAccept-Encoding: gzip, deflate\r\n"), "capture mode asks only for what it decodes: \(request)")
        #expect(request.contains("\r\nIf-None-Match: \"x\"\r\n"))
        let head = text(exchange.responseHead)
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n"))
        #expect(head.hasSuffix("\r\n\r\n"))
        #expect(head.contains("ETag: \"abc123\"\r\n"))
        #expect(exchange.sentAt >= before - 1 && exchange.sentAt <= MonotonicClock.wallNow + 1)
        #expect(response.etag == "\"abc123\"" && response.contentType == "text/html; charset=utf-8")
    }

    @Test func chunkedGzipIsKeptAsReceivedAndDecodedForTheCrawl() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/chunked-gzip")
        #expect(response.error == nil)
        #expect(text(response.body) == LoopbackHTTPServer.gzipPlainText)
        let exchange = try #require(response.exchange)
        #expect(exchange.rawBody == LoopbackHTTPServer.chunkedGzipHello, "chunk framing and trailer kept as received")
        #expect(text(exchange.responseHead).contains("Transfer-Encoding: chunked\r\n"))
        #expect(!text(exchange.responseHead).contains("X-Trailer"), "trailers are part of the raw body, not the head")
    }

    @Test(arguments: ["/deflate-zlib", "/deflate-raw"])
    func deflateWithAndWithoutTheZlibWrapperDecodes(path: String) async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, path)
        #expect(response.error == nil)
        #expect(text(response.body) == LoopbackHTTPServer.deflatePlainText)
        let expected = path == "/deflate-raw" ? LoopbackHTTPServer.deflateRaw : LoopbackHTTPServer.deflateZlib
        #expect(response.exchange?.rawBody == expected)
    }

    @Test func decodedSizeLimitHoldsAgainstABomb() async throws {
        let fetcher = try makeFetcher(maxBody: 64 * 1024)
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/bomb")
        #expect(response.error == .tooLarge(limit: 64 * 1024))
        #expect(response.body.isEmpty && response.exchange == nil)
        let exact = try makeFetcher(maxBody: LoopbackHTTPServer.gzipPlainText.utf8.count)
        defer { exact.shutdown() }
        #expect(await fetch(exact, "/gzip").error == nil, "a body decoding to exactly the limit is accepted")
        let tight = try makeFetcher(maxBody: LoopbackHTTPServer.gzipPlainText.utf8.count - 1)
        defer { tight.shutdown() }
        #expect(await fetch(tight, "/gzip").error?.kind == "too_large")
    }

    @Test(arguments: ["/large-declared", "/large-undeclared"])
    func identityBodyOverTheLimitIsTooLarge(path: String) async throws {
        let fetcher = try makeFetcher(maxBody: 64 * 1024)
        defer { fetcher.shutdown() }
        #expect(await fetch(fetcher, path).error == .tooLarge(limit: 64 * 1024))
    }

    @Test func unknownContentEncodingIsADecodeError() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let response = await fetch(fetcher, "/brotli")
        #expect(response.error?.kind == "decode")
        #expect(response.status == 200)
        #expect(response.exchange == nil)
    }

    @Test func redirectsAndErrorsAreCapturedToo() async throws {
        let fetcher = try makeFetcher()
        defer { fetcher.shutdown() }
        let redirect = await fetch(fetcher, "/redirect")
        #expect(redirect.status == 301 && redirect.location == server.baseURL + "/ok")
        #expect(text(redirect.exchange?.responseHead).contains("Location: /ok\r\n") == true)
        let missing = await fetch(fetcher, "/missing")
        #expect(missing.status == 404 && text(missing.exchange?.responseHead).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(text(missing.body) == "not found")
    }
}
