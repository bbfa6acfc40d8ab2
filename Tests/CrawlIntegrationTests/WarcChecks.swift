import Foundation
import Testing

@testable import CrawlCore

/// What every WARC test checks of a job's files, through warcio and the job database.
struct WarcChecks {
    let directory: String
    let db: String
    let files: [String]
    let records: [IndexedRecord]

    /// Runs `warcio check -v` (every record parses, every digest verifies) and `warcio index` on
    /// every file of `directory`.
    static func load(directory: String, db: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> WarcChecks {
        let files = warcFiles(in: directory)
        try #require(!files.isEmpty, "no WARC files in \(directory)", sourceLocation: sourceLocation)
        let check = try await Warcio.run(["check", "-v"] + files, in: directory)
        #expect(check.code == 0, "warcio check failed: \(check.stdout.suffix(2000))", sourceLocation: sourceLocation)
        #expect(!check.stdout.contains("failed"), "digest failures: \(check.stdout.suffix(2000))", sourceLocation: sourceLocation)
        let records = try await Warcio.index(files, in: directory)
        return WarcChecks(directory: directory, db: db, files: files, records: records)
    }

    func records(_ type: String) -> [IndexedRecord] { records.filter { $0.type == type } }

    /// URL rows that got an HTTP response: done, or failed on an HTTP status.
    static func fetchedURLs(_ rows: [String: URLRow]) -> [URLRow] {
        rows.values.filter { $0.state == "done" || ($0.state == "failed" && ($0.errorKind == "gone" || $0.errorKind?.hasPrefix("http_") == true)) }
    }

    /// Files named by the scheme, serials 1…n, each opening with its warcinfo record.
    func expectFiles(sourceLocation: SourceLocation = #_sourceLocation) {
        let names = files.compactMap(WarcFileName.init(parsing:))
        #expect(names.count == files.count, "file names: \(files)", sourceLocation: sourceLocation)
        #expect(names.map(\.serial) == Array(1...max(1, names.count)), "serials: \(files)", sourceLocation: sourceLocation)
        for file in files {
            let first = records.first { $0.filename == file }
            #expect(first?.type == "warcinfo" && first?.offset == "0", "\(file) starts with \(first?.type ?? "nothing")",
                    sourceLocation: sourceLocation)
        }
    }

    /// Every request names a response of the same URL as concurrent, and the other way round,
    /// one to one.
    func expectRequestsAndResponsesLinked(sourceLocation: SourceLocation = #_sourceLocation) {
        let responses = records.filter { $0.type == "response" || $0.type == "revisit" }
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var wrong: [String] = []
        for request in records("request") {
            guard let id = request.concurrentTo, let response = byID[id], response.type == "response" || response.type == "revisit",
                  response.target == request.target
            else { wrong.append("request \(request.target ?? "?") → \(request.concurrentTo ?? "nothing")"); continue }
            if response.concurrentTo != request.id { wrong.append("response \(response.target ?? "?") does not name its request") }
        }
        #expect(records("request").count == responses.count, "\(records("request").count) requests, \(responses.count) responses",
                sourceLocation: sourceLocation)
        #expect(wrong.isEmpty, "links: \(sample(wrong))", sourceLocation: sourceLocation)
    }

    /// Every fetched URL has at least one response record (exactly one when `exactly`), with its
    /// status; and the database locates each archived record where warcio finds it.
    func expectResponses(for rows: [String: URLRow], exactly: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var responses: [String: [IndexedRecord]] = [:]
        for record in records("response") { responses[record.target ?? "", default: []].append(record) }
        var wrong: [String] = []
        for row in Self.fetchedURLs(rows) {
            let found = responses[row.url] ?? []
            if found.isEmpty || (exactly && found.count != 1) { wrong.append("\(row.url): \(found.count) response records") }
            if let last = found.last, last.status != row.status.map(String.init) {
                wrong.append("\(row.url): record status \(last.status ?? "-") ≠ row \(row.status ?? -1)")
            }
        }
        #expect(wrong.isEmpty, "responses: \(sample(wrong.sorted()))", sourceLocation: sourceLocation)

        let located = try CrawlDatabase.column(db, """
            SELECT f.name || ' ' || w.warc_offset || ' ' || w.warc_length || ' ' || w.warc_record_id || ' ' || w.warc_type
            FROM fetches w JOIN warc_files f ON f.id = w.warc_file
            """)
        let indexed = Set(records.map { "\($0.filename) \($0.offset) \($0.length) \($0.id) \($0.type)" })
        let missing = located.filter { !indexed.contains($0) }
        #expect(!located.isEmpty, sourceLocation: sourceLocation)
        #expect(missing.isEmpty, "database records not found by warcio: \(sample(missing))", sourceLocation: sourceLocation)
        let unlocated = try CrawlDatabase.column(db, """
            SELECT url FROM urls WHERE warc_response IS NULL
              AND (state = 'done' OR (state = 'failed' AND (error_kind = 'gone' OR error_kind LIKE 'http\\_%' ESCAPE '\\')))
            """)
        #expect(unlocated.isEmpty, "fetched URLs without a response record in the database: \(sample(unlocated))",
                sourceLocation: sourceLocation)
    }
}
