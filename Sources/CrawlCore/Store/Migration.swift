/// A numbered schema step. The SQL comes from `migrations/NNNN_name.sql`, embedded in the
/// binary at build time; `migrations/` is the schema's only source.
///
/// Adding a migration: drop `NNNN_name.sql` into `migrations/` and list it in ``all``.
/// `MigrationTests` fails when the folder and this list disagree.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    init(version: Int, name: String, bytes: [UInt8]) {
        self.version = version
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
    }
}

extension Migration {
    /// Every migration shipped with this binary, in ascending version order.
    public static let all: [Migration] = [
        Migration(version: 1, name: "0001_initial.sql", bytes: PackageResources._001_initial_sql),
        Migration(version: 2, name: "0002_recrawl.sql", bytes: PackageResources._002_recrawl_sql),
        Migration(version: 3, name: "0003_redirect_hops.sql", bytes: PackageResources._003_redirect_hops_sql),
        Migration(version: 4, name: "0004_host_sitemaps.sql", bytes: PackageResources._004_host_sitemaps_sql),
        Migration(version: 5, name: "0005_warc.sql", bytes: PackageResources._005_warc_sql),
        Migration(version: 6, name: "0006_drop_fetches_by_run.sql", bytes: PackageResources._006_drop_fetches_by_run_sql),
    ]

    /// The schema version this binary writes.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
