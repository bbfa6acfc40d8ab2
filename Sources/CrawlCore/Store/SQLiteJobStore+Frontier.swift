import CSQLite

extension SQLiteJobStore {
    public func claim(_ requests: [ClaimRequest], now: Double) async throws -> [ClaimedURL] {
        try await thread.run { _ in try self.claimOnThread(requests, now: now) }
    }

    /// One transaction: select each host's due queued URLs in frontier order, mark them in_flight.
    func claimOnThread(_ requests: [ClaimRequest], now: Double) throws(StoreError) -> [ClaimedURL] {
        try connection.transaction { () throws(StoreError) in
            let select = try connection.cached("""
                SELECT id, url, depth, attempts, kind FROM urls
                WHERE host_id = ?1 AND state = 'queued' AND next_attempt_at <= ?2
                ORDER BY next_attempt_at, id LIMIT ?3
                """)
            let mark = try connection.cached("UPDATE urls SET state = 'in_flight' WHERE id = ?1")
            var claimed: [ClaimedURL] = []
            for request in requests where request.limit > 0 {
                select.reset()
                try select.bind(request.hostID, at: 1)
                try select.bind(now, at: 2)
                try select.bind(request.limit, at: 3)
                while try select.step() {
                    claimed.append(ClaimedURL(
                        id: select.int64(0), url: select.text(1), hostID: request.hostID,
                        depth: select.int(2), attempts: select.int(3),
                        kind: URLKind(rawValue: select.text(4)) ?? .page))
                }
            }
            for url in claimed {
                mark.reset()
                try mark.bind(url.id, at: 1)
                try mark.step()
            }
            return claimed
        }
    }

    public func record(_ batch: ResultBatch) async throws -> BatchReceipt {
        try await thread.run { _ in try self.recordOnThread(batch) }
    }

    /// One transaction for the whole batch: result rows, discovered links, robots, run counters.
    func recordOnThread(_ batch: ResultBatch) throws(StoreError) -> BatchReceipt {
        try connection.transaction { () throws(StoreError) in
            var receipt = BatchReceipt()
            let update = try connection.cached("""
                UPDATE urls SET state = ?2, attempts = attempts + ?3, status = ?4, content_type = ?5, bytes = ?6,
                    content_hash = ?7, body_path = ?8, etag = ?9, last_modified = ?10, redirect_to = ?11,
                    fetched_at = ?12, error_kind = ?13, error = ?14
                WHERE id = ?1
                """)
            let insert = try connection.cached("""
                INSERT OR IGNORE INTO urls (url, host_id, state, kind, depth, parent_id, discovered_at)
                VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6)
                """)
            var fetched = 0, errors = 0, bytes = 0
            let now = batch.results.first?.fetchedAt ?? 0
            for result in batch.results {
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
                try update.step()
                if result.fetched { fetched += 1 }
                if result.state == .failed { errors += 1 }
                if result.state == .done { bytes += result.bytes ?? 0 }

                for link in result.links {
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
                    try insert.bind(result.urlID, at: 5)
                    try insert.bind(.double(result.fetchedAt ?? now), at: 6)
                    try insert.step()
                    if connection.changes > 0 {
                        receipt.newURLs += 1
                        receipt.hostsWithNewWork.insert(hostID)
                    }
                }
            }
            for robots in batch.robots {
                try connection.cached("""
                    UPDATE hosts SET robots_state = ?2, robots_status = ?3, robots_body = ?4, robots_fetched_at = ?5,
                        robots_error = ?6, crawl_delay_ms = ?7
                    WHERE id = ?1
                    """).run([
                        .int(robots.hostID), .text(robots.state.rawValue), robots.status.map { .int(Int64($0)) } ?? .null,
                        robots.body.map { .text($0) } ?? .null, .double(robots.fetchedAt),
                        robots.error.map { .text($0) } ?? .null, robots.crawlDelayMS.map { .int(Int64($0)) } ?? .null,
                    ])
            }
            if let runID = batch.runID {
                try connection.cached("""
                    UPDATE runs SET fetched = fetched + ?2, new_urls = new_urls + ?3, errors = errors + ?4, bytes = bytes + ?5
                    WHERE id = ?1
                    """).run([.int(runID), .int(Int64(fetched)), .int(Int64(receipt.newURLs)), .int(Int64(errors)), .int(Int64(bytes))])
            }
            return receipt
        }
    }
}
