/// What `crawl stats` reports; also the source of its `--json` output (keys documented in README).
public struct CrawlStats: Sendable, Codable, Equatable {
    public struct URLCounts: Sendable, Codable, Equatable {
        public var queued = 0
        public var inFlight = 0
        public var done = 0
        public var failed = 0
        public var skipped = 0
        public var total = 0
        enum CodingKeys: String, CodingKey {
            case queued, inFlight = "in_flight", done, failed, skipped, total
        }
    }

    public struct LastRun: Sendable, Codable, Equatable {
        public var id: Int64
        public var command: String
        public var startedAt: Double
        public var endedAt: Double?
        public var endReason: String?
        public var fetched: Int
        public var newURLs: Int
        public var errors: Int
        public var bytes: Int
        public var durationSeconds: Double?
        public var pagesPerSecond: Double?
        enum CodingKeys: String, CodingKey {
            case id, command, startedAt = "started_at", endedAt = "ended_at", endReason = "end_reason"
            case fetched, newURLs = "new_urls", errors, bytes
            case durationSeconds = "duration_s", pagesPerSecond = "pages_per_s"
        }
    }

    public var urls = URLCounts()
    /// HTTP status code (as a string, for JSON) → URL count.
    public var status: [String: Int] = [:]
    /// Error kind of failed URLs → count.
    public var errors: [String: Int] = [:]
    /// Skip reason → count.
    public var skipped: [String: Int] = [:]
    /// Body bytes (decoded) of the URLs fetched successfully, over all runs.
    public var bytes = 0
    public var hosts = 0
    public var runs = 0
    public var lastRun: LastRun?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case urls, status, errors, skipped, bytes, hosts, runs, lastRun = "last_run"
    }
}
