import ArgumentParser
import CrawlCore
import Foundation

/// Limits of this run only (not stored with the job): what a cron job sets.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("max-duration"), help: "Stop starting fetches after this long (90s, 14m, 2h); in-flight ones finish.")
    var maxDuration: String?

    @Option(name: .customLong("max-fetches"), help: "Stop after N fetches in this run.")
    var maxFetches: Int?

    func validate() throws {
        if let maxDuration, DurationText.seconds(maxDuration) == nil {
            throw ValidationError("--max-duration takes a duration such as 90s, 14m or 2h, not '\(maxDuration)'")
        }
        if let maxFetches, maxFetches < 1 { throw ValidationError("--max-fetches must be at least 1") }
    }

    var budget: RunBudget {
        RunBudget(maxDuration: maxDuration.flatMap(DurationText.seconds), maxFetches: maxFetches)
    }
}

/// `--db`, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The crawl database (SQLite).")
    var db: String = "crawl.db"
}

/// Crawl settings, shared by `start` (which stores them with the job) and `resume` (which
/// overrides the stored ones it is given). Every option is optional so that `resume` can tell
/// "given" from "default".
struct CrawlOptions: ParsableArguments {
    @Option(name: .long, help: "Directory for bodies, content-addressed. (default: ./crawl-data)")
    var out: String?

    @Option(name: .customLong("allow-host"), help: "Also crawl this host (repeatable; HOST or HOST:PORT).")
    var allowHost: [String] = []

    @Option(name: .customLong("max-depth"), help: "Do not follow links more than N hops from a seed.")
    var maxDepth: Int?

    @Option(name: .customLong("max-pages"), help: "Stop after N URLs fetched in this job.")
    var maxPages: Int?

    @Option(name: .long, help: "Transfers in flight at once, all hosts together. (default: 16)")
    var concurrency: Int?

    @Option(name: .customLong("per-host"), help: "Transfers in flight at once on one host. (default: 2)")
    var perHost: Int?

    @Option(name: .long, help: "Seconds between request starts on one host; decimals allowed. (default: 0.25)")
    var delay: Double?

    @Option(name: .customLong("user-agent"), help: "The User-Agent header; its first word is the robots.txt token.")
    var userAgent: String?

    @Option(name: .long, help: "Seconds a transfer may take in all. (default: 30)")
    var timeout: Double?

    @Option(name: .customLong("low-speed-time"), help: "Abort a transfer that receives less than 1 byte/s for this many seconds (at most --timeout). (default: 30)")
    var lowSpeedTime: Double?

    @Option(name: .customLong("max-body"), help: "Largest body accepted, in bytes; larger transfers are aborted. (default: 52428800)")
    var maxBody: Int?

    @Option(name: .customLong("max-links-per-page"), help: "Keep at most N links of a page; the page is marked links_truncated. (default: 10000)")
    var maxLinksPerPage: Int?

    @Flag(name: .customLong("no-images"), help: "Do not fetch images.")
    var noImages = false

    @Flag(name: .customLong("ignore-robots"), help: "Do not fetch or obey robots.txt.")
    var ignoreRobots = false

    @Option(name: .customLong("revisit-after"), help: "Fetch done URLs again once this old (90s, 14m, 2h, 7d), with conditional requests.")
    var revisitAfter: String?

    @Option(name: .long, help: "Retry transient failures (timeouts, resets, 5xx, 429) this many times, with exponential backoff. (default: 3)")
    var retries: Int?

    @Option(name: .customLong("max-crawl-delay"), help: "Honor robots.txt Crawl-delay up to this many seconds. (default: 30)")
    var maxCrawlDelay: Double?

    @Flag(name: .customLong("ignore-nofollow"), help: "Follow links of pages whose meta robots or X-Robots-Tag say nofollow.")
    var ignoreNofollow = false

    @Flag(name: .customLong("respect-rel-nofollow"), help: "Do not follow links marked rel=\"nofollow\".")
    var respectRelNofollow = false

    @Option(name: .customLong("strip-query"), help: "Remove this query parameter from every URL (repeatable; globs like utm_*).")
    var stripQuery: [String] = []

    @Option(name: .customLong("max-url-length"), help: "Skip URLs longer than this many bytes. (default: 2048)")
    var maxURLLength: Int?

