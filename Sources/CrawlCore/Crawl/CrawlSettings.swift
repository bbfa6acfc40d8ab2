/// The settings of a crawl job, stored with the job (as JSON) so that `resume` continues with them.
///
/// `start` fills them from its options; `resume` may override any of them, and the new values are
/// stored for later runs.
public struct CrawlSettings: Sendable, Codable, Equatable {
    /// Where bodies are stored (content-addressed). Relative paths are made absolute at `start`.
    public var outputDirectory: String = "crawl-data"
    /// How bodies are spread over directories under ``outputDirectory``. Jobs stored without it
    /// were created with ``BodyLayout/twoLevels``.
    public var bodyLayout: BodyLayout = .oneLevel
    /// Hosts in scope: the seeds' hosts plus every `--allow-host` (lowercase; "host" or "host:port").
    public var allowedHosts: [String] = []
    public var maxDepth: Int?
    public var maxPages: Int?
    /// Transfers in flight at once, all hosts together. Fetches not yet committed are bounded at twice this.
    public var concurrency: Int = 16
    /// Transfers in flight at once on one host.
    public var perHost: Int = 2
    /// Minimum seconds between two request starts on one host.
    public var delay: Double = 0.25
    public var userAgent: String = CrawlSettings.defaultUserAgent
    /// Total seconds per transfer.
    public var timeout: Double = 30
    /// A transfer that receives less than 1 byte/s on average for this many seconds is aborted
    /// (never more than `timeout`).
    public var lowSpeedTime: Double = 30
    public var connectTimeout: Double = 10
    /// Largest body accepted (decoded bytes); larger transfers are aborted and recorded as too_large.
    public var maxBodyBytes: Int = 50 * 1024 * 1024
    public var fetchImages: Bool = true
    /// Done URLs become due again this many seconds after their last fetch (nil: never).
    public var revisitAfter: Double?
    /// Transient failures (timeouts, resets, 5xx, 429) are retried this many times.
    public var retries: Int = 3
    /// robots.txt's Crawl-delay is honored up to this many seconds.
    public var maxCrawlDelay: Double = 30
    /// Follow links of pages whose meta robots / X-Robots-Tag say nofollow.
    public var ignoreNofollow = false
    /// Do not follow links marked rel="nofollow".
    public var respectRelNofollow = false
    /// Query parameters removed from every URL (names or globs such as `utm_*`).
    public var stripQuery: [String] = []
    /// Trap guards: longest URL, most repetitions of one path segment, most pages fetched per host.
    public var maxURLLength = 2048
    public var maxRepeatedSegments = 3
    public var maxPagesPerHost: Int?
    /// Seed each host from the Sitemap lines of its robots.txt.
    public var useSitemaps = false
    /// Links kept per page; a page with more keeps the first ones and is marked `links_truncated`.
    public var maxLinksPerPage = 10_000
    /// Write WARC files here (`--warc`, set when the job starts). Absolute.
    public var warcDirectory: String?
    /// A WARC file is closed, and the next begun, before it would pass this many bytes.
    public var warcMaxFileSize: Int64 = CrawlSettings.defaultWarcMaxFileSize
    /// zlib level of the WARC records' gzip members (0 stores them uncompressed).
    public var warcGzipLevel: Int32 = WarcRecordEncoder.defaultLevel

    public static let defaultWarcMaxFileSize: Int64 = 1_000_000_000

    enum CodingKeys: String, CodingKey {
        case outputDirectory, allowedHosts, maxDepth, maxPages, concurrency, perHost, delay, userAgent, timeout
        case connectTimeout, maxBodyBytes, fetchImages, obeyRobots, revisitAfter, retries, maxCrawlDelay
        case ignoreNofollow, respectRelNofollow, stripQuery, maxURLLength, maxRepeatedSegments, maxPagesPerHost
        case useSitemaps, lowSpeedTime, maxLinksPerPage, warcDirectory, warcMaxFileSize, warcGzipLevel
        case bodyLayout
    }

