/// The life of a URL row. No row becomes `in_flight` any more (claims are kept in memory, see
/// ``SQLiteJobStore/claimedURLs``); rows older versions left so go back to `queued` when a run starts.
public enum URLState: String, Sendable, CaseIterable, Codable {
    case queued
    case inFlight = "in_flight"
    case done
    case failed
    case skipped
}

/// How a URL entered the frontier.
public enum URLKind: String, Sendable, Codable {
    case seed, page, image, redirect
}

/// What the store knows of a host's robots.txt.
public enum RobotsState: String, Sendable, Codable {
    case unknown
    case rules          // fetched; `robots_body` holds the text
    case allowAll = "allow_all"       // 4xx: no robots.txt
    case disallowAll = "disallow_all" // 5xx, 429 or network failure: nothing may be fetched yet
}

/// A link found on a page (or a redirect target), normalized and in scope.
public struct DiscoveredLink: Sendable, Equatable {
    public let url: String      // normalized absolute URL
    /// A 64-bit hash of `url` (``KnownURLFilter/key(_:)``: SipHash, seeded per process), made once
    /// where the link is found: the page dedupes its links by it, and the store's filter of
    /// known URLs looks it up without hashing the URL again.
    public let urlKey: UInt64
    public var origin: String   // its host key, scheme://host[:port]
    public var kind: URLKind
    public var depth: Int
    /// Set for a URL recorded but never to be fetched (a trap guard): its row is `skipped` with this reason.
    public var skipReason: String?
    /// For a redirect target: how many redirects led to it.
    public var redirectHops: Int
    /// `urlKey`, when given, must be `KnownURLFilter.key(url)`.
    public init(url: String, urlKey: UInt64? = nil, origin: String, kind: URLKind, depth: Int, skipReason: String? = nil,
                redirectHops: Int = 0) {
        self.url = url
        self.urlKey = urlKey ?? KnownURLFilter.key(url)
        self.origin = origin
        self.kind = kind
        self.depth = depth
        self.skipReason = skipReason
        self.redirectHops = redirectHops
    }
}

/// The outcome of one URL: its row's new state and everything learned from the response.
public struct URLResult: Sendable {
    public var urlID: Int64
    public var hostID: Int64
    public var state: URLState             // done, failed, skipped (or queued for a retry)
    public var status: Int?
    public var contentType: String?
    public var bytes: Int?
    public var contentHash: String?
    public var bodyPath: String?
    public var etag: String?
    public var lastModified: String?
    public var redirectTo: String?
    public var fetchedAt: Double?
    public var errorKind: String?
    public var error: String?
    public var fetched: Bool               // a request was sent (counts toward --max-pages)
    /// For a fetch: how it compares with the previous one (a row in the fetch history).
    public var outcome: FetchOutcome?
    /// For a retry (state queued): not before this time (Unix seconds).
    public var nextAttemptAt: Double?
    /// The host's politeness after this transfer, to persist (survives resume).
    public var hostState: HostStateUpdate?
    /// Only state, time and error change: the row keeps the status, hash, body and validators of
    /// its last good fetch (a 304, or a revisit that failed transiently).
    public var keepsStoredContent = false
    /// With `--warc`: the response or revisit record of this fetch, already written to its file.
    public var archived: ArchivedRecord?
    public var links: [DiscoveredLink]

    public init(urlID: Int64, hostID: Int64, state: URLState) {
        self.urlID = urlID
        self.hostID = hostID
        self.state = state
        self.fetched = false
        self.links = []
    }
}

/// How a fetch compares with the URL's previous one. Stored in the fetch history.
public enum FetchOutcome: String, Sendable, Codable {
    /// First successful fetch.
    case new
    /// A revisit that got a different body.
    case changed
    /// A revisit that got the same body (same SHA-256).
    case unchanged
    /// A revisit answered 304: nothing was transferred or rewritten.
    case notModified = "not_modified"
    /// 404 or 410.
    case gone
    /// Any other failure.
    case error

