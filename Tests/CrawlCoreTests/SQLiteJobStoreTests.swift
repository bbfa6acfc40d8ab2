import CSQLite
import Foundation
import Testing
@testable import CrawlCore

@Suite struct SQLiteJobStoreTests {
    @Test func createClaimRecordAndRequeue() async throws {
        try await withStore { store, _ in
            let hosts = try await store.hosts()
            #expect(hosts.map(\.origin) == ["http://a.test"])
            let claimed = try await store.claim([ClaimRequest(hostID: hosts[0].id, limit: 10)], now: 0)
            #expect(claimed.map(\.url) == ["http://a.test/"])
            #expect(claimed.first?.kind == .seed)
            // Claimed URLs are in flight: not claimed twice.
            #expect(try await store.claim([ClaimRequest(hostID: hosts[0].id, limit: 10)], now: 0).isEmpty)

            var result = URLResult(urlID: claimed[0].id, hostID: hosts[0].id, state: .done)
            result.fetched = true
            result.status = 200
            result.bytes = 10
            result.links = [link("http://a.test/x"), link("http://a.test/x"), link("http://b.test/y"), link("http://a.test/")]
            var batch = ResultBatch()
            batch.results = [result]
            let receipt = try await store.record(batch)
            // Duplicates and the already-known seed are ignored by the unique index.
            #expect(receipt.newURLs == 2)
            #expect(receipt.newHosts.map(\.origin) == ["http://b.test"])
            #expect(receipt.hostsWithNewWork.count == 2)

            let stats = try await store.stats()
            #expect(stats.urls.total == 3)
            #expect(stats.urls.done == 1)
            #expect(stats.urls.queued == 2)
            #expect(stats.status["200"] == 1)

            let more = try await store.claim([ClaimRequest(hostID: hosts[0].id, limit: 10)], now: 0)
            #expect(more.map(\.url) == ["http://a.test/x"])
            #expect(more.first?.depth == 1)
            #expect(try await store.requeueInterrupted() == 1)
            #expect(try await store.stats().urls.queued == 2)
        }
    }

