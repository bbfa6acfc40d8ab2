import CSQLite
import Foundation

/// One SQLite database handle (`sqlite3*`), closed deterministically by ``close()`` or deinit.
///
/// Not thread-safe: a connection belongs to one thread at a time. The job store gives its write
/// connection its own thread; `crawl stats` opens a separate read-only connection.
final class SQLiteConnection {
    private(set) var handle: OpaquePointer?
    let path: String
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens (or, with `create`, creates) the database at `path`.
    init(path: String, readOnly: Bool = false, create: Bool = true) throws(StoreError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let db { sqlite3_close_v2(db) }
            throw .cannotOpen(path: path, detail: message)
        }
        handle = db
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { close() }

    /// Finalizes cached statements and closes the handle. Safe to call twice.
    func close() {
        for statement in statementCache.values { statement.finalize() }
        statementCache.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    var lastErrorMessage: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(StoreError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw classify(rc, message: message, sql: sql)
        }
    }

    /// A prepared statement, compiled once per connection and reset before reuse.
    func cached(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try SQLiteStatement(connection: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// A statement that is not cached; finalized when released.
    func prepare(_ sql: String) throws(StoreError) -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. Both are
    /// prepared once: the writer runs hundreds of transactions per second.
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try cached("BEGIN IMMEDIATE").run()
        do {
            let result = try body()
            try cached("COMMIT").run()
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The single integer a query returns (first column of the first row), or nil.
    func scalarInt(_ sql: String, _ bindings: [SQLiteValue] = []) throws(StoreError) -> Int64? {
        let statement = try cached(sql)
        defer { statement.reset() }  // a stepped statement holds a read transaction until reset
        try statement.bind(bindings)
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Maps an SQLite result code to the store's error, recognizing damaged and foreign files.
    func classify(_ rc: Int32, message: String, sql: String) -> StoreError {
        switch rc & 0xFF {
        case SQLITE_NOTADB: return .notACrawlDatabase(path: path, detail: message)
        case SQLITE_CORRUPT: return .corrupt(path: path, detail: message)
        case SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM: return .cannotOpen(path: path, detail: message)
        case SQLITE_FULL: return .diskFull(path: path, detail: message)
        case SQLITE_IOERR:
            // A write refused by the file system: ENOSPC becomes SQLITE_FULL, but EFBIG (a file size
            // limit) and EDQUOT come back as an I/O error; the VFS keeps the errno per file.
            let code = lastFileErrno()
            if code == ENOSPC || code == EDQUOT || code == EFBIG {
                return .diskFull(path: path, detail: "\(message) (\(String(cString: strerror(code))))")
            }
            return .sqlite(code: rc, message: message, sql: sql)
        default: return .sqlite(code: rc, message: message, sql: sql)
        }
    }

    /// The errno of the last failed system call on the database's WAL (or rollback journal), else
    /// on the database file itself; 0 if none. `sqlite3_system_errno()` reads errno after SQLite's
    /// own clean-up has run, so this asks the unix VFS's per-file record instead (public file
    /// controls: SQLITE_FCNTL_JOURNAL_POINTER, SQLITE_FCNTL_LAST_ERRNO).
    private func lastFileErrno() -> Int32 {
        guard let handle else { return 0 }
        var code: Int32 = 0
        var journal: UnsafeMutablePointer<sqlite3_file>?
        if sqlite3_file_control(handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal) == SQLITE_OK,
            let journal, let fileControl = journal.pointee.pMethods?.pointee.xFileControl,
            fileControl(journal, SQLITE_FCNTL_LAST_ERRNO, &code) == SQLITE_OK, code != 0
        {
            return code
        }
        code = 0
        return sqlite3_file_control(handle, "main", SQLITE_FCNTL_LAST_ERRNO, &code) == SQLITE_OK ? code : 0
    }
}
