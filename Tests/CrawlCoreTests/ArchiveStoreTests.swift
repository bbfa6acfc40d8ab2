import Foundation
import Testing

@testable import CrawlCore

/// What the store keeps of WARC records (migration 0005) and how it repairs after lost records.
@Suite("Store: archived records")
struct ArchiveStoreTests {
    func archived(_ file: String, offset: Int64, type: String = "response", digest: String = "sha1:AAAA") -> ArchivedRecord {
        ArchivedRecord(file: file, offset: offset, length: 100, groupEnd: offset + 150, type: type,
                       recordID: "<urn:uuid:\(file)-\(offset)>", date: 1000 + Double(offset), payloadDigest: digest)
    }

    func result(_ url: ClaimedURL, _ state: URLState, status: Int?, outcome: FetchOutcome, archived: ArchivedRecord?,
                links: [DiscoveredLink] = [], errorKind: String? = nil) -> URLResult {
        var result = URLResult(urlID: url.id, hostID: url.hostID, state: state)
        result.fetched = true
        result.status = status
        result.outcome = outcome
        result.contentHash = status == 200 ? "hash-\(url.id)" : nil
        result.etag = status == 200 ? "\"e\(url.id)\"" : nil
        result.fetchedAt = 10
        result.archived = archived
        result.links = links
        result.errorKind = errorKind
        return result
    }

    func record(_ store: SQLiteJobStore, _ results: [URLResult]) async throws {
        var batch = ResultBatch()
        batch.results = results
        _ = try await store.record(batch)
    }

    @Test func recordsAreLocatedAndRevisitsReferToTheResponse() async throws {
        try await withStore { store, path in
            let host = try await store.hosts()[0].id
            let seed = try await store.claim([ClaimRequest(hostID: host, limit: 10)], now: 0)[0]
            try await record(store, [result(seed, .done, status: 200, outcome: .new, archived: archived("f1", offset: 500),
                                            links: [link("http://a.test/b")])])
            #expect(try await store.warcCommittedEnds() == ["f1": 650])

            // A revisit: the claim names the response record it would refer to.
            let revisit = try await store.claim([ClaimRequest(hostID: host, limit: 10)], now: 0, revisitFetchedBefore: 100)
                .urls.first { $0.id == seed.id }
            let previous = try #require(revisit?.previous?.archivedResponse)
            #expect(previous == ArchivedResponse(recordID: "<urn:uuid:f1-500>", date: 1500, payloadDigest: "sha1:AAAA"))

            // A 304 archived as a revisit keeps pointing at the response; a changed page moves on.
            var notModified = result(seed, .done, status: 304, outcome: .notModified, archived: archived("f1", offset: 700, type: "revisit"))
            notModified.keepsStoredContent = true
            try await record(store, [notModified])
            #expect(try CrawlDatabaseRows.scalar(path, "SELECT w.warc_offset FROM urls u JOIN fetches w ON w.id = u.warc_response WHERE u.id = \(seed.id)") == "500")
            #expect(try await store.warcCommittedEnds() == ["f1": 850])
            let rows = try CrawlDatabaseRows.column(path, "SELECT warc_type || ' ' || warc_offset || ' ' || warc_length FROM fetches ORDER BY id")
            #expect(rows == ["response 500 100", "revisit 700 100"])
        }
    }

    @Test func repairForgetsLostRecordsAndQueuesWhatLacksAResponse() async throws {
        try await withStore { store, path in
            let host = try await store.hosts()[0].id
            let seed = try await store.claim([ClaimRequest(hostID: host, limit: 10)], now: 0)[0]
            try await record(store, [result(seed, .done, status: 200, outcome: .new, archived: archived("f1", offset: 0), links: [
                link("http://a.test/kept"), link("http://a.test/lost"), link("http://a.test/missing"), link("http://a.test/timeout"),
                link("http://a.test/robots"),
            ])])
            let urls = try await store.claim([ClaimRequest(hostID: host, limit: 10)], now: 0)
            let byPath = Dictionary(uniqueKeysWithValues: urls.map { (String($0.url.dropFirst("http://a.test/".count)), $0) })
            var timeout = result(byPath["timeout"]!, .failed, status: nil, outcome: .error, archived: nil, errorKind: "timeout")
            timeout.error = "timeout"
            var robots = URLResult(urlID: byPath["robots"]!.id, hostID: host, state: .skipped)
            robots.errorKind = "robots"
            try await record(store, [
                result(byPath["kept"]!, .done, status: 200, outcome: .new, archived: archived("f1", offset: 1000)),
                result(byPath["lost"]!, .done, status: 200, outcome: .new, archived: archived("f2", offset: 300)),
                result(byPath["missing"]!, .failed, status: 404, outcome: .error, archived: archived("f2", offset: 900),
                       errorKind: "http_404"),
                timeout, robots,
            ])
            // Nothing lost, everything archived: nothing to do.
            #expect(try await store.repairArchive(lost: [:]) == 0)

            // f2 kept only its first 350 bytes: the record at 300 (+100) is cut, so is the one at 900.
            #expect(try await store.repairArchive(lost: ["f2": 350]) == 2)
            let states = try CrawlDatabaseRows.column(path, """
                SELECT substr(url, 15) || ' ' || state || ' ' || coalesce(status, '-') || ' ' || coalesce(etag, '-') || ' '
                       || coalesce(content_hash, '-') || ' ' || (warc_response IS NOT NULL) FROM urls ORDER BY id
                """)
            #expect(states == [
                " done 200 \"e1\" hash-1 1", "kept done 200 \"e2\" hash-2 1", "lost queued - - - 0", "missing queued - - - 0",
                "timeout failed - - - 0", "robots skipped - - - 0",
            ])
            #expect(try CrawlDatabaseRows.column(path, "SELECT count(*) FROM fetches WHERE warc_file IS NOT NULL") == ["2"])
            #expect(try await store.warcCommittedEnds() == ["f1": 1150, "f2": 350])
            // Queued as never fetched: a plain request, not a conditional one.
            let again = try await store.claim([ClaimRequest(hostID: host, limit: 10)], now: 0)
            #expect(Set(again.map(\.url)) == ["http://a.test/lost", "http://a.test/missing"])
            #expect(again.allSatisfy { $0.previous == nil })
        }
    }
}

/// Raw reads of a job database in unit tests.
enum CrawlDatabaseRows {
    static func column(_ path: String, _ sql: String) throws -> [String] {
        let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
        defer { connection.close() }
        let statement = try connection.prepare(sql)
        defer { statement.finalize() }
        var values: [String] = []
        while try statement.step() { values.append(statement.isNull(0) ? "NULL" : statement.text(0)) }
        return values
    }

    static func scalar(_ path: String, _ sql: String) throws -> String? {
        try column(path, sql).first
    }
}