    @Test func linksKnownFromAnEarlierBatchAreNotNewAgain() async throws {
        try await withStore { store, _ in
            let host = try await store.hosts()[0]
            let claimed = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 0)
            func page(_ links: [String]) -> ResultBatch {
                var result = URLResult(urlID: claimed[0].id, hostID: host.id, state: .done)
                result.fetched = true
                result.links = links.map { CrawlCoreTests.link($0) }
                var batch = ResultBatch()
                batch.results = [result]
                return batch
            }
            #expect(try await store.record(page(["http://a.test/1", "http://a.test/2"])).newURLs == 2)
            // Known ones are skipped (by the filter or the unique index); the new one still lands.
            let receipt = try await store.record(page(["http://a.test/2", "http://a.test/1", "http://a.test/3"]))
            #expect(receipt.newURLs == 1)
            #expect(try await store.stats().urls.total == 4)
        }
    }

    /// A transfer that failed after its status line (a 200 cut by a reset, a 503) is queued again
    /// with that status; its retry must be a first fetch, not a revisit of content it never had.
    @Test func aRetryOfAFailedAttemptIsNotARevisit() async throws {
        try await withStore { store, _ in
            let host = try await store.hosts()[0]
            var claimed = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 0)
            for status in [200, 503] {
                var result = URLResult(urlID: claimed[0].id, hostID: host.id, state: .queued)
                result.fetched = true
                result.status = status
                result.errorKind = status == 200 ? "reset" : "http_503"
                result.fetchedAt = 100
                result.nextAttemptAt = 0
                var batch = ResultBatch()
                batch.results = [result]
                _ = try await store.record(batch)
                claimed = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 1)
                #expect(claimed.map(\.url) == ["http://a.test/"])
                #expect(claimed.first?.previous == nil, "status \(status): \(String(describing: claimed.first?.previous))")
            }
            // A stored body makes it a revisit, even when it is claimed from the queue (a revisit
            // interrupted by a kill is queued again).
            var done = URLResult(urlID: claimed[0].id, hostID: host.id, state: .queued)
            done.fetched = true
            done.status = 200
            done.contentHash = String(repeating: "ab", count: 32)
            done.fetchedAt = 100
            done.nextAttemptAt = 0
            var batch = ResultBatch()
            batch.results = [done]
            _ = try await store.record(batch)
            claimed = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 1)
            #expect(claimed.first?.previous?.contentHash == done.contentHash)
        }
    }

    /// Claims are kept in memory: a claim writes nothing, later claims skip claimed URLs (queued
    /// ones and revisits) until their results are recorded, and `requeueInterrupted` ends them and
    /// puts back rows an older version left `in_flight`.
    @Test func claimsSkipClaimedURLsWithoutWritingThem() async throws {
        try await withStore { store, _ in
            let host = try await store.hosts()[0]
            let seed = try await store.claim([ClaimRequest(hostID: host.id, limit: 1)], now: 0)
            var found = URLResult(urlID: seed[0].id, hostID: host.id, state: .done)
            found.fetched = true
            found.fetchedAt = 10
            found.contentHash = String(repeating: "cd", count: 32)
            found.links = (1...5).map { link("http://a.test/\($0)") }
            var batch = ResultBatch()
            batch.results = [found]
            _ = try await store.record(batch)

            let first = try await store.claim([ClaimRequest(hostID: host.id, limit: 2)], now: 0)
            let second = try await store.claim([ClaimRequest(hostID: host.id, limit: 2)], now: 0)
            #expect(first.map(\.url) == ["http://a.test/1", "http://a.test/2"])
            #expect(second.map(\.url) == ["http://a.test/3", "http://a.test/4"])
            // Nothing was written: every claimed row is still queued.
            #expect(try await store.stats().urls.queued == 5)
            #expect(try await store.stats().urls.inFlight == 0)

            // A recorded retry can be claimed again; a claimed revisit is not handed out twice.
            var retry = URLResult(urlID: first[0].id, hostID: host.id, state: .queued)
            retry.nextAttemptAt = 0
            batch.results = [retry]
            _ = try await store.record(batch)
            let third = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 0, revisitFetchedBefore: 20)
            #expect(third.urls.map(\.url) == ["http://a.test/1", "http://a.test/5", "http://a.test/"])
            #expect(try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 0, revisitFetchedBefore: 20).urls.isEmpty)

            // A row an older version left in_flight goes back to the queue with the claims.
            try await store.thread.run { _ in
                try store.connection.execute("UPDATE urls SET state = 'in_flight' WHERE url = 'http://a.test/5'")
            }
            // Claims held: 2, 3, 4, then 1, 5 and the seed's revisit; plus the one row.
            #expect(try await store.requeueInterrupted() == 7)
            let again = try await store.claim([ClaimRequest(hostID: host.id, limit: 10)], now: 0, revisitFetchedBefore: 20)
            #expect(again.urls.map(\.url) == (1...5).map { "http://a.test/\($0)" } + ["http://a.test/"])
        }
    }

    @Test func secondJobIsRefused() async throws {
        try await withStore { store, _ in
            await #expect(throws: StoreError.self) {
                _ = try await store.createJob(seeds: [makeURL("http://c.test/")], settings: CrawlSettings())
            }
        }
    }

    @Test func statsOpenReadOnlyWhileAWriterHoldsTheDatabase() async throws {
        try await withStore { _, path in
            let stats = try SQLiteJobStore.readStats(path: path)
            #expect(stats.urls.queued == 1)
            #expect(stats.hosts == 1)
        }
    }

    @Test func refusesAFileThatIsNotADatabase() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path + "/notes.txt"
        let text = String(repeating: "not a database\n", count: 100)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        await #expect { _ = try await SQLiteJobStore(path: path, mode: .open) } throws: { error in
            guard case StoreError.notACrawlDatabase = error else { return false }
            return true
        }
        // Nothing was written to it.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func refusesAnotherProgramsDatabaseAndANewerSchema() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let foreign = directory.path + "/foreign.db"
        let connection = try SQLiteConnection(path: foreign)
        try connection.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        connection.close()
        await #expect { _ = try await SQLiteJobStore(path: foreign, mode: .open) } throws: { error in
            guard case StoreError.notACrawlDatabase = error else { return false }
            return true
        }

        let newer = directory.path + "/newer.db"
        let store = try await SQLiteJobStore(path: newer, mode: .create)
        await store.close()
        let raw = try SQLiteConnection(path: newer)
        try raw.execute("PRAGMA user_version = \(Migration.latestVersion + 1)")
        raw.close()
        await #expect { _ = try await SQLiteJobStore(path: newer, mode: .open) } throws: { error in
            guard case let StoreError.newerSchema(_, found, _) = error else { return false }
            return found == Migration.latestVersion + 1
        }
    }

    @Test func missingDatabaseForResumeSaysSo() async throws {
        await #expect { _ = try await SQLiteJobStore(path: "/nonexistent-dir/x.db", mode: .open) } throws: { error in
            guard case StoreError.noJob = error else { return false }
            return true
        }
        await #expect { _ = try await SQLiteJobStore(path: "/nonexistent-dir/x.db", mode: .create) } throws: { error in
            guard case StoreError.cannotOpen = error else { return false }
            return true
        }
    }

    @Test func robotsAndRunCountersAreStored() async throws {
        try await withStore { store, _ in
            let host = try await store.hosts()[0]
            let run = try await store.beginRun(command: "start", pid: 1, startedAt: 100)
            var batch = ResultBatch()
            batch.runID = run
            batch.robots = [RobotsUpdate(hostID: host.id, state: .rules, status: 200, body: "User-agent: *\nDisallow: /x",
                                         fetchedAt: 100, error: nil, crawlDelayMS: nil)]
            let claimed = try await store.claim([ClaimRequest(hostID: host.id, limit: 1)], now: 0)
            var result = URLResult(urlID: claimed[0].id, hostID: host.id, state: .failed)
            result.fetched = true
            result.errorKind = "timeout"
            batch.results = [result]
            _ = try await store.record(batch)
            try await store.endRun(run, summary: RunSummary(endedAt: 110, endReason: "drained", fetched: 1, newURLs: 0, errors: 1, bytes: 0))
            let reloaded = try await store.hosts()[0]
            #expect(reloaded.robotsState == .rules)
            #expect(reloaded.robotsBody == "User-agent: *\nDisallow: /x")
            let stats = try await store.stats()
            #expect(stats.errors["timeout"] == 1)
            #expect(stats.lastRun?.fetched == 1)
            #expect(stats.lastRun?.endReason == "drained")
            #expect(stats.lastRun?.durationSeconds == 10)
        }
    }
}

@Suite struct BatchTallyTests {
    @Test func countsEachResultOnceByItsStateAndOutcome() {
        func result(_ state: URLState, fetched: Bool = true, outcome: FetchOutcome?, bytes: Int? = nil) -> URLResult {
            var r = URLResult(urlID: 1, hostID: 1, state: state)
            r.fetched = fetched
            r.outcome = outcome
            r.bytes = bytes
            return r
        }
        let tally = BatchTally([
            result(.done, outcome: .new, bytes: 10),
            result(.done, outcome: .changed, bytes: 5),
            result(.done, outcome: .notModified),
            result(.done, outcome: .unchanged, bytes: 7),
            result(.failed, outcome: .gone),
            result(.queued, outcome: .error),                  // a retry: fetched, not an error yet
            result(.skipped, fetched: false, outcome: nil),    // robots: neither fetched nor an error
        ])
        #expect(tally.fetched == 6)
        #expect(tally.errors == 1)
        #expect(tally.bytes == 22)
        let outcomes: [Int] = [tally.newPages, tally.changed, tally.unchanged, tally.gone]
        #expect(outcomes == [1, 1, 2, 1])
    }
}