    /// Unchanged in the sense of `crawl stats` (304 or the same hash).
    public var isUnchanged: Bool { self == .unchanged || self == .notModified }
}

/// A host's politeness state as stored on its row.
public struct HostStateUpdate: Sendable, Equatable {
    public var hostID: Int64
    /// Wall-clock time before which nothing may be sent to the host (Unix seconds).
    public var nextAllowedAt: Double
    public var backoffMS: Int
    public var errorStreak: Int
    public init(hostID: Int64, nextAllowedAt: Double, backoffMS: Int, errorStreak: Int) {
        self.hostID = hostID
        self.nextAllowedAt = nextAllowedAt
        self.backoffMS = backoffMS
        self.errorStreak = errorStreak
    }
}

/// A robots.txt fetch to store on its host row.
public struct RobotsUpdate: Sendable {
    public var hostID: Int64
    public var state: RobotsState
    public var status: Int?
    public var body: String?
    public var fetchedAt: Double
    public var error: String?
    public var crawlDelayMS: Int?
    /// URLs listed by the host's sitemaps (`--sitemaps`), queued with no parent.
    public var sitemapLinks: [DiscoveredLink] = []
    /// The Sitemap lines of robots.txt, as written.
    public var sitemaps: [String] = []
}

/// One transaction's worth of work.
public struct ResultBatch: Sendable {
    public var results: [URLResult] = []
    public var robots: [RobotsUpdate] = []
    public var runID: Int64?
    public init() {}
    public var isEmpty: Bool { results.isEmpty && robots.isEmpty }
}

/// What a batch adds to its run's counters. The one definition of them: the store writes it to
/// the run's row, the crawler to its progress line and summary.
public struct BatchTally: Sendable, Equatable {
    /// Requests sent (done, failed, or queued again for a retry).
    public var fetched = 0
    /// URLs that ended failed.
    public var errors = 0
    /// Body bytes of URLs that ended done.
    public var bytes = 0
    /// Fetch outcomes: first successful fetches, changed, unchanged (304 or same hash), gone.
    public var newPages = 0
    public var changed = 0
    public var unchanged = 0
    public var gone = 0

    public init() {}

    public init(_ results: [URLResult]) {
        for result in results {
            if result.fetched { fetched += 1 }
            if result.state == .failed { errors += 1 }
            if result.state == .done { bytes += result.bytes ?? 0 }
            switch result.outcome {
            case .new?: newPages += 1
            case .changed?: changed += 1
            case .unchanged?, .notModified?: unchanged += 1
            case .gone?: gone += 1
            case .error?, nil: break
            }
        }
    }

    public mutating func add(_ other: BatchTally) {
        fetched += other.fetched
        errors += other.errors
        bytes += other.bytes
        newPages += other.newPages
        changed += other.changed
        unchanged += other.unchanged
        gone += other.gone
    }
}

/// What a committed batch changed that the scheduler must know.
public struct BatchReceipt: Sendable {
    /// Number of URL rows inserted.
    public var newURLs: Int = 0
    /// Hosts that gained queued URLs in this batch (existing or new).
    public var hostsWithNewWork: Set<Int64> = []
    /// Hosts created by this batch.
    public var newHosts: [HostRecord] = []
    public init() {}
}

/// The counters of one run, written when it ends.
public struct RunSummary: Sendable, Codable, Equatable {
    public var endedAt: Double
    public var endReason: String
    public var fetched: Int
    public var newURLs: Int
    public var errors: Int
    public var bytes: Int
    public init(endedAt: Double, endReason: String, fetched: Int, newURLs: Int, errors: Int, bytes: Int) {
        self.endedAt = endedAt
        self.endReason = endReason
        self.fetched = fetched
        self.newURLs = newURLs
        self.errors = errors
        self.bytes = bytes
    }
}
