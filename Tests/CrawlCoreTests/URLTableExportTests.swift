import Foundation
import Testing

@testable import CrawlCore

@Suite("crawl export: the URL table")
struct URLTableExportTests {
    /// A job on `http://a.test/` whose seed is claimed and handed to `record` (with the host's id)
    /// to record what the test needs; then `body` reads the database at its path, the store closed.
    func withSeedJob(
        record: (SQLiteJobStore, Int64, ClaimedURL) async throws -> Void, _ body: (String) throws -> Void
    ) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path + "/job.db"
        let store = try await SQLiteJobStore(path: path, mode: .create)
        _ = try await store.createJob(seeds: [makeURL("http://a.test/")], settings: CrawlSettings())
        let host = try await store.hosts()[0].id
        let seed = try await store.claim([ClaimRequest(hostID: host, limit: 1)], now: 0)[0]
        try await record(store, host, seed)
        await store.close()
        try body(path)
    }

    /// A job whose seed is done and links to a page whose error text needs quoting.
    func withJob(_ body: (String) throws -> Void) async throws {
        try await withSeedJob(record: { store, host, seed in
            var done = URLResult(urlID: seed.id, hostID: host, state: .done)
            done.fetched = true
            done.status = 200
            done.bytes = 12
            done.fetchedAt = 1_700_000_000.5
            done.links = [link("http://a.test/q?a=1&b=\"2\""), link("http://a.test/other")]
            var batch = ResultBatch()
            batch.results = [done]
            _ = try await store.record(batch)
            let page = try await store.claim([ClaimRequest(hostID: host, limit: 1)], now: 0)[0]
            var failed = URLResult(urlID: page.id, hostID: host, state: .failed)
            failed.fetched = true
            failed.errorKind = "other"
            failed.error = "bad, \"quoted\"\nsecond line"
            failed.fetchedAt = 1_700_000_001
            batch.results = [failed]
            _ = try await store.record(batch)
        }, body)
    }

    func run(_ export: URLTableExport, _ path: String) throws -> (text: String, rows: Int, writes: Int) {
        var output: [UInt8] = []
        var writes = 0
        let rows = try export.run(path: path) { chunk in
            output += chunk
            writes += 1
        }
        return (String(decoding: output, as: UTF8.self), rows, writes)
    }

    @Test func jsonLinesHoldEveryDefaultColumnWithTypes() async throws {
        try await withJob { path in
            let (text, rows, _) = try run(URLTableExport(format: .jsonl), path)
            #expect(rows == 3)
            let lines = text.split(separator: "\n")
            #expect(lines.count == 3 && text.hasSuffix("\n"))
            let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(objects.allSatisfy { Set($0.keys) == Set(URLTableExport.Field.defaults.map(\.rawValue)) })
            #expect(objects[0]["url"] as? String == "http://a.test/")
            #expect(objects[0]["status"] as? Int == 200 && objects[0]["depth"] as? Int == 0)
            #expect(objects[0]["fetched_at"] as? Double == 1_700_000_000.5)
            #expect(objects[0]["parent"] is NSNull && objects[0]["error"] is NSNull)
            #expect(objects[1]["parent"] as? String == "http://a.test/")
            #expect(objects[1]["url"] as? String == "http://a.test/q?a=1&b=%222%22")
            #expect(objects[1]["error"] as? String == "bad, \"quoted\"\nsecond line")
            #expect(objects[2]["state"] as? String == "queued")
        }
    }

    @Test func csvQuotesWhatNeedsQuotingAndFiltersByState() async throws {
        try await withJob { path in
            var export = URLTableExport(format: .csv)
            export.fields = [.url, .state, .fetchedAt, .error]
            export.states = [.failed, .done]
            let (text, rows, _) = try run(export, path)
            #expect(rows == 2)
            #expect(text == "url,state,fetched_at,error\r\nhttp://a.test/,done,1700000000.5,\r\n"
                    + "http://a.test/q?a=1&b=%222%22,failed,1700000001,\"bad, \"\"quoted\"\"\nsecond line\"\r\n")
        }
    }

    @Test func largeExportsAreWrittenInBoundedPieces() async throws {
        try await withSeedJob(record: { store, host, seed in
            var done = URLResult(urlID: seed.id, hostID: host, state: .done)
            done.links = (0..<5000).map { link("http://a.test/page/\($0)") }
            var batch = ResultBatch()
            batch.results = [done]
            _ = try await store.record(batch)
        }) { path in
            var largest = 0
            var lines = 0
            _ = try URLTableExport(format: .jsonl).run(path: path) { chunk in
                largest = max(largest, chunk.count)
                lines += chunk.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
            }
            #expect(lines == 5001)
            #expect(largest < 80 * 1024, "written about 64 KiB at a time, not all at once")
        }
    }
}
