import Foundation

extension SQLiteJobStore {
    public func stats() async throws -> CrawlStats {
        try await thread.run { _ in try Self.readStats(self.connection) }
    }

    /// Reads every figure of `crawl stats` from index-only queries (no table scan of `urls`).
    static func readStats(_ connection: SQLiteConnection) throws(StoreError) -> CrawlStats {
        var stats = CrawlStats()
        let grouped = try connection.cached("""
            SELECT state, status, error_kind, count(*) FROM urls INDEXED BY urls_by_state
            GROUP BY state, status, error_kind
            """)
        while try grouped.step() {
            let count = grouped.int(3)
            let state = URLState(rawValue: grouped.text(0))
            switch state {
            case .queued: stats.urls.queued += count
            case .inFlight: stats.urls.inFlight += count
            case .done: stats.urls.done += count
            case .failed: stats.urls.failed += count
            case .skipped: stats.urls.skipped += count
            case nil: break
            }
            stats.urls.total += count
            if let status = grouped.optionalInt(1) { stats.status[String(status), default: 0] += count }
            if let kind = grouped.optionalText(2) {
                if state == .skipped {
                    stats.skipped[kind, default: 0] += count
                } else if state == .failed {
                    stats.errors[kind, default: 0] += count
                }
            }
        }
        stats.hosts = Int(try connection.scalarInt("SELECT count(*) FROM hosts") ?? 0)
        stats.runs = Int(try connection.scalarInt("SELECT count(*) FROM runs") ?? 0)
        stats.bytes = Int(try connection.scalarInt("SELECT coalesce(sum(bytes), 0) FROM runs") ?? 0)
        let last = try connection.cached("""
            SELECT id, command, started_at, ended_at, end_reason, fetched, new_urls, errors, bytes
            FROM runs ORDER BY id DESC LIMIT 1
            """)
        defer { last.reset() }
        if try last.step() {
            var run = CrawlStats.LastRun(
                id: last.int64(0), command: last.text(1), startedAt: last.double(2), endedAt: last.optionalDouble(3),
                endReason: last.optionalText(4), fetched: last.int(5), newURLs: last.int(6), errors: last.int(7),
                bytes: last.int(8))
            if let ended = run.endedAt {
                let duration = max(0, ended - run.startedAt)
                run.durationSeconds = (duration * 1000).rounded() / 1000
                run.pagesPerSecond = duration > 0 ? (Double(run.fetched) / duration * 10).rounded() / 10 : nil
            }
            stats.lastRun = run
        }
        return stats
    }
}

extension SQLiteJobStore {
    /// Reads the stats of the database at `path` through its own read-only connection: no lock is
    /// taken and a running crawl is not disturbed. Callable from any thread (it blocks briefly).
    public static func readStats(path: String) throws -> CrawlStats {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.noJob(path: path) }
        let connection = try SQLiteConnection(path: path, readOnly: true, create: false)
        defer { connection.close() }
        try checkOwnership(connection)
        guard try connection.scalarInt("PRAGMA user_version") ?? 0 > 0,
              try connection.scalarInt("SELECT count(*) FROM job") ?? 0 > 0
        else { throw StoreError.noJob(path: path) }
        return try readStats(connection)
    }
}
