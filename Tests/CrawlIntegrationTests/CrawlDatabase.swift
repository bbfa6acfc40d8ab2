import Foundation

@testable import CrawlCore

/// One row of the `urls` table, as the tests look at it.
struct URLRow: Sendable {
    let url: String
    let state: String
    let kind: String
    let depth: Int
    let status: Int?
    let contentType: String?
    let bytes: Int?
    let contentHash: String?
    let bodyPath: String?
    let redirectTo: String?
    let fetchedAt: Double?
    let errorKind: String?
    let error: String?
}

/// One row of the `hosts` table.
struct HostRow: Sendable {
    let origin: String
    let robotsState: String
    let robotsStatus: Int?
    let robotsError: String?
}

/// Read access to a crawl database after (or between) runs, through CrawlCore's own SQLite wrapper.
/// Opened and closed within one call: each method is synchronous and self-contained.
enum CrawlDatabase {
    private static func open(_ path: String) throws -> SQLiteConnection {
        try SQLiteConnection(path: path, readOnly: false, create: false)
    }

    static func urls(_ path: String) throws -> [String: URLRow] {
        let connection = try open(path)
        defer { connection.close() }
        let statement = try connection.prepare("""
            SELECT url, state, kind, depth, status, content_type, bytes, content_hash, body_path, redirect_to,
                   fetched_at, error_kind, error
            FROM urls
            """)
        var rows: [String: URLRow] = [:]
        while try statement.step() {
            let row = URLRow(
                url: statement.text(0), state: statement.text(1), kind: statement.text(2), depth: statement.int(3),
                status: statement.optionalInt(4), contentType: statement.optionalText(5), bytes: statement.optionalInt(6),
                contentHash: statement.optionalText(7), bodyPath: statement.optionalText(8),
                redirectTo: statement.optionalText(9), fetchedAt: statement.optionalDouble(10),
                errorKind: statement.optionalText(11), error: statement.optionalText(12))
            rows[row.url] = row
        }
        statement.finalize()
        return rows
    }

    static func hosts(_ path: String) throws -> [String: HostRow] {
        let connection = try open(path)
        defer { connection.close() }
        let statement = try connection.prepare("SELECT origin, robots_state, robots_status, robots_error FROM hosts")
        var rows: [String: HostRow] = [:]
        while try statement.step() {
            let row = HostRow(
                origin: statement.text(0), robotsState: statement.text(1), robotsStatus: statement.optionalInt(2),
                robotsError: statement.optionalText(3))
            rows[row.origin] = row
        }
        statement.finalize()
        return rows
    }

    /// The first column of every row of `sql`, as text.
    static func column(_ path: String, _ sql: String) throws -> [String] {
        let connection = try open(path)
        defer { connection.close() }
        let statement = try connection.prepare(sql)
        var values: [String] = []
        while try statement.step() { values.append(statement.isNull(0) ? "NULL" : statement.text(0)) }
        statement.finalize()
        return values
    }

    static func integrityCheck(_ path: String) throws -> [String] {
        try column(path, "PRAGMA integrity_check")
    }
}

extension [String: URLRow] {
    /// Rows in `state`.
    func inState(_ state: String) -> [URLRow] { values.filter { $0.state == state } }
}
