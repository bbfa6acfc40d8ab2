extension SQLiteJobStore {
    public func warcCommittedEnds() async throws -> [String: Int64] {
        try await thread.run { _ in
            let statement = try self.connection.cached("SELECT name, committed_end FROM warc_files")
            var ends: [String: Int64] = [:]
            while try statement.step() { ends[statement.text(0)] = statement.int64(1) }
            return ends
        }
    }

    public func repairArchive(lost: [String: Int64]) async throws -> Int {
        try await thread.run { _ in try self.repairArchiveOnThread(lost: lost) }
    }

    /// One transaction: forget records past each lost file's intact end, then queue again every
    /// fetched URL left without a response record.
    func repairArchiveOnThread(lost: [String: Int64]) throws(StoreError) -> Int {
        try connection.transaction { () throws(StoreError) in
            for (name, end) in lost.sorted(by: { $0.key < $1.key }) {
                let fileID = try warcFileID(for: name)
                let bindings: [SQLiteValue] = [.int(fileID), .int(end)]
                try connection.cached("""
                    UPDATE urls SET warc_response = NULL WHERE warc_response IN
                        (SELECT id FROM fetches WHERE warc_file = ?1 AND warc_offset + warc_length > ?2)
                    """).run(bindings)
                try connection.cached("""
                    UPDATE fetches SET warc_file = NULL, warc_offset = NULL, warc_length = NULL, warc_type = NULL,
                        warc_record_id = NULL, warc_date = NULL, warc_payload_digest = NULL
                    WHERE warc_file = ?1 AND warc_offset + warc_length > ?2
                    """).run(bindings)
                try connection.cached("UPDATE warc_files SET committed_end = min(committed_end, ?2) WHERE id = ?1").run(bindings)
            }
            // Rows that got a response (done, or failed on an HTTP status) always have a record;
            // without one, the URL goes back to the frontier as if never fetched (no validators:
            // a conditional request could not bring the body back).
            try connection.cached("""
                UPDATE urls SET state = 'queued', next_attempt_at = 0, status = NULL, content_hash = NULL, etag = NULL,
                    last_modified = NULL
                WHERE warc_response IS NULL
                  AND (state = 'done' OR (state = 'failed' AND (error_kind = 'gone' OR error_kind LIKE 'http\\_%' ESCAPE '\\')))
                """).run()
            return connection.changes
        }
    }

    /// The `warc_files` id of a file name, created if new. Store thread only.
    func warcFileID(for name: String) throws(StoreError) -> Int64 {
        if let id = warcFileIDs[name] { return id }
        try connection.cached("INSERT OR IGNORE INTO warc_files (name) VALUES (?)").run([.text(name)])
        let id = try connection.scalarInt("SELECT id FROM warc_files WHERE name = ?", [.text(name)]) ?? 0
        warcFileIDs[name] = id
        return id
    }
}