    /// Settings stored by an older crawl lack the newer keys: those take their defaults, except
    /// `bodyLayout`, whose absence means the two-level layout those jobs wrote.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CrawlSettings()
        outputDirectory = try c.decodeIfPresent(String.self, forKey: .outputDirectory) ?? d.outputDirectory
        allowedHosts = try c.decodeIfPresent([String].self, forKey: .allowedHosts) ?? d.allowedHosts
        maxDepth = try c.decodeIfPresent(Int.self, forKey: .maxDepth)
        maxPages = try c.decodeIfPresent(Int.self, forKey: .maxPages)
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
        perHost = try c.decodeIfPresent(Int.self, forKey: .perHost) ?? d.perHost
        delay = try c.decodeIfPresent(Double.self, forKey: .delay) ?? d.delay
        userAgent = try c.decodeIfPresent(String.self, forKey: .userAgent) ?? d.userAgent
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout) ?? d.timeout
        connectTimeout = try c.decodeIfPresent(Double.self, forKey: .connectTimeout) ?? d.connectTimeout
        maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
        fetchImages = try c.decodeIfPresent(Bool.self, forKey: .fetchImages) ?? d.fetchImages
        obeyRobots = try c.decodeIfPresent(Bool.self, forKey: .obeyRobots) ?? d.obeyRobots
        revisitAfter = try c.decodeIfPresent(Double.self, forKey: .revisitAfter)
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? d.retries
        maxCrawlDelay = try c.decodeIfPresent(Double.self, forKey: .maxCrawlDelay) ?? d.maxCrawlDelay
        ignoreNofollow = try c.decodeIfPresent(Bool.self, forKey: .ignoreNofollow) ?? d.ignoreNofollow
        respectRelNofollow = try c.decodeIfPresent(Bool.self, forKey: .respectRelNofollow) ?? d.respectRelNofollow
        stripQuery = try c.decodeIfPresent([String].self, forKey: .stripQuery) ?? d.stripQuery
        maxURLLength = try c.decodeIfPresent(Int.self, forKey: .maxURLLength) ?? d.maxURLLength
        maxRepeatedSegments = try c.decodeIfPresent(Int.self, forKey: .maxRepeatedSegments) ?? d.maxRepeatedSegments
        maxPagesPerHost = try c.decodeIfPresent(Int.self, forKey: .maxPagesPerHost)
        useSitemaps = try c.decodeIfPresent(Bool.self, forKey: .useSitemaps) ?? d.useSitemaps
        lowSpeedTime = try c.decodeIfPresent(Double.self, forKey: .lowSpeedTime) ?? d.lowSpeedTime
        maxLinksPerPage = try c.decodeIfPresent(Int.self, forKey: .maxLinksPerPage) ?? d.maxLinksPerPage
        warcDirectory = try c.decodeIfPresent(String.self, forKey: .warcDirectory)
        warcMaxFileSize = try c.decodeIfPresent(Int64.self, forKey: .warcMaxFileSize) ?? d.warcMaxFileSize
        warcGzipLevel = try c.decodeIfPresent(Int32.self, forKey: .warcGzipLevel) ?? d.warcGzipLevel
        bodyLayout = try c.decodeIfPresent(BodyLayout.self, forKey: .bodyLayout) ?? .twoLevels
    }
    public var obeyRobots: Bool = true

    public static let defaultUserAgent = "crawl/0.1 (+https://github.com/crawl/crawl)"

    public init() {}

    /// Checks ranges; the message names the option.
    public func validationError() -> String? {
        if concurrency < 1 || concurrency > 4096 { return "--concurrency must be between 1 and 4096" }
        if perHost < 1 || perHost > 1024 { return "--per-host must be between 1 and 1024" }
        if !(delay >= 0 && delay <= 3600) { return "--delay must be between 0 and 3600 seconds" }
        if !(timeout > 0 && timeout <= 3600) { return "--timeout must be between 0 and 3600 seconds" }
        if maxBodyBytes < 1 { return "--max-body must be at least 1 byte" }
        if !(lowSpeedTime >= 1 && lowSpeedTime <= 3600) { return "--low-speed-time must be between 1 and 3600 seconds" }
        if maxLinksPerPage < 1 || maxLinksPerPage > 1_000_000 { return "--max-links-per-page must be between 1 and 1000000" }
        if let maxDepth, maxDepth < 0 { return "--max-depth must not be negative" }
        if let maxPages, maxPages < 1 { return "--max-pages must be at least 1" }
        if let revisitAfter, !(revisitAfter > 0) { return "--revisit-after must be a positive duration" }
        if retries < 0 || retries > 100 { return "--retries must be between 0 and 100" }
        if maxURLLength < 16 { return "--max-url-length must be at least 16" }
        if maxRepeatedSegments < 1 { return "--max-repeated-segments must be at least 1" }
        if let maxPagesPerHost, maxPagesPerHost < 1 { return "--max-pages-per-host must be at least 1" }
        if !(maxCrawlDelay >= 0 && maxCrawlDelay <= 86400) { return "--max-crawl-delay must be between 0 and 86400 seconds" }
        if warcMaxFileSize < 4096 { return "--warc-max-size must be at least 4096 bytes" }
        if !(0...9).contains(warcGzipLevel) { return "--warc-gzip-level must be between 0 and 9" }
        if userAgent.isEmpty || userAgent.contains(where: { $0 == "\r" || $0 == "\n" }) {
            return "--user-agent must be one non-empty line"
        }
        return nil
    }
}
