import Foundation

extension SQLiteJobStore {
    public func stats() async throws -> CrawlStats {
        try await thread.run { _ in try Self.readStats(self.connection) }
    }

    /// Reads every figure of `crawl stats` from index-only queries (no table scan of `urls`).
    static func readStats(_ connection: SQLiteConnection, now: Double = MonotonicClock.wallNow, historyLimit: Int = 20,
                          withHosts: Bool = false) throws(StoreError) -> CrawlStats {
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
        stats.runHistory = try readRuns(connection, limit: historyLimit)
        stats.lastRun = stats.runHistory.first
        stats.due = try readDue(connection, now: now)
        if withHosts { stats.hostTable = try readHosts(connection) }
        return stats
    }
}

extension SQLiteJobStore {
    /// Reads the stats of the database at `path` through its own read-only connection: no lock is
    /// taken and a running crawl is not disturbed. Callable from any thread (it blocks briefly).
    public static func readStats(path: String, historyLimit: Int = 20, withHosts: Bool = false) throws -> CrawlStats {
        let connection = try openForReading(path: path)
        defer { connection.close() }
        return try readStats(connection, historyLimit: historyLimit, withHosts: withHosts)
    }

    /// A read-only connection to the job database at `path` (no lock: a running crawl is not
    /// disturbed). A database of an older crawl that is idle is migrated first, once.
    static func openForReading(path: String) throws -> SQLiteConnection {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.noJob(path: path) }
        var connection = try SQLiteConnection(path: path, readOnly: true, create: false)
        do {
            if try checkOwnership(connection) { throw StoreError.noJob(path: path) }  // empty: left untouched
            if Int(try connection.scalarInt("PRAGMA user_version") ?? 0) < Migration.latestVersion {
                // Written by an older crawl and idle (any run migrates first): bring it up to date once.
                connection.close()
                let writer = try SQLiteConnection(path: path, create: false)
                try MigrationRunner(connection: writer).migrate()
                writer.close()
                connection = try SQLiteConnection(path: path, readOnly: true, create: false)
            }
            guard try connection.scalarInt("PRAGMA user_version") ?? 0 > 0,
                  try connection.scalarInt("SELECT count(*) FROM job") ?? 0 > 0
            else { throw StoreError.noJob(path: path) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// The stored settings of the job at `path` (read-only, no lock).
    public static func readSettings(path: String) throws -> CrawlSettings {
        let connection = try openForReading(path: path)
        defer { connection.close() }
        let statement = try connection.cached("SELECT settings FROM job WHERE id = 1")
        defer { statement.reset() }
        guard try statement.step() else { throw StoreError.noJob(path: path) }
        return try JSONDecoder().decode(CrawlSettings.self, from: Data(statement.text(0).utf8))
    }

    static func readRuns(_ connection: SQLiteConnection, limit: Int) throws(StoreError) -> [CrawlStats.Run] {
        let statement = try connection.cached("""
            SELECT id, command, started_at, ended_at, end_reason, fetched, new_urls, errors, bytes,
                   new_pages, changed, unchanged, gone
            FROM runs ORDER BY id DESC LIMIT ?1
            """)
        defer { statement.reset() }
        try statement.bind(limit, at: 1)
        var runs: [CrawlStats.Run] = []
        while try statement.step() {
            var run = CrawlStats.Run(
                id: statement.int64(0), command: statement.text(1), startedAt: statement.double(2),
                endedAt: statement.optionalDouble(3), endReason: statement.optionalText(4), fetched: statement.int(5),
                newURLs: statement.int(6), newPages: statement.int(9), changed: statement.int(10),
                unchanged: statement.int(11), gone: statement.int(12), errors: statement.int(7), bytes: statement.int(8))
            if let ended = run.endedAt {
                let duration = max(0, ended - run.startedAt)
                run.durationSeconds = (duration * 1000).rounded() / 1000
                run.pagesPerSecond = duration > 0 ? (Double(run.fetched) / duration * 10).rounded() / 10 : nil
            }
            runs.append(run)
        }
        return runs
    }

    /// Index range counts only: the frontier's partial index and the revisit index.
    static func readDue(_ connection: SQLiteConnection, now: Double) throws(StoreError) -> CrawlStats.Due {
        var due = CrawlStats.Due()
        due.queuedNow = Int(try connection.scalarInt(
            "SELECT count(*) FROM urls WHERE state = 'queued' AND next_attempt_at <= ?1", [.double(now)]) ?? 0)
        let settings = try connection.cached("SELECT settings FROM job WHERE id = 1")
        defer { settings.reset() }
        guard try settings.step(),
              let job = try? JSONDecoder().decode(CrawlSettings.self, from: Data(settings.text(0).utf8)),
              let revisitAfter = job.revisitAfter
        else { return due }
        // One range scan of the revisit index for all three horizons.
        let counts = try connection.cached("""
            SELECT coalesce(sum(fetched_at <= ?1), 0), coalesce(sum(fetched_at <= ?2), 0), count(*)
            FROM urls INDEXED BY urls_revisit_all WHERE state = 'done' AND fetched_at <= ?3
            """)
        defer { counts.reset() }
        try counts.bind([.double(now - revisitAfter), .double(now + 3600 - revisitAfter), .double(now + 86400 - revisitAfter)])
        if try counts.step() {
            due.revisitNow = counts.int(0)
            due.revisitNextHour = counts.int(1)
            due.revisitNextDay = counts.int(2)
        }
        return due
    }

    static func readHosts(_ connection: SQLiteConnection) throws(StoreError) -> [CrawlStats.Host] {
        var queued: [Int64: Int] = [:]
        let counts = try connection.cached(
            "SELECT host_id, count(*) FROM urls INDEXED BY urls_frontier WHERE state = 'queued' GROUP BY host_id")
        while try counts.step() { queued[counts.int64(0)] = counts.int(1) }
        let hosts = try connection.cached(
            "SELECT id, origin, fetched, errors, robots_state, backoff_ms, error_streak, sitemaps FROM hosts ORDER BY origin")
        var table: [CrawlStats.Host] = []
        while try hosts.step() {
            table.append(CrawlStats.Host(
                origin: hosts.text(1), fetched: hosts.int(2), errors: hosts.int(3), queued: queued[hosts.int64(0)] ?? 0,
                robots: hosts.text(4), backoffMS: hosts.int(5), errorStreak: hosts.int(6),
                sitemaps: hosts.optionalText(7).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []))
        }
        return table
    }
}
