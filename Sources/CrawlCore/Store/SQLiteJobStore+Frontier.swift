import CSQLite
import Foundation

extension SQLiteJobStore {
    public func claim(_ requests: [ClaimRequest], now: Double, revisitFetchedBefore: Double?) async throws -> ClaimBatch {
        try await thread.run { _ in try self.claimOnThread(requests, now: now, revisitFetchedBefore: revisitFetchedBefore) }
    }

    /// Selects each host's due queued URLs in frontier order, then (with `revisitFetchedBefore`)
    /// its done URLs last fetched before then, oldest first, skipping URLs claimed earlier in this
    /// run and not yet recorded. Writes nothing: a claim lives in ``claimedURLs`` until the URL's
    /// result is recorded (or the run ends), so it costs no row update, index update or commit.
    /// One process holds the job at a time (``RunLock``), so no other claimer can see the rows.
    func claimOnThread(_ requests: [ClaimRequest], now: Double, revisitFetchedBefore: Double?) throws(StoreError) -> ClaimBatch {
        let columns = """
            u.id, u.url, u.depth, u.attempts, u.kind, u.status, u.content_hash, u.etag, u.last_modified, u.fetched_at,
            u.redirect_hops, w.warc_record_id, w.warc_date, w.warc_payload_digest
            FROM urls u LEFT JOIN fetches w ON w.id = u.warc_response
            """
        let queued = try connection.cached("""
            SELECT \(columns)
            WHERE u.host_id = ?1 AND u.state = 'queued' AND u.next_attempt_at <= ?2
            ORDER BY u.next_attempt_at, u.id LIMIT ?3
            """)
        let revisits = try connection.cached("""
            SELECT \(columns)
            WHERE u.host_id = ?1 AND u.state = 'done' AND u.fetched_at <= ?2
            ORDER BY u.fetched_at LIMIT ?3
            """)
        let earliest = try connection.cached(
            "SELECT min(next_attempt_at) FROM urls WHERE host_id = ?1 AND state = 'queued' AND next_attempt_at > ?2")
        var batch = ClaimBatch()
        var claimed: [ClaimedURL] = []
        // The claims of this call, by host: they join `claimedURLs` only once every query succeeded,
        // so a failed claim leaves no claim behind for URLs nobody was handed.
        var taken: [Int64: Set<Int64>] = [:]
        for request in requests where request.limit > 0 {
            let before = claimed.count
            // A copy (made at its first insert: a few hundred ids), so that a query that throws
            // leaves `claimedURLs` as it was.
            var hostTaken = taken[request.hostID] ?? claimedURLs[request.hostID] ?? []
            try Self.select(queued, host: request.hostID, bound: now, limit: request.limit, skipping: &hostTaken, into: &claimed)
            let room = request.limit - (claimed.count - before)
            if let revisitFetchedBefore, room > 0 {
                try Self.select(revisits, host: request.hostID, bound: revisitFetchedBefore, limit: room, skipping: &hostTaken,
                                into: &claimed)
            }
            taken[request.hostID] = hostTaken
            if claimed.count - before < request.limit {
                earliest.reset()
                try earliest.bind(request.hostID, at: 1)
                try earliest.bind(now, at: 2)
                if try earliest.step(), !earliest.isNull(0) { batch.nextDue[request.hostID] = earliest.double(0) }
                earliest.reset()
            }
        }
        for (host, ids) in taken { claimedURLs[host] = ids }
        batch.urls = claimed
        return batch
    }