    @Option(name: .customLong("max-repeated-segments"), help: "Skip URLs whose path repeats one segment more than this. (default: 3)")
    var maxRepeatedSegments: Int?

    @Option(name: .customLong("max-pages-per-host"), help: "Fetch at most N URLs per host; the rest are skipped.")
    var maxPagesPerHost: Int?

    @Flag(name: .long, help: "Seed each host from the Sitemap lines of its robots.txt (indexes and .xml.gz included).")
    var sitemaps = false

    @Option(name: .long, help: "Also write WARC 1.1 files (.warc.gz) into this directory: request, response, revisit and metadata records. Set when the job starts.")
    var warc: String?

    @Option(name: .customLong("warc-max-size"), help: "Start a new WARC file before one would pass this size (bytes, or 500M, 1G, 2GiB). (default: 1G)")
    var warcMaxSize: String?

    @Option(name: .customLong("warc-gzip-level"), help: "zlib level of the WARC records, 0 (stored, fastest) to 9 (smallest). (default: \(WarcRecordEncoder.defaultLevel))")
    var warcGzipLevel: Int32?

    @Flag(name: .shortAndLong, help: "Only warnings, errors and the end-of-run summary line.")
    var quiet = false

    @Option(name: .customLong("log-file"), help: "Append the log to this file instead of stderr; reopened on SIGHUP (logrotate).")
    var logFile: String?

    /// `settings` with every option that was given applied.
    func applied(to base: CrawlSettings) -> CrawlSettings {
        var settings = base
        if let out { settings.outputDirectory = Self.absolutePath(out) }
        for host in allowHost where !settings.allowedHosts.contains(host.lowercased()) {
            settings.allowedHosts.append(host.lowercased())
        }
        if let maxDepth { settings.maxDepth = maxDepth }
        if let maxPages { settings.maxPages = maxPages }
        if let concurrency { settings.concurrency = concurrency }
        if let perHost { settings.perHost = perHost }
        if let delay { settings.delay = delay }
        if let userAgent { settings.userAgent = userAgent }
        if let timeout { settings.timeout = timeout }
        if let lowSpeedTime { settings.lowSpeedTime = lowSpeedTime }
        if let maxBody { settings.maxBodyBytes = maxBody }
        if let maxLinksPerPage { settings.maxLinksPerPage = maxLinksPerPage }
        if noImages { settings.fetchImages = false }
        if ignoreRobots { settings.obeyRobots = false }
        if let revisitAfter { settings.revisitAfter = DurationText.seconds(revisitAfter) ?? -1 }
        if let retries { settings.retries = retries }
        if let maxCrawlDelay { settings.maxCrawlDelay = maxCrawlDelay }
        if ignoreNofollow { settings.ignoreNofollow = true }
        if respectRelNofollow { settings.respectRelNofollow = true }
        for pattern in stripQuery where !settings.stripQuery.contains(pattern) { settings.stripQuery.append(pattern) }
        if let maxURLLength { settings.maxURLLength = maxURLLength }
        if let maxRepeatedSegments { settings.maxRepeatedSegments = maxRepeatedSegments }
        if let maxPagesPerHost { settings.maxPagesPerHost = maxPagesPerHost }
        if sitemaps { settings.useSitemaps = true }
        if let warc { settings.warcDirectory = Self.absolutePath(warc) }
        if let warcMaxSize { settings.warcMaxFileSize = ByteCount.parse(warcMaxSize) ?? -1 }
        if let warcGzipLevel { settings.warcGzipLevel = warcGzipLevel }
        return settings
    }

    func validateRanges() throws {
        for host in allowHost where host.isEmpty || host.contains("/") || host.contains(" ") {
            throw ValidationError("--allow-host takes a host name such as example.org or 127.0.0.1:8080, not '\(host)'")
        }
        if let message = applied(to: CrawlSettings()).validationError() { throw ValidationError(message) }
        if let logFile, logFile.isEmpty { throw ValidationError("--log-file needs a path") }
        if let warc, warc.isEmpty { throw ValidationError("--warc needs a directory") }
        if let warcMaxSize, ByteCount.parse(warcMaxSize) == nil {
            throw ValidationError("--warc-max-size takes a size such as 1G, 500M or 1048576, not '\(warcMaxSize)'")
        }
    }

    static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
