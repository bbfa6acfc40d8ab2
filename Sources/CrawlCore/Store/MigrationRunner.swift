import Foundation

/// Applies the embedded migrations a database lacks, in order, one transaction each.
///
/// `PRAGMA user_version` holds the latest applied version (it changes atomically with the
/// migration's own statements); `schema_migrations` records when each one ran.
struct MigrationRunner {
    let connection: SQLiteConnection
    var migrations: [Migration] = Migration.all

    /// Returns the versions applied now.
    @discardableResult
    func migrate() throws(StoreError) -> [Int] {
        let current = Int(try connection.scalarInt("PRAGMA user_version") ?? 0)
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            try connection.transaction { () throws(StoreError) in
                try connection.execute(migration.sql)
                try connection.cached("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
                    .run([.int(Int64(migration.version)), .text(migration.name), .double(Date().timeIntervalSince1970)])
                try connection.execute("PRAGMA user_version = \(migration.version)")
                try connection.execute("PRAGMA application_id = \(SQLiteJobStore.applicationID)")
            }
            applied.append(migration.version)
        }
        return applied
    }
}