    static func jsonArray(_ strings: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(strings), as: UTF8.self)) ?? "[]"
    }

    /// Whether following stored redirects from `url` (at most 11 hops) comes back to row `rowID`.
    func redirectLeadsBack(from url: String, to rowID: Int64) throws(StoreError) -> Bool {
        let step = try connection.cached("SELECT id, redirect_to FROM urls WHERE url = ?1")
        var current = url
        for _ in 0...10 {
            step.reset()
            try step.bind(current, at: 1)
            guard try step.step() else { return false }
            if step.int64(0) == rowID { step.reset(); return true }
            guard let next = step.optionalText(1) else { step.reset(); return false }
            current = next
        }
        step.reset()
        return false
    }

    func markRedirectLoop(_ rowID: Int64) throws(StoreError) {
        try connection.cached("""
            UPDATE urls SET error_kind = 'redirect_loop', error = 'redirect loop: the target redirects back here' WHERE id = ?1
            """).run([.int(rowID)])
    }

    /// Appends up to `limit` rows of `statement` (bound to `host` and `bound`) that are not in
    /// `taken`, and adds them to it. At most `taken.count` of the rows the query returns can be
    /// skipped, so asking for that many more still yields `limit` rows when that many are free.
    private static func select(_ statement: SQLiteStatement, host: Int64, bound: Double, limit: Int,
                               skipping taken: inout Set<Int64>, into claimed: inout [ClaimedURL]) throws(StoreError) {
        statement.reset()
        try statement.bind(host, at: 1)
        try statement.bind(bound, at: 2)
        try statement.bind(limit + taken.count, at: 3)
        var added = 0
        while added < limit, try statement.step() {
            guard taken.insert(statement.int64(0)).inserted else { continue }
            added += 1
            // A row that holds what a good fetch stored (a hash, validators, a redirect) was fetched
            // before: this is a revisit. A status alone is not enough: a failed attempt queued
            // for a retry keeps its status (a 503, or the 200 of a body cut by a reset), and a
            // retry must be a plain first fetch, never a conditional request.
            let hash = statement.optionalText(6), etag = statement.optionalText(7), modified = statement.optionalText(8)
            let status = statement.optionalInt(5)
            let redirected = status.map { (300..<400).contains($0) } ?? false
            let archived = statement.optionalText(11).map {
                ArchivedResponse(recordID: $0, date: statement.double(12), payloadDigest: statement.optionalText(13))
            }
            let previous = (hash != nil || etag != nil || modified != nil || redirected)
                ? PreviousFetch(status: status, contentHash: hash, etag: etag, lastModified: modified,
                                fetchedAt: statement.optionalDouble(9), archivedResponse: archived) : nil
            var url = ClaimedURL(
                id: statement.int64(0), url: statement.text(1), hostID: host, depth: statement.int(2),
                attempts: statement.int(3), kind: URLKind(rawValue: statement.text(4)) ?? .page, previous: previous)
            url.redirectHops = statement.int(10)
            claimed.append(url)
        }
        statement.reset()
    }

    public func record(_ batch: ResultBatch) async throws -> BatchReceipt {
        try await thread.run { _ in try self.recordOnThread(batch) }
    }

    /// One transaction for the whole batch: result rows, discovered links, robots, run counters.
    func recordOnThread(_ batch: ResultBatch) throws(StoreError) -> BatchReceipt {
        do {
            let receipt = try recordInTransaction(batch)
            // Recorded: the claims end (a URL queued again for a retry can be claimed when due).
            // After a failed commit they stay, as the run ends there.
            for result in batch.results { claimedURLs[result.hostID]?.remove(result.urlID) }
            return receipt
        } catch {
            // Both caches may name rows of the rolled-back transaction.
            knownURLs.removeAll()
            try? loadHostIDs()
            throw error
        }
    }

    private func recordInTransaction(_ batch: ResultBatch) throws(StoreError) -> BatchReceipt {
        knownURLs.prefetch(batch.results.lazy.flatMap(\.links).map(\.urlKey))
        return try connection.transaction { () throws(StoreError) in
            var receipt = BatchReceipt()
            let update = try connection.cached("""
                UPDATE urls SET state = ?2, attempts = attempts + ?3, status = ?4, content_type = ?5, bytes = ?6,
                    content_hash = ?7, body_path = ?8, etag = ?9, last_modified = ?10, redirect_to = ?11,
                    fetched_at = ?12, error_kind = ?13, error = ?14, next_attempt_at = coalesce(?15, next_attempt_at),
                    warc_response = coalesce(?16, warc_response)
                WHERE id = ?1
                """)
            let insert = try connection.cached("""
                INSERT OR IGNORE INTO urls (url, host_id, state, kind, depth, parent_id, discovered_at, error_kind, error, redirect_hops)
                VALUES (?1, ?2, CASE WHEN ?7 IS NULL THEN 'queued' ELSE 'skipped' END, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                """)
            /// Inserts a discovered URL once (the unique index ignores known ones); a new host row too.
            func insertLink(_ link: DiscoveredLink, parentID: Int64?, at time: Double) throws(StoreError) {
                // A redirect target that exists already may close a loop: those always ask SQLite.
                let key = link.urlKey
                if link.kind != .redirect && knownURLs.contains(key) { return }
                defer { knownURLs.insert(key) }
                let known = hostIDs[link.origin] != nil
                let hostID = try hostID(for: link.origin)
                if !known {
                    receipt.newHosts.append(HostRecord(
                        id: hostID, origin: link.origin, robotsState: .unknown,
                        robotsBody: nil, robotsFetchedAt: nil, nextAllowedAt: 0))
                }
                insert.reset()
                try insert.bind(link.url, at: 1)
                try insert.bind(hostID, at: 2)
                try insert.bind(link.kind.rawValue, at: 3)
                try insert.bind(link.depth, at: 4)
                try insert.bind(parentID.map { .int($0) } ?? .null, at: 5)
                try insert.bind(.double(time), at: 6)
                try insert.bind(link.skipReason, at: 7)
                try insert.bind(link.skipReason.map { "not fetched: trap guard \($0)" }, at: 8)
                try insert.bind(link.redirectHops, at: 9)
                try insert.step()
                if connection.changes > 0 && link.skipReason == nil {
                    receipt.newURLs += 1
                    receipt.hostsWithNewWork.insert(hostID)
                } else if connection.changes == 0, link.kind == .redirect, let parentID,
                          try redirectLeadsBack(from: link.url, to: parentID) {
                    try markRedirectLoop(parentID)
                }
            }
            // A 304 (or a failed revisit) keeps what the last good fetch stored.
            let touch = try connection.cached("""
                UPDATE urls SET state = ?2, attempts = attempts + 1, fetched_at = ?3, error_kind = ?4, error = ?5
                WHERE id = ?1
                """)
            let history = try connection.cached("""
                INSERT INTO fetches (url_id, run_id, at, status, bytes, content_hash, outcome, warc_file, warc_offset,
                                     warc_length, warc_type, warc_record_id, warc_date, warc_payload_digest)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                """)
            var committedEnds: [Int64: Int64] = [:]
            var perHost: [Int64: (fetched: Int, errors: Int)] = [:]
            var hostStates: [Int64: HostStateUpdate] = [:]
            let now = batch.results.first?.fetchedAt ?? 0
            for result in batch.results {
                /// The fetch row of this result's response record, which becomes the URL's `warc_response`.
                var archivedResponse: Int64?
                if let outcome = result.outcome {
                    history.reset()
                    try history.bind(result.urlID, at: 1)
                    try history.bind(batch.runID.map { .int($0) } ?? .null, at: 2)
                    try history.bind(.double(result.fetchedAt ?? now), at: 3)
                    try history.bind(result.status, at: 4)
                    try history.bind(result.bytes, at: 5)
                    try history.bind(result.contentHash, at: 6)
                    try history.bind(outcome.rawValue, at: 7)
                    if let archived = result.archived {
                        let fileID = try warcFileID(for: archived.file)
                        committedEnds[fileID] = max(committedEnds[fileID] ?? 0, archived.groupEnd)
                        try history.bind(.int(fileID), at: 8)
                        try history.bind(.int(archived.offset), at: 9)
                        try history.bind(.int(archived.length), at: 10)
                        try history.bind(archived.type, at: 11)
                        try history.bind(archived.recordID, at: 12)
                        try history.bind(.double(archived.date), at: 13)
                        try history.bind(archived.payloadDigest, at: 14)
                    }
                    try history.step()
                    if result.archived?.type == "response" { archivedResponse = connection.lastInsertRowID }
                }
                if let state = result.hostState { hostStates[state.hostID] = state }
                if result.fetched {
                    perHost[result.hostID, default: (0, 0)].fetched += 1
                    if result.state == .failed { perHost[result.hostID, default: (0, 0)].errors += 1 }
                }
                if result.keepsStoredContent {
                    touch.reset()
                    try touch.bind(result.urlID, at: 1)
                    try touch.bind(result.state.rawValue, at: 2)
                    try touch.bind(.double(result.fetchedAt ?? now), at: 3)
                    try touch.bind(result.errorKind, at: 4)
                    try touch.bind(result.error, at: 5)
                    try touch.step()
                    continue
                }
                update.reset()
                try update.bind(result.urlID, at: 1)
                try update.bind(result.state.rawValue, at: 2)
                try update.bind(result.fetched ? 1 : 0, at: 3)
                try update.bind(result.status, at: 4)
                try update.bind(result.contentType, at: 5)
                try update.bind(result.bytes, at: 6)
                try update.bind(result.contentHash, at: 7)
                try update.bind(result.bodyPath, at: 8)
                try update.bind(result.etag, at: 9)
                try update.bind(result.lastModified, at: 10)
                try update.bind(result.redirectTo, at: 11)
                try update.bind(.double(result.fetchedAt ?? now), at: 12)
                try update.bind(result.errorKind, at: 13)
                try update.bind(result.error, at: 14)
                try update.bind(result.nextAttemptAt.map { .double($0) } ?? .null, at: 15)
                try update.bind(archivedResponse.map { .int($0) } ?? .null, at: 16)
                try update.step()

                for link in result.links {
                    try insertLink(link, parentID: result.urlID, at: result.fetchedAt ?? now)
                }
            }
            for robots in batch.robots {
                for link in robots.sitemapLinks { try insertLink(link, parentID: nil, at: robots.fetchedAt) }
                try connection.cached("""
                    UPDATE hosts SET robots_state = ?2, robots_status = ?3, robots_body = ?4, robots_fetched_at = ?5,
                        robots_error = ?6, crawl_delay_ms = ?7, sitemaps = ?8
                    WHERE id = ?1
                    """).run([
                        .int(robots.hostID), .text(robots.state.rawValue), robots.status.map { .int(Int64($0)) } ?? .null,
                        robots.body.map { .text($0) } ?? .null, .double(robots.fetchedAt),
                        robots.error.map { .text($0) } ?? .null, robots.crawlDelayMS.map { .int(Int64($0)) } ?? .null,
                        robots.sitemaps.isEmpty ? .null : .text(Self.jsonArray(robots.sitemaps)),
                    ])
            }
            let hostPoliteness = try connection.cached(
                "UPDATE hosts SET next_allowed_at = ?2, backoff_ms = ?3, error_streak = ?4 WHERE id = ?1")
            for state in hostStates.values {
                try hostPoliteness.run([.int(state.hostID), .double(state.nextAllowedAt), .int(Int64(state.backoffMS)),
                                        .int(Int64(state.errorStreak))])
            }
            for (fileID, end) in committedEnds {
                try connection.cached("UPDATE warc_files SET committed_end = max(committed_end, ?2) WHERE id = ?1")
                    .run([.int(fileID), .int(end)])
            }
            let hostCounters = try connection.cached("UPDATE hosts SET fetched = fetched + ?2, errors = errors + ?3 WHERE id = ?1")
            for (hostID, counts) in perHost {
                try hostCounters.run([.int(hostID), .int(Int64(counts.fetched)), .int(Int64(counts.errors))])
            }
            if let runID = batch.runID {
                let tally = BatchTally(batch.results)
                try connection.cached("""
                    UPDATE runs SET fetched = fetched + ?2, new_urls = new_urls + ?3, errors = errors + ?4, bytes = bytes + ?5,
                        new_pages = new_pages + ?6, changed = changed + ?7, unchanged = unchanged + ?8, gone = gone + ?9
                    WHERE id = ?1
                    """).run([
                        .int(runID), .int(Int64(tally.fetched)), .int(Int64(receipt.newURLs)), .int(Int64(tally.errors)),
                        .int(Int64(tally.bytes)), .int(Int64(tally.newPages)), .int(Int64(tally.changed)),
                        .int(Int64(tally.unchanged)), .int(Int64(tally.gone)),
                    ])
            }
            return receipt
        }
    }
}
