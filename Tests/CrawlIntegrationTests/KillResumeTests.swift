import Foundation
import Testing

@testable import CrawlCore

/// Crash torture, short form (the full one is `make torture`, scripts/torture.py): kill -9 at
/// seeded random moments, `crawl resume` each time. Nothing is lost, each kill re-fetches at most
/// what was fetched and not committed (2 × `--concurrency`), the database stays intact, every
/// done row has its body, and no temp file survives.
@Suite("crawl resume after kill -9")
struct KillResumeTests {
    static let concurrency = 8
    /// Fetches started and not committed at any instant: what one kill may cost again.
    static let uncommittedBound = 2 * concurrency

    @Test func killNineAtSeededMomentsThenResumeCoversEverything() async throws {
        let scratch = try ScratchDirectory("kill")
        defer { scratch.remove() }
        // 40 ms per response and at most 6 transfers at once (3 hosts x 2): about 150 requests/s,
        // so the ~600 requests of the site take ≥ 4 s.
        let server = try await FixtureServer(
            .init(hosts: 3, firstIP: 31, pages: 150, images: 20, delayMS: 40, slowSleep: 0.2), in: scratch.path)
        defer { server.stop() }
        let manifest = server.manifest
        let crawl = try CrawlRunner(directory: scratch.path)
        let expectedTotal = manifest.requestedOnce.count
        #expect(expectedTotal >= 550, "site too small for the kill points: \(expectedTotal)")

        // Kill points: cumulative requests the server has seen, drawn from a seeded generator
        // (the same every run), at least 40 requests apart so that every run makes progress.
        var generator = SeededGenerator(seed: UInt64(ProcessInfo.processInfo.environment["CRAWL_TORTURE_SEED"].flatMap(UInt64.init) ?? 6))
        let killPoints = Self.killPoints(count: 3, within: (expectedTotal / 10)...(expectedTotal * 4 / 5), gap: 40, using: &generator)
        var arguments = ["start", server.seed] + server.allowOtherHosts
            + ["--db", scratch.db, "--out", scratch.out, "--concurrency", "\(Self.concurrency)", "--per-host", "2", "--delay", "0"]
        var duplicatesBefore = 0
        var duplicatesPerKill: [Int] = []
        var plantedTemporaryFiles: [String] = []
        for (round, point) in killPoints.enumerated() {
            let child = try crawl.launch(arguments)
            let reached = await server.kill(child, atRequests: point, seconds: 60)
            child.terminate()  // after the kill a no-op; stops a crawl that stalled short of the point
            let exit = await child.wait(seconds: 10)
            try #require(reached >= point, """
                round \(round): \(reached) requests, then \(exit.map(\.description) ?? "still running") \
                short of the kill point \(point); stderr: \(child.stderr)
                """)
            #expect(exit == .signaled(SIGKILL), "round \(round): \(exit.map(\.description) ?? "still running")")
            // What was re-fetched by this run is what the kill before it left in flight.
            let duplicates = CrawlAudit(server.requests()).duplicateRequests
            if round == 0 {
                #expect(duplicates == 0, "the first run, before any kill, requested URLs twice")
            } else {
                duplicatesPerKill.append(duplicates - duplicatesBefore)
            }
            duplicatesBefore = duplicates
            // A body write cut short by the kill leaves its temp file: resume must remove it.
            let planted = scratch.out + "/tmp/\(String(repeating: "ab", count: 32)).\(child.pid).\(round)"
            #expect(FileManager.default.createFile(atPath: planted, contents: Data("half a body".utf8)))
            plantedTemporaryFiles.append(planted)
            arguments = ["resume", "--db", scratch.db]
        }

        let final = try await crawl.run(["resume", "--db", scratch.db], timeout: 90)
        #expect(final.code == 0, "\(final)")
        let audit = CrawlAudit(server.requests())
        duplicatesPerKill.append(audit.duplicateRequests - duplicatesBefore)
        print("crash torture: kills at requests \(killPoints), duplicates per kill \(duplicatesPerKill), total \(audit.duplicateRequests)")

        let once = manifest.requestedOnce
        let never = manifest.category("disallowed").union(manifest.category("never"))
        #expect(audit.notRequested(once).isEmpty, "never requested: \(sample(audit.notRequested(once)))")
        #expect(audit.requested(never).isEmpty, "must never be requested: \(sample(audit.requested(never)))")
        #expect(audit.outside(once.union(never)).isEmpty, "not in the manifest: \(sample(audit.outside(once.union(never))))")
        for (kill, duplicates) in duplicatesPerKill.enumerated() {
            #expect(duplicates <= Self.uncommittedBound,
                    "kill \(kill + 1): \(duplicates) repeated requests (at most 2 × --concurrency = \(Self.uncommittedBound))")
        }
        #expect(audit.duplicateRequests <= killPoints.count * Self.uncommittedBound,
                "\(audit.duplicateRequests) repeated requests: \(sample(audit.requestedMoreThanOnce(once)))")

        #expect(try CrawlDatabase.integrityCheck(scratch.db) == ["ok"])
        let rows = try CrawlDatabase.urls(scratch.db)
        CoverageChecks.expectRows(rows, manifest: manifest)
        CoverageChecks.expectBodies(rows, out: scratch.out, manifest: manifest)
        let survivors = plantedTemporaryFiles.filter { FileManager.default.fileExists(atPath: $0) }
        #expect(survivors.isEmpty, "temp files not removed by resume: \(sample(survivors))")
        let strays = try Self.filesNotContentAddressed(under: scratch.out)
        #expect(strays.isEmpty, "files under --out that are not bodies stored by their hash: \(sample(strays))")
        let reasons = try CrawlDatabase.column(scratch.db, "SELECT coalesce(end_reason, 'NULL') FROM runs ORDER BY id")
        #expect(reasons == Array(repeating: "interrupted", count: killPoints.count) + ["drained"])

        let stats = try await CoverageChecks.stats(crawl, db: scratch.db)
        #expect(stats.int("urls", "queued") == 0)
        #expect(stats.int("runs") == killPoints.count + 1)
    }

    /// `count` sorted request counts in `range`, each at least `gap` after the one before.
    static func killPoints(count: Int, within range: ClosedRange<Int>, gap: Int, using generator: inout SeededGenerator) -> [Int] {
        let slack = range.count - 1 - gap * (count - 1)
        precondition(slack >= 0, "range too small for \(count) points \(gap) apart")
        let offsets = (0..<count).map { _ in Int.random(in: 0...slack, using: &generator) }.sorted()
        return offsets.enumerated().map { index, offset in range.lowerBound + offset + index * gap }
    }

    /// Every file under `out` that is not `ab/abcd…` (64 hex digits) holding bytes whose
    /// SHA-256 is its name: a temp file left behind, or a body stored wrongly.
    static func filesNotContentAddressed(under out: String) throws -> [String] {
        var strays: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: out) else { return [out] }
        while let relative = walker.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: out + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let parts = relative.split(separator: "/").map(String.init)
            guard parts.count == 2, let name = parts.last, name.count == 64, name.allSatisfy(\.isHexDigit),
                  name.hasPrefix(parts[0]),
                  let data = FileManager.default.contents(atPath: out + "/" + relative),
                  ContentHash.sha256Hex([UInt8](data)) == name
            else {
                strays.append(relative)
                continue
            }
        }
        return strays
    }
}
