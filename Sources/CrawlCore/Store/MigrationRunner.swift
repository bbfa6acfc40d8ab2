import Foundation

/// Applies the embedded migrations a database lacks, in order, all in one transaction: a new
/// database gets its whole schema in one commit (each page written to the WAL once, however
/// many migrations touch it), and an older one either reaches the latest version or stays as it
/// was.
///
/// `PRAGMA user_version` holds the latest applied version (it changes atomically with the
/// migrations' own statements); `schema_migrations` records when each one ran.
struct MigrationRunner {
    let connection: SQLiteConnection
    var migrations: [Migration] = Migration.all

    /// Returns the versions applied now.
    @discardableResult
    func migrate() throws(StoreError) -> [Int] {
        let current = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
        let pending = migrations.filter { $0.version > current }
        guard let latest = pending.last else { return [] }
        try connection.transaction { () throws(StoreError) in
            for migration in pending {
                try connection.execute(migration.sql)
                try connection.cached("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
                    .run([.int(Int64(migration.version)), .text(migration.name), .double(Date().timeIntervalSince1970)])
            }
            try connection.execute("PRAGMA user_version = \(latest.version)")
            try connection.execute("PRAGMA application_id = \(SQLiteJobStore.applicationID)")
        }
        return pending.map(\.version)
    }
}
