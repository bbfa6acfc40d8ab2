import CSQLite
import Foundation

/// The embedded job store: one SQLite database in WAL mode, one write connection owned by one
/// dedicated thread. Every method hops onto that thread, so callers never block the cooperative pool.
public final class SQLiteJobStore: JobStore, @unchecked Sendable {
    // @unchecked Sendable: the connection and the host, URL and WARC file caches are touched only on `thread`'s single
    // thread (every access goes through `thread.run`); `path` is immutable.
    public static let applicationID: Int32 = 0x4352_574C  // "CRWL"

    public let path: String
    let thread: BlockingThreadPool<Void>
    nonisolated(unsafe) var connection: SQLiteConnection!
    /// origin → host id, for linking new URLs to hosts without a query per link.
    nonisolated(unsafe) var hostIDs: [String: Int64] = [:]
    /// URLs known to have a row, so that links seen before skip SQLite (2 MB, fixed).
    nonisolated(unsafe) var knownURLs = KnownURLFilter(capacity: 1 << 18)
    /// The URLs claimed in this run and not yet recorded, by host id: a claim is kept here, not
    /// written to the row (an UPDATE per claimed URL and a commit per claim: 65-130 ms of SQLite
    /// time in a crawl of the bench site, 3-5% of its CPU). ``claim`` skips
    /// them; ``record`` and ``requeueInterrupted`` end them. Lost with the process, as a claim
    /// should be: after a kill, the URLs are simply queued (or due for revisit) again.
    nonisolated(unsafe) var claimedURLs: [Int64: Set<Int64>] = [:]
    /// WARC file name → `warc_files` id, for archived records.
    nonisolated(unsafe) var warcFileIDs: [String: Int64] = [:]

    public enum OpenMode: Sendable {
        /// Create the file if needed and apply every migration (`start`).
        case create
        /// The file must exist; apply pending migrations (`resume`).
        case open
    }

    /// Opens the database at `path`, checks that it is ours and not newer, and migrates it.
    public init(path: String, mode: OpenMode) async throws {
        self.path = path
        self.thread = BlockingThreadPool(name: "crawl-store", count: 1) { () }
        if mode == .open && !FileManager.default.fileExists(atPath: path) {
            thread.shutdown()
            throw StoreError.noJob(path: path)
        }
        do {
            try await thread.run { _ in try self.openOnThread(mode: mode) }
        } catch {
            thread.shutdown()
            throw error
        }
    }

    private func openOnThread(mode: OpenMode) throws {
        let connection = try SQLiteConnection(path: path, create: mode == .create)
        self.connection = connection
        let isEmpty = try Self.checkOwnership(connection)
        // `resume` on an empty file (zero bytes, or SQLite without a table): say so and leave it as it is.
        if isEmpty && mode == .open { throw StoreError.noJob(path: path) }
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA synchronous = NORMAL")
        try connection.execute("PRAGMA temp_store = MEMORY")
        try connection.execute("PRAGMA cache_size = -8192")
        // Checkpoint every 8,192 pages (32 MiB of WAL), not 1,000: hot index pages are rewritten
        // in most commits, so each checkpoint copies fewer distinct pages per WAL frame (on the
        // bench site 2.5k page writes to the database file instead of 5.3k), and on a real disk
        // the checkpoints' fsyncs (two each) are a few per crawl instead of dozens.
        try connection.execute("PRAGMA wal_autocheckpoint = 8192")
        try MigrationRunner(connection: connection).migrate()
        try loadHostIDs()
    }

    /// Fills the origin → host id cache from the table (at open, and after a rolled-back batch,
    /// whose new hosts never made it to disk).
    func loadHostIDs() throws(StoreError) {
        hostIDs = [:]
        let statement = try connection.cached("SELECT id, origin FROM hosts")
        while try statement.step() { hostIDs[statement.text(1)] = statement.int64(0) }
    }

    /// Fails unless the file is empty or a crawl database of a schema we know. Returns true when
    /// it is empty (a zero-length file, or an SQLite database without any table).
    @discardableResult
    static func checkOwnership(_ connection: SQLiteConnection) throws(StoreError) -> Bool {
        let applicationID: Int64
        do {
            applicationID = try connection.scalarInt("PRAGMA application_id") ?? 0
        } catch let error {
            if case .sqlite = error { throw StoreError.notACrawlDatabase(path: connection.path, detail: "\(error)") }
            throw error
        }
        let tables = try connection.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        if applicationID == 0 && tables == 0 { return true }  // a new, empty database
        guard applicationID == Int64(applicationID32) else {
            throw .notACrawlDatabase(
                path: connection.path,
                detail: applicationID == 0 ? "an SQLite database of another program" : String(format: "application id 0x%08x", applicationID))
        }
        let version = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
        if version > Migration.latestVersion {
            throw .newerSchema(path: connection.path, found: version, supported: Migration.latestVersion)
        }
        return false
    }

    private static var applicationID32: Int32 { applicationID }

    public func close() async {
        await thread.run { (_: Void) -> Void in
            try? self.connection?.execute("PRAGMA optimize")
            self.connection?.close()
        }
        thread.shutdown()
    }

