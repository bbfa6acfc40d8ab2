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

    /// One run: when, why it ended, and what it did.
    public struct Run: Sendable, Codable, Equatable {
        public var id: Int64
        public var command: String
        public var startedAt: Double
        public var endedAt: Double?
        public var endReason: String?
        public var fetched: Int
        public var newURLs: Int
        public var newPages: Int
        public var changed: Int
        public var unchanged: Int
        public var gone: Int
        public var errors: Int
        public var bytes: Int
        public var durationSeconds: Double?
        public var pagesPerSecond: Double?
        enum CodingKeys: String, CodingKey {
            case id, command, startedAt = "started_at", endedAt = "ended_at", endReason = "end_reason"
            case fetched, newURLs = "new_urls", newPages = "new", changed, unchanged, gone, errors, bytes
            case durationSeconds = "duration_s", pagesPerSecond = "pages_per_s"
        }
    }

    /// What is due: queued now, and done URLs whose revisit falls within the next hour and day.
    public struct Due: Sendable, Codable, Equatable {
        public var queuedNow = 0
        public var revisitNow = 0
        public var revisitNextHour = 0
        public var revisitNextDay = 0
        enum CodingKeys: String, CodingKey {
            case queuedNow = "queued_now", revisitNow = "revisit_now", revisitNextHour = "revisit_next_hour"
            case revisitNextDay = "revisit_next_day"
        }
    }

    /// One host's line of `crawl stats --hosts`.
    public struct Host: Sendable, Codable, Equatable {
        public var origin: String
        public var fetched: Int
        public var errors: Int
        public var queued: Int
        public var robots: String
        public var backoffMS: Int
        public var errorStreak: Int
        /// The Sitemap lines of its robots.txt.
        public var sitemaps: [String] = []
        enum CodingKeys: String, CodingKey {
            case origin, fetched, errors, queued, robots, backoffMS = "backoff_ms", errorStreak = "error_streak", sitemaps
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
    public var lastRun: Run?
    /// The latest runs, newest first.
    public var runHistory: [Run] = []
    public var due = Due()
    /// Only with `crawl stats --hosts`.
    public var hostTable: [Host]?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case urls, status, errors, skipped, bytes, hosts, runs, lastRun = "last_run", runHistory = "run_history", due
        case hostTable = "host_table"
    }
}
