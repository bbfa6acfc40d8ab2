/// Sorts any number of text lines in bytewise order (as `LC_ALL=C sort` does) with bounded
/// memory: lines go into a private temporary SQLite database, whose sorter spills to temporary
/// files. Used for CDXJ indexes, which pywb reads only sorted.
///
/// Not thread-safe: one owner thread (the `crawl export` command).
public final class ExternalLineSorter {
    private let connection: SQLiteConnection
    private var pending = 0

    /// Opens the temporary database (SQLite deletes it when closed).
    public init() throws {
        connection = try SQLiteConnection(path: "", create: true)
        try connection.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE")
        try connection.execute("CREATE TABLE lines (line TEXT NOT NULL)")
        try connection.execute("BEGIN")
    }

    deinit { connection.close() }

    public func add(_ line: String) throws {
        try connection.cached("INSERT INTO lines (line) VALUES (?1)").run([.text(line)])
        pending += 1
        if pending >= 50_000 {
            try connection.execute("COMMIT; BEGIN")
            pending = 0
        }
    }

    /// Calls `body` with every line added, in bytewise order.
    public func sorted(_ body: (String) throws -> Void) throws {
        try connection.execute("COMMIT")
        let statement = try connection.prepare("SELECT line FROM lines ORDER BY line COLLATE BINARY")
        defer { statement.finalize() }
        while try statement.step() { try body(statement.text(0)) }
    }
}
