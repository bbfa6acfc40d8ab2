import Foundation
import Testing

@testable import CrawlCore

/// The disk fills up under a crawl: bodies on a full `--out` (ext4), WARC files on a full `--warc`
/// (ext4), the database on a full disk (tmpfs), and the same through a file size limit
/// (`ulimit -f`, EFBIG). Each time the run stops at once with
/// one clear line and exit 74, records no URL as failed for it, leaves the database intact, and
/// `crawl resume` completes once space is freed.
@Suite("crawl: disk full")
struct DiskFullTests {
    static let concurrency = 8

    /// `start` arguments for a crawl of `server` (robots obeyed, images fetched, no delay).
    private func startArguments(_ server: FixtureServer, db: String, out: String) -> [String] {
        ["start", server.seed] + server.allowOtherHosts
            + ["--db", db, "--out", out, "--concurrency", "\(Self.concurrency)", "--per-host", "4", "--delay", "0", "--quiet"]
    }

    @Test func bodiesFillOutThenResumeCompletesAfterSpaceIsFreed() async throws {
        let scratch = try ScratchDirectory("diskfull-out")
        defer { scratch.remove() }
        // A real disk (ext4 on a loop device), full: the first body's directory is refused (ENOSPC
        // from mkdir, which must not turn into the ENOENT of the open that would follow it).
        let disk = try await SmallDisk.ext4(at: scratch.out, megabytes: 8, logDirectory: scratch.path)
        defer { disk.unmount() }
        try FileManager.default.createDirectory(atPath: scratch.out + "/tmp", withIntermediateDirectories: true)
        let filler = try disk.fill()
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 131, pages: 100, images: 10, paragraphs: 40), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        let full = try await crawl.run(startArguments(server, db: scratch.db, out: scratch.out), timeout: 60)
        try expectStoppedForSpace(full, mentioning: ["no space for bodies", "cannot write to \(scratch.out)/", "No space left on device"])
        try expectStoppedCleanly(db: scratch.db, out: scratch.out, server: server)
        #expect(try CrawlDatabase.column(scratch.db, "SELECT end_reason FROM runs") == ["error"])

