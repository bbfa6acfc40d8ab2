import Foundation
import Testing

@testable import CrawlCore

/// Which storage errors stop a run as "disk full" (exit 74, resume once there is room) and how
/// they read; the end-to-end behaviour is in CrawlIntegrationTests/DiskFullTests.
@Suite("disk-full errors")
struct DiskFullErrorTests {
    @Test func aDatabaseAtItsSizeLimitIsDiskFullAndRollsBack() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path + "/full.db"
        let connection = try SQLiteConnection(path: path)
        defer { connection.close() }
        try connection.execute("CREATE TABLE t (x BLOB); INSERT INTO t VALUES (zeroblob(100))")
        // SQLITE_FULL without a full disk: the file may not grow past 16 pages.
        try connection.execute("PRAGMA max_page_count = 16")
        var caught: StoreError?
        do {
            try connection.transaction { () throws(StoreError) in
                for _ in 0..<64 { try connection.execute("INSERT INTO t VALUES (zeroblob(4000))") }
            }
        } catch {
            caught = error
        }
        let error = try #require(caught, "64 rows of 4 KB fit in 16 pages")
        #expect(error.isDiskFull, "\(error)")
        #expect(error.description.hasPrefix("database \(path) cannot grow: "), "\(error)")
        #expect(error.description.contains("crawl resume"), "\(error)")
        #expect(try connection.scalarInt("SELECT count(*) FROM t") == 1, "the failed transaction was not rolled back")
    }

    @Test(arguments: [(ENOSPC, true), (EDQUOT, true), (EFBIG, true), (EACCES, false), (EROFS, false), (EIO, false)])
    func bodyWriteFailuresStopTheRunAsDiskFullOnlyForSpace(code: Int32, isDiskFull: Bool) {
        let error = CrawlError.output(.io(path: "/data/out/ab/cd/abcd", errno: code))
        #expect(error.isDiskFull == isDiskFull)
        #expect(error.description.contains("/data/out/ab/cd/abcd: \(String(cString: strerror(code)))"), "\(error)")
        #expect(error.description.contains("crawl resume") == isDiskFull, "\(error)")
    }
}
