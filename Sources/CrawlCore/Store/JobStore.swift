/// The job store: the only durable state of a crawl (job, hosts, URLs, runs).
///
/// The crawler talks to the store only through this interface, so that a PostgreSQL backend can
/// replace the embedded SQLite one without touching the fetcher or the parser. Every method may be
/// called from any task; implementations serialize their own access (SQLite: one thread, one
/// write connection). Methods are coarse on purpose: one call claims a batch of URLs or records a
/// batch of results with all the links found on them, in one transaction.
public protocol JobStore: AnyObject, Sendable {
    /// Creates the job. Fails with ``StoreError/jobExists(path:)`` if the store holds one already.
    func createJob(seeds: [CrawlURL], settings: CrawlSettings) async throws -> JobRecord
    /// The job, or ``StoreError/noJob(path:)``.
    func loadJob() async throws -> JobRecord
    /// Replaces the stored settings (a `resume` that changes options).
    func updateSettings(_ settings: CrawlSettings) async throws

    /// Ends every claim not recorded, so those URLs can be claimed again, and puts rows left
    /// `in_flight` (by crawl versions that marked claims in the row) back to `queued`; returns
    /// how many URLs that freed. Called when a run starts and when it ends (claimed URLs it did
    /// not fetch).
    func requeueInterrupted() async throws -> Int
    /// Records the start of a run (and marks runs that never ended as interrupted); returns its id.
    func beginRun(command: String, pid: Int32, startedAt: Double) async throws -> Int64
    /// Records the end of a run and its counters.
    func endRun(_ id: Int64, summary: RunSummary) async throws

    /// Every known host with its stored politeness and robots state.
    func hosts() async throws -> [HostRecord]
    /// Claims up to `limit` due URLs of each host: queued ones in discovery order, then, when
    /// `revisitFetchedBefore` is set, done ones last fetched before that time. A claimed URL is
    /// not claimed again until its result is recorded or ``requeueInterrupted()`` ends the claim.
    /// A store shared by several crawlers must make claims durable leases; the embedded one keeps
    /// them in memory, as one process holds its job.
    func claim(_ requests: [ClaimRequest], now: Double, revisitFetchedBefore: Double?) async throws -> ClaimBatch
    /// Commits a batch in one transaction: each result's row, every link found (new URLs are
    /// inserted once; known ones are ignored), and host updates.
    func record(_ batch: ResultBatch) async throws -> BatchReceipt

    /// With `--warc`: per WARC file the job committed records in, the offset after the last
    /// committed record group.
    func warcCommittedEnds() async throws -> [String: Int64]
    /// With `--warc`, when a run starts: forgets the records past `lost` (file → intact end) that
    /// recovery found missing, then queues again (as never fetched) every fetched URL that has no
    /// response record, so that it gets one. Returns how many were queued.
    func repairArchive(lost: [String: Int64]) async throws -> Int

    /// Counts for `crawl stats` and the progress line.
    func stats() async throws -> CrawlStats
    /// Flushes and closes. The store is unusable afterwards.
    func close() async
}

extension JobStore {
    /// Claims queued URLs only (no revisits).
    public func claim(_ requests: [ClaimRequest], now: Double) async throws -> [ClaimedURL] {
        try await claim(requests, now: now, revisitFetchedBefore: nil).urls
    }
}

/// What a claim returned.
public struct ClaimBatch: Sendable {
    public var urls: [ClaimedURL] = []
    /// For a host that had fewer due URLs than asked: when its earliest queued URL (a retry) is
    /// due (Unix seconds), if it has one.
    public var nextDue: [Int64: Double] = [:]
    public init() {}
}

/// How many URLs to claim for one host.
public struct ClaimRequest: Sendable, Equatable {
    public var hostID: Int64
    public var limit: Int
    public init(hostID: Int64, limit: Int) {
        self.hostID = hostID
        self.limit = limit
    }
}

/// A URL taken from the frontier: claimed in the store until its result is recorded.
public struct ClaimedURL: Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var hostID: Int64
    public var depth: Int
    public var attempts: Int
    public var kind: URLKind
    /// Set when the URL was fetched before (a revisit): what the last fetch stored.
    public var previous: PreviousFetch?
    /// How many redirects led to this URL.
    public var redirectHops = 0

    public init(id: Int64, url: String, hostID: Int64, depth: Int, attempts: Int, kind: URLKind, previous: PreviousFetch? = nil) {
        self.id = id
        self.url = url
        self.hostID = hostID
        self.depth = depth
        self.attempts = attempts
        self.kind = kind
        self.previous = previous
    }
}

/// What the last successful fetch of a URL stored: its validators for a conditional request, and
/// its hash to tell a changed body from an unchanged one.
public struct PreviousFetch: Sendable, Equatable {
    public var status: Int?
    public var contentHash: String?
    public var etag: String?
    public var lastModified: String?
    /// When it was fetched (Unix seconds).
    public var fetchedAt: Double?
    /// With `--warc`: the response record that holds the current content (a revisit record refers to it).
    public var archivedResponse: ArchivedResponse?
    public init(status: Int?, contentHash: String?, etag: String?, lastModified: String?, fetchedAt: Double? = nil,
                archivedResponse: ArchivedResponse? = nil) {
        self.status = status
        self.contentHash = contentHash
        self.etag = etag
        self.lastModified = lastModified
        self.fetchedAt = fetchedAt
        self.archivedResponse = archivedResponse
    }

    /// The conditional-request headers for a revisit: the stored validators, or, for a response
    /// that had none, `If-Modified-Since` with the time of the last fetch.
    public var conditionalHeaders: [String] {
        var headers: [String] = []
        if let etag { headers.append("If-None-Match: \(etag)") }
        if let lastModified {
            headers.append("If-Modified-Since: \(lastModified)")
        } else if etag == nil, let fetchedAt {
            headers.append("If-Modified-Since: \(HTTPDate.format(fetchedAt))")
        }
        return headers
    }
}

/// What a revisit record names of the response record it revisits.
public struct ArchivedResponse: Sendable, Equatable {
    public var recordID: String
    /// Its WARC-Date (Unix seconds).
    public var date: Double
    /// Its WARC-Payload-Digest: a ``WarcDigest`` label (`sha256:` base32) of the body as received,
    /// or `sha1:` base32 in jobs archived before digests moved to SHA-256.
    public var payloadDigest: String?
    public init(recordID: String, date: Double, payloadDigest: String?) {
        self.recordID = recordID
        self.date = date
        self.payloadDigest = payloadDigest
    }
}

/// A host (an origin) and its stored state.
public struct HostRecord: Sendable, Equatable {
    public var id: Int64
    public var origin: String
    public var robotsState: RobotsState
    public var robotsBody: String?
    public var robotsFetchedAt: Double?
    public var nextAllowedAt: Double
    public var backoffMS: Int = 0
    public var errorStreak: Int = 0
    public var crawlDelayMS: Int?
    /// Requests sent to the host in the job.
    public var fetched: Int = 0
}

/// The stored job: its seeds and settings.
public struct JobRecord: Sendable {
    public var createdAt: Double
    public var seeds: [String]
    public var settings: CrawlSettings
}