        try disk.free(filler)
        try await expectResumeCompletes(crawl, db: scratch.db, out: scratch.out, server: server)
    }

    @Test func warcRecordsFillTheirDiskThenResumeCompletesAfterSpaceIsFreed() async throws {
        let scratch = try ScratchDirectory("diskfull-warc")
        defer { scratch.remove() }
        let disk = try await SmallDisk.ext4(at: scratch.path + "/warcdisk", megabytes: 8, logDirectory: scratch.path)
        defer { disk.unmount() }
        let warc = disk.path + "/warc"
        try FileManager.default.createDirectory(atPath: warc, withIntermediateDirectories: true)
        let filler = try disk.fill()
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 136, pages: 100, images: 10, paragraphs: 40), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        let full = try await crawl.run(startArguments(server, db: scratch.db, out: scratch.out) + ["--warc", warc], timeout: 60)
        try expectStoppedForSpace(full, mentioning: ["no space for WARC files", warc, "No space left on device"])
        try expectStoppedCleanly(db: scratch.db, out: scratch.out, server: server)

        try disk.free(filler)
        try await expectResumeCompletes(crawl, db: scratch.db, out: scratch.out, server: server)
    }

    @Test func databaseFillsItsDiskThenResumeCompletesAfterSpaceIsFreed() async throws {
        let scratch = try ScratchDirectory("diskfull-db")
        defer { scratch.remove() }
        let disk = try await SmallDisk.tmpfs(at: scratch.path + "/dbdisk", kilobytes: 256, logDirectory: scratch.path)
        defer { disk.unmount() }
        let db = disk.path + "/crawl.db"
        // Thousands of links: the URL rows outgrow 256 KiB long before the crawl ends.
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 141, pages: 100, images: 10), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        let full = try await crawl.run(startArguments(server, db: db, out: scratch.out), timeout: 60)
        try expectStoppedForSpace(full, mentioning: ["database \(db) cannot grow", "full"])
        try expectStoppedCleanly(db: db, out: scratch.out, server: server)

        try await disk.grow(toKilobytes: 64 * 1024)
        try await expectResumeCompletes(crawl, db: db, out: scratch.out, server: server)
    }

    @Test func fileSizeLimitOnABodyStopsTheRunThenResumeCompletes() async throws {
        let scratch = try ScratchDirectory("diskfull-fsize-body")
        defer { scratch.remove() }
        // Pages of about 435 KB against a 256 KiB file size limit; the database stays far below it.
        let server = try await FixtureServer(.init(hosts: 1, firstIP: 151, pages: 6, images: 2, paragraphs: 1500), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        let limited = try await runWithFileSizeLimit(kilobytes: 256, crawl, startArguments(server, db: scratch.db, out: scratch.out), in: scratch.path)
        try expectStoppedForSpace(limited, mentioning: ["no space for bodies", "File too large"])
        try expectStoppedCleanly(db: scratch.db, out: scratch.out, server: server)
        try await expectResumeCompletes(crawl, db: scratch.db, out: scratch.out, server: server)
    }

    @Test func fileSizeLimitOnTheDatabaseStopsTheRunThenResumeCompletes() async throws {
        let scratch = try ScratchDirectory("diskfull-fsize-db")
        defer { scratch.remove() }
        let server = try await FixtureServer(.init(hosts: 2, firstIP: 156, pages: 100, images: 10), in: scratch.path)
        defer { server.stop() }
        let crawl = try CrawlRunner(directory: scratch.path)

        // Small bodies, but the database and its WAL outgrow 160 KiB.
        let limited = try await runWithFileSizeLimit(kilobytes: 160, crawl, startArguments(server, db: scratch.db, out: scratch.out), in: scratch.path)
        try expectStoppedForSpace(limited, mentioning: ["database \(scratch.db) cannot grow"])
        try expectStoppedCleanly(db: scratch.db, out: scratch.out, server: server)
        try await expectResumeCompletes(crawl, db: scratch.db, out: scratch.out, server: server)
    }

    // MARK: checks

    /// `crawl` under bash's `ulimit -f` (KiB): writing past it fails with EFBIG (crawl ignores SIGXFSZ).
    private func runWithFileSizeLimit(kilobytes: Int, _ crawl: CrawlRunner, _ arguments: [String], in directory: String)
        async throws -> CommandResult
    {
        try await ChildProcess.run(
            "/bin/bash", ["-c", "ulimit -f \(kilobytes) && exec \"$0\" \"$@\"", crawl.binary] + arguments,
            in: directory, name: "crawl-fsize-\(kilobytes)", timeout: 60)
    }

    /// Exit 74 and one `crawl: error:` line, the last one, that says what filled up and what to do.
    private func expectStoppedForSpace(_ result: CommandResult, mentioning needles: [String],
                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.code == 74, "want exit 74 (disk full): \(result)", sourceLocation: sourceLocation)
        let errors = result.stderrLines.filter { $0.hasPrefix("crawl: error: ") }
        #expect(errors.count == 1 && result.stderrLines.last == errors.first,
                "want one closing `crawl: error:` line: \(result)", sourceLocation: sourceLocation)
        for needle in needles + ["crawl resume"] {
            #expect(errors.first?.contains(needle) ?? false, "error line lacks '\(needle)': \(result)", sourceLocation: sourceLocation)
        }
        // --quiet: the error as it is logged when the run stops, and the closing line. No URL's
        // failure is logged one by one.
        #expect(result.stderrLines.count <= 2, "\(result)", sourceLocation: sourceLocation)
    }

    /// The run stopped early, failed no URL for the disk, and left an intact database and no temp file.
    private func expectStoppedCleanly(db: String, out: String, server: FixtureServer,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try CrawlDatabase.integrityCheck(db) == ["ok"], sourceLocation: sourceLocation)
        let rows = try CrawlDatabase.urls(db)
        let wrongFailures = rows.values.filter { $0.state == "failed" && $0.errorKind != "http_404" }.map { "\($0.url) \($0.errorKind ?? "")" }
        #expect(wrongFailures.isEmpty, "URLs failed for the disk: \(sample(wrongFailures))", sourceLocation: sourceLocation)
        let doneWithoutBody = rows.values.filter { $0.state == "done" && $0.status == 200 }.filter { row in
            !FileManager.default.fileExists(atPath: out + "/" + (row.bodyPath ?? "missing"))
        }.map(\.url)
        #expect(doneWithoutBody.isEmpty, "done rows without their body: \(sample(doneWithoutBody))", sourceLocation: sourceLocation)
        let requested = server.requests().count
        #expect(requested < server.manifest.requestedOnce.count,
                "the run went on after the disk filled: \(requested) requests", sourceLocation: sourceLocation)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out + "/tmp")) ?? []
        #expect(leftovers.isEmpty, "temp files left: \(sample(leftovers))", sourceLocation: sourceLocation)
    }

    /// `crawl resume` completes the job: every URL as the site says, every body in place, each URL
    /// requested once but for those fetched and not committed when the disk filled (at most
    /// 2 × `--concurrency`: in flight, being parsed or waiting for the writer).
    private func expectResumeCompletes(_ crawl: CrawlRunner, db: String, out: String, server: FixtureServer,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let resumed = try await crawl.run(["resume", "--db", db, "--quiet"], timeout: 90)
        #expect(resumed.code == 0, "\(resumed)", sourceLocation: sourceLocation)
        #expect(try CrawlDatabase.integrityCheck(db) == ["ok"], sourceLocation: sourceLocation)
        let rows = try CrawlDatabase.urls(db)
        CoverageChecks.expectRows(rows, manifest: server.manifest, sourceLocation: sourceLocation)
        CoverageChecks.expectBodies(rows, out: out, manifest: server.manifest, sourceLocation: sourceLocation)
        let audit = CrawlAudit(server.requests())
        let once = server.manifest.requestedOnce
        #expect(audit.notRequested(once).isEmpty, "never requested: \(sample(audit.notRequested(once)))", sourceLocation: sourceLocation)
        #expect(audit.duplicateRequests <= 2 * Self.concurrency,
                "\(audit.duplicateRequests) repeated requests: \(sample(audit.requestedMoreThanOnce(once)))", sourceLocation: sourceLocation)
        #expect(try CrawlDatabase.column(db, "SELECT end_reason FROM runs ORDER BY id").last == "drained", sourceLocation: sourceLocation)
    }
}
