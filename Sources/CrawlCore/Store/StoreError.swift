/// Every failure of the job store, with the context needed to act on it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The file exists but is not an SQLite database, or is an SQLite database of another program.
    case notACrawlDatabase(path: String, detail: String)
    /// The database was written by a newer `crawl` (its schema version is above ours).
    case newerSchema(path: String, found: Int, supported: Int)
    /// The database could not be opened or created (permissions, missing directory, ...).
    case cannotOpen(path: String, detail: String)
    /// `start` on a database that already holds a job.
    case jobExists(path: String)
    /// `resume` or `stats` on a database without a job.
    case noJob(path: String)
    /// The database file is damaged.
    case corrupt(path: String, detail: String)
    /// The database cannot grow: the disk is full (SQLITE_FULL, ENOSPC), over quota (EDQUOT) or
    /// at the process's file size limit (EFBIG). The failed transaction was rolled back.
    case diskFull(path: String, detail: String)
    /// A statement failed: the SQL, SQLite's result code and message.
    case sqlite(code: Int32, message: String, sql: String)

    public var description: String {
        switch self {
        case let .notACrawlDatabase(path, detail):
            return "\(path) is not a crawl database (\(detail))"
        case let .newerSchema(path, found, supported):
            return "\(path) was written by a newer crawl (schema \(found), this binary supports up to \(supported)); upgrade crawl"
        case let .cannotOpen(path, detail):
            return "cannot open database \(path): \(detail)"
        case let .jobExists(path):
            return "\(path) already holds a crawl job; continue it with `crawl resume --db \(path)`"
        case let .noJob(path):
            return "\(path) holds no crawl job; create one with `crawl start URL --db \(path)`"
        case let .corrupt(path, detail):
            return "database \(path) is damaged: \(detail)"
        case let .diskFull(path, detail):
            return "database \(path) cannot grow: \(detail); nothing was lost: free space (or raise `ulimit -f`), then run `crawl resume`"
        case let .sqlite(code, message, sql):
            let short = sql.split(whereSeparator: \.isNewline).first.map(String.init) ?? sql
            return "SQLite error \(code): \(message) (in: \(short.prefix(120)))"
        }
    }

    /// True when the run stopped because the disk is full: the database is intact and `resume`
    /// continues once space is freed.
    public var isDiskFull: Bool {
        if case .diskFull = self { return true }
        return false
    }
}
