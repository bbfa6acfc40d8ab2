import Foundation

@testable import CrawlCore

/// The politeness state of a `hosts` row.
struct HostPolitenessRow: Sendable {
    let origin: String
    let robotsState: String
    let robotsFetchedAt: Double?
    let crawlDelayMS: Int?
    let backoffMS: Int
    let errorStreak: Int
}

/// The retry and redirect bookkeeping of a `urls` row.
struct URLScheduleRow: Sendable {
    let url: String
    let state: String
    let attempts: Int
    let nextAttemptAt: Double
    let redirectHops: Int
}

extension CrawlDatabase {
    static func hostPoliteness(_ path: String) throws -> [String: HostPolitenessRow] {
        let connection = try SQLiteConnection(path: path, readOnly: false, create: false)
        defer { connection.close() }
        let statement = try connection.prepare(
            "SELECT origin, robots_state, robots_fetched_at, crawl_delay_ms, backoff_ms, error_streak FROM hosts")
        var rows: [String: HostPolitenessRow] = [:]
        while try statement.step() {
            let row = HostPolitenessRow(
                origin: statement.text(0), robotsState: statement.text(1), robotsFetchedAt: statement.optionalDouble(2),
                crawlDelayMS: statement.optionalInt(3), backoffMS: statement.int(4), errorStreak: statement.int(5))
            rows[row.origin] = row
        }
        statement.finalize()
        return rows
    }

    static func schedule(_ path: String) throws -> [String: URLScheduleRow] {
        let connection = try SQLiteConnection(path: path, readOnly: false, create: false)
        defer { connection.close() }
        let statement = try connection.prepare("SELECT url, state, attempts, next_attempt_at, redirect_hops FROM urls")
        var rows: [String: URLScheduleRow] = [:]
        while try statement.step() {
            let row = URLScheduleRow(
                url: statement.text(0), state: statement.text(1), attempts: statement.int(2),
                nextAttemptAt: statement.double(3), redirectHops: statement.int(4))
            rows[row.url] = row
        }
        statement.finalize()
        return rows
    }

    /// Runs `sql` (no results) on the database between runs: to age stored state.
    static func execute(_ path: String, _ sql: String) throws {
        let connection = try SQLiteConnection(path: path, readOnly: false, create: false)
        defer { connection.close() }
        try connection.execute(sql)
    }
}
