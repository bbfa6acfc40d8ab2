import Foundation
import Testing

@testable import CrawlCore

/// Wrong seeds, databases that cannot be used, and the wrong subcommand for a database: the right
/// exit code, one clear line on stderr, and nobody's file touched.
@Suite("crawl: bad input")
struct BadInputTests {
    /// Connecting to port 1 is refused: a seed that fails fast without a server.
    static let unreachableSeed = "http://127.0.0.41:1/"

    private func expectOneLine(_ result: CommandResult, containing needles: [String],
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.stderrLines.count == 1, "want one line on stderr: \(result)", sourceLocation: sourceLocation)
        for needle in needles {
            #expect(result.stderr.localizedCaseInsensitiveContains(needle), "stderr lacks '\(needle)': \(result)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: ["ht!tp://x", "ftp://x/", "http://", "not a url"])
    func invalidSeedIsAUsageError(seed: String) async throws {
        let scratch = try ScratchDirectory("badseed")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let result = try await crawl.run(["start", seed, "--db", scratch.db], timeout: 30)
        #expect(result.code == 2, "\(result)")
        expectOneLine(result, containing: [seed])
        #expect(!FileManager.default.fileExists(atPath: scratch.db), "a usage error must not create the database")
    }

    @Test(arguments: ["/proc/crawl-test.db", "MISSING_DIR/sub/crawl.db"])
    func unwritableDatabasePathFails(path: String) async throws {
        let scratch = try ScratchDirectory("unwritable")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let db = path.replacingOccurrences(of: "MISSING_DIR", with: scratch.path + "/no-such-dir")
        let result = try await crawl.run(["start", Self.unreachableSeed, "--db", db, "--out", scratch.out], timeout: 30)
        #expect(result.code == 1, "\(result)")
        expectOneLine(result, containing: [db])
    }

    @Test func textFileIsNotACrawlDatabaseAndStaysUntouched() async throws {
        let scratch = try ScratchDirectory("textdb")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let db = scratch.path + "/notes.txt"
        let original = Data(String(repeating: "These are my notes, not a database.\n", count: 64).utf8)
        try original.write(to: URL(fileURLWithPath: db))
        for command in [["start", Self.unreachableSeed, "--out", scratch.out], ["resume"], ["stats"]] {
            let result = try await crawl.run(command + ["--db", db], timeout: 30)
            #expect(result.code == 1, "\(command[0]): \(result)")
            expectOneLine(result, containing: ["not a crawl database"])
            #expect(FileManager.default.contents(atPath: db) == original, "\(command[0]) changed the file")
        }
        let siblings = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix("notes.txt-") }
        #expect(siblings.isEmpty, "journal files were created: \(siblings)")
    }

    @Test func sqliteDatabaseOfAnotherProgramIsRefusedAndStaysUntouched() async throws {
        let scratch = try ScratchDirectory("foreigndb")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let db = scratch.path + "/other.db"
        do {
            let connection = try SQLiteConnection(path: db)
            try connection.execute("""
                CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
                INSERT INTO notes (body) VALUES ('groceries'), ('dentist');
                """)
            connection.close()
        }
        let original = try #require(FileManager.default.contents(atPath: db))
        for command in [["start", Self.unreachableSeed], ["resume"]] {
            let result = try await crawl.run(command + ["--db", db, "--out", scratch.out], timeout: 30)
            #expect(result.code == 1, "\(command[0]): \(result)")
            expectOneLine(result, containing: ["not a crawl database"])
            #expect(FileManager.default.contents(atPath: db) == original, "\(command[0]) changed the file")
        }
        #expect(try CrawlDatabase.column(db, "SELECT body FROM notes ORDER BY id") == ["groceries", "dentist"])
    }

    @Test func startOnADatabaseWithAJobPointsToResume() async throws {
        let scratch = try ScratchDirectory("jobexists")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        // A finished job: the only URL fails at once (connection refused), robots ignored.
        let first = try await crawl.run(
            ["start", Self.unreachableSeed, "--db", scratch.db, "--out", scratch.out, "--ignore-robots", "--delay", "0",
             "--retries", "0"],
            timeout: 30)
        #expect(first.code == 0, "\(first)")
        let before = try CrawlDatabase.column(scratch.db, "SELECT url || ' ' || state FROM urls ORDER BY id")
        #expect(before == [Self.unreachableSeed + " failed"])

        let again = try await crawl.run(["start", "http://127.0.0.41:2/", "--db", scratch.db, "--out", scratch.out], timeout: 30)
        #expect(again.code == 1, "\(again)")
        expectOneLine(again, containing: ["crawl resume"])
        let after = try CrawlDatabase.column(scratch.db, "SELECT url || ' ' || state FROM urls ORDER BY id")
        #expect(after == before, "a refused start must not add seeds")
        #expect(try CrawlDatabase.column(scratch.db, "SELECT count(*) FROM runs") == ["1"])
    }

    @Test func resumeOrStatsOnAMissingDatabaseFails() async throws {
        let scratch = try ScratchDirectory("missingdb")
        defer { scratch.remove() }
        let crawl = try CrawlRunner(directory: scratch.path)
        let db = scratch.path + "/absent.db"
        for command in ["resume", "stats"] {
            let result = try await crawl.run([command, "--db", db], timeout: 30)
            #expect(result.code == 1, "\(command): \(result)")
            expectOneLine(result, containing: [db])
            #expect(!FileManager.default.fileExists(atPath: db), "\(command) created the database")
        }
    }
}