    // MARK: job

    public func createJob(seeds: [CrawlURL], settings: CrawlSettings) async throws -> JobRecord {
        try await thread.run { _ in try self.createJobOnThread(seeds: seeds, settings: settings) }
    }

    private func createJobOnThread(seeds: [CrawlURL], settings: CrawlSettings) throws -> JobRecord {
        let now = Date().timeIntervalSince1970
        let seedStrings = seeds.map(\.string)
        let settingsJSON = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        let seedsJSON = String(decoding: try JSONEncoder().encode(seedStrings), as: UTF8.self)
        try connection.transaction { () throws(StoreError) in
            if try connection.scalarInt("SELECT count(*) FROM job") ?? 0 > 0 { throw .jobExists(path: path) }
            try connection.cached("INSERT INTO job (id, created_at, seeds, settings) VALUES (1, ?, ?, ?)")
                .run([.double(now), .text(seedsJSON), .text(settingsJSON)])
            for seed in seeds {
                let hostID = try hostID(for: seed.origin)
                try connection.cached("""
                    INSERT OR IGNORE INTO urls (url, host_id, state, kind, depth, discovered_at)
                    VALUES (?, ?, 'queued', 'seed', 0, ?)
                    """).run([.text(seed.string), .int(hostID), .double(now)])
            }
        }
        return JobRecord(createdAt: now, seeds: seedStrings, settings: settings)
    }

    public func loadJob() async throws -> JobRecord {
        try await thread.run { _ in
            let statement = try self.connection.cached("SELECT created_at, seeds, settings FROM job WHERE id = 1")
            defer { statement.reset() }
            guard try statement.step() else { throw StoreError.noJob(path: self.path) }
            let createdAt = statement.double(0)
            let seeds = try JSONDecoder().decode([String].self, from: Data(statement.text(1).utf8))
            let settings = try JSONDecoder().decode(CrawlSettings.self, from: Data(statement.text(2).utf8))
            return JobRecord(createdAt: createdAt, seeds: seeds, settings: settings)
        }
    }

    public func updateSettings(_ settings: CrawlSettings) async throws {
        let json = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        try await thread.run { _ in
            try self.connection.cached("UPDATE job SET settings = ? WHERE id = 1").run([.text(json)])
        }
    }

    // MARK: runs

    public func requeueInterrupted() async throws -> Int {
        try await thread.run { _ in
            let released = self.claimedURLs.values.reduce(0) { $0 + $1.count }
            self.claimedURLs.removeAll()
            // Rows marked by crawl versions that wrote claims into the row.
            try self.connection.cached("UPDATE urls SET state = 'queued' WHERE state = 'in_flight'").run()
            return released + self.connection.changes
        }
    }

    public func beginRun(command: String, pid: Int32, startedAt: Double) async throws -> Int64 {
        try await thread.run { _ in
            try self.connection.transaction { () throws(StoreError) in
                // A run that never recorded its end was interrupted (crash, kill -9).
                try self.connection.cached("UPDATE runs SET end_reason = 'interrupted' WHERE end_reason IS NULL").run()
                try self.connection.cached("INSERT INTO runs (command, started_at, pid) VALUES (?, ?, ?)")
                    .run([.text(command), .double(startedAt), .int(Int64(pid))])
                return self.connection.lastInsertRowID
            }
        }
    }

    public func endRun(_ id: Int64, summary: RunSummary) async throws {
        try await thread.run { _ in
            try self.connection.cached("UPDATE runs SET ended_at = ?, end_reason = ? WHERE id = ?")
                .run([.double(summary.endedAt), .text(summary.endReason), .int(id)])
        }
    }

    // MARK: hosts

    public func hosts() async throws -> [HostRecord] {
        try await thread.run { _ in
            let statement = try self.connection.cached("""
                SELECT id, origin, robots_state, robots_body, robots_fetched_at, next_allowed_at, backoff_ms, error_streak,
                       crawl_delay_ms, fetched
                FROM hosts ORDER BY id
                """)
            var hosts: [HostRecord] = []
            while try statement.step() {
                hosts.append(HostRecord(
                    id: statement.int64(0), origin: statement.text(1),
                    robotsState: RobotsState(rawValue: statement.text(2)) ?? .unknown,
                    robotsBody: statement.optionalText(3), robotsFetchedAt: statement.optionalDouble(4),
                    nextAllowedAt: statement.double(5), backoffMS: statement.int(6), errorStreak: statement.int(7),
                    crawlDelayMS: statement.optionalInt(8), fetched: statement.int(9)))
            }
            return hosts
        }
    }

    /// The id of the host row for `origin`, created if new. Store thread only.
    func hostID(for origin: String) throws(StoreError) -> Int64 {
        if let id = hostIDs[origin] { return id }
        try connection.cached("INSERT OR IGNORE INTO hosts (origin) VALUES (?)").run([.text(origin)])
        let id = try connection.scalarInt("SELECT id FROM hosts WHERE origin = ?", [.text(origin)]) ?? 0
        hostIDs[origin] = id
        return id
    }
}
