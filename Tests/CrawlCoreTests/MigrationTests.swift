import Foundation
import Testing
@testable import CrawlCore

@Suite struct MigrationTests {
    /// migrations/ is the schema's only source: every file there must be registered, in order.
    @Test func registryMatchesMigrationsFolder() throws {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files == Migration.all.map(\.name))
        for (offset, migration) in Migration.all.enumerated() {
            #expect(migration.version == offset + 1)
            #expect(migration.name.hasPrefix(String(format: "%04d_", migration.version)))
            let text = try String(contentsOf: folder.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(text == migration.sql)
        }
    }
}
