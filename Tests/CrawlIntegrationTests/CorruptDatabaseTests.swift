import Foundation
import Testing

@testable import CrawlCore

/// A damaged database file: random bytes, a garbled schema page, a file cut in half, a zero-length
/// file, one written by a newer crawl. `start`, `resume` and `stats` each exit 1 with one clear
/// line on stderr, never crash, and leave the file as it was.
@Suite("crawl: corrupt or truncated database")
struct CorruptDatabaseTests {
    enum Damage: String, CaseIterable, Sendable {
        case randomBytes, garbledSchemaPage, truncatedToHalf, futureSchema
    }

    /// A real crawl database (one job, one failed URL, one run), made in a second by a crawl whose
    /// only URL is refused at once.
    private func makeDatabase(_ crawl: CrawlRunner, _ scratch: ScratchDirectory) async throws -> Data {
        let made = try await crawl.run(
            ["start", BadInputTests.unreachableSeed, "--db", scratch.db, "--out", scratch.out, "--ignore-robots",
             "--delay", "0", "--retries", "0", "--quiet"],
            timeout: 30)
        try #require(made.code == 0, "\(made)")
        // Fold the WAL into the file, so that the file alone is the whole database.
        let connection = try SQLiteConnection(path: scratch.db, create: false)
        try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        return try #require(FileManager.default.contents(atPath: scratch.db))
    }

    private func damaged(_ original: Data, _ damage: Damage, path: String) throws -> Data {
        var generator = SeededGenerator(seed: 6)
        var bytes = [UInt8](original)
        switch damage {
        case .randomBytes:
            bytes = (0..<bytes.count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case .garbledSchemaPage:
            // The 100-byte file header survives; the rest of page 1 (sqlite_master) is noise.
            let pageSize = Int(bytes[16]) << 8 | Int(bytes[17])
            for i in 100..<pageSize { bytes[i] = UInt8.random(in: 0...255, using: &generator) }
        case .truncatedToHalf:
            bytes = Array(bytes[0..<(bytes.count / 2)])
        case .futureSchema:
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let connection = try SQLiteConnection(path: path, create: false)
            try connection.execute("PRAGMA user_version = \(Migration.latestVersion + 100)")
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            return try #require(FileManager.default.contents(atPath: path))
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return Data(bytes)
    }

    @Test(arguments: Damage.allCases)
    func damagedDatabaseGetsOneLineAndStaysUntouched(damage: Damage) async throws {
        let scratch = try ScratchDirectory("corrupt-\(damage.rawValue)")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let original = try await makeDatabase(crawl, scratch)
        let path = scratch.path + "/damaged.db"
        let bytes = try damaged(original, damage, path: path)
        let needle: String
        switch damage {
        case .randomBytes: needle = "is not a crawl database"
        case .garbledSchemaPage, .truncatedToHalf: needle = "is damaged"
        case .futureSchema: needle = "written by a newer crawl"
        }
        let commands: [[String]] = [
            ["start", BadInputTests.unreachableSeed, "--db", path, "--out", scratch.out, "--ignore-robots"],
            ["resume", "--db", path], ["stats", "--db", path], ["stats", "--db", path, "--json"],
        ]
        for command in commands {
            let result = try await crawl.run(command, timeout: 30)
            #expect(result.code == 1, "\(command[0]): \(result)")
            #expect(result.stderrLines.count == 1, "\(command[0]): want one line on stderr: \(result)")
            #expect(result.stderr.hasPrefix("crawl: error: "), "\(command[0]): \(result)")
            #expect(result.stderr.contains(path) && result.stderr.contains(needle), "\(command[0]): want '\(needle)': \(result)")
            #expect(FileManager.default.contents(atPath: path) == bytes, "\(command[0]) changed the file")
        }
    }

    @Test func zeroLengthFileIsNoJobForResumeAndStatsAndANewDatabaseForStart() async throws {
        let scratch = try ScratchDirectory("corrupt-empty")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        #expect(FileManager.default.createFile(atPath: scratch.db, contents: Data()))
        for command in [["resume"], ["stats"], ["stats", "--json"]] {
            let result = try await crawl.run(command + ["--db", scratch.db], timeout: 30)
            #expect(result.code == 1, "\(command[0]): \(result)")
            #expect(result.stderrLines == ["crawl: error: \(scratch.db) holds no crawl job; create one with `crawl start URL --db \(scratch.db)`"],
                    "\(command[0]): \(result)")
            let size = try FileManager.default.attributesOfItem(atPath: scratch.db)[.size] as? Int
            #expect(size == 0, "\(command[0]) wrote into the empty file")
        }
        // An empty file is what `mktemp` makes: `start` takes it as a new database.
        let started = try await crawl.run(
            ["start", BadInputTests.unreachableSeed, "--db", scratch.db, "--out", scratch.out, "--ignore-robots",
             "--delay", "0", "--retries", "0", "--quiet"],
            timeout: 30)
        #expect(started.code == 0, "\(started)")
        #expect(try CrawlDatabase.column(scratch.db, "SELECT url || ' ' || state FROM urls") == [BadInputTests.unreachableSeed + " failed"])
    }
}
