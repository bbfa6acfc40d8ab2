import Foundation

/// The work done for one claimed URL, from request to queued result, and for one robots.txt.
///
/// Pages are started by the crawl loop and then run on the curl thread and a parse worker, without
/// a task (``start(_:)``); robots.txt, sitemaps and refills run in child tasks of the crawl loop.
struct Pipeline: Sendable {
    let scheduler: Scheduler
    let fetcher: Fetcher
    let workers: BlockingThreadPool<WorkerContext>
    let processor: ResponseProcessor
    let writer: ResultWriter
    let settings: CrawlSettings
    let crawler: Crawler
    /// With `--warc`: where every response goes as WARC records before its result is committed.
    let archiver: CrawlArchiver?

    /// Starts fetching `url` and returns at once. No task and no await per URL: the response goes
    /// from the curl thread (which frees the host's slot) to a parse worker (hash, store,
    /// extract), which queues the result for the writer. Call from the crawl loop.
    func start(_ url: ClaimedURL) {
        var request = FetchRequest(url: url.url)
        if let previous = url.previous { request.headers = previous.conditionalHeaders }
        fetcher.start(request) { [self] response in
            // On the curl thread: only quick bookkeeping here.
            let verdict = Self.verdict(for: response, now: MonotonicClock.wallNow)
            let hostState = scheduler.transferFinished(hostID: url.hostID, verdict: verdict, sentAt: response.requestSentAt)
            crawler.transferEnded()
            if case .cancelled? = response.error { return }  // shutting down: the URL stays queued in the store
            workers.submit { [self] context in process(url, response, hostState: hostState, context: context) }
        }
    }

    /// On a parse worker: turns a response into a result (and, with `--warc`, into records) and
    /// queues it for the writer.
    private func process(_ url: ClaimedURL, _ response: FetchResponse, hostState: HostStateUpdate?, context: WorkerContext) {
        do throws(BodyStore.Failure) {
            var result = try processor.process(url, response, context: context, now: MonotonicClock.wallNow)
            result.hostState = hostState
            guard let archiver, let records = CrawlArchiver.records(
                url: url.url, response: response, result: result, previous: url.previous,
                encoder: context.warcEncoder(level: settings.warcGzipLevel))
            else { return writer.append(result) }
            // The result is queued for its commit only once its records are written to the file.
            switch archiver.write(records) {
            case let .success(record):
                result.archived = record
                writer.append(result)
            case let .failure(error):
                crawler.fail(CrawlError.archive(error))
            }
        } catch {
            // The disk is full or unwritable: the URL stays queued in the store (fetched again on resume).
            crawler.fail(CrawlError.output(error))
        }
    }

    /// With `--warc`: archives a fetch that has no URL row (robots.txt, sitemaps), encoded and
    /// written on a parse worker. Its records are written before the next commit like any other.
    private func archive(_ target: String, _ response: FetchResponse) async {
        guard let archiver, response.exchange != nil else { return }
        let level = settings.warcGzipLevel
        let written = await workers.run { context in
            CrawlArchiver.records(url: target, response: response, result: nil, previous: nil, encoder: context.warcEncoder(level: level))
                .map(archiver.write)
        }
        if case let .failure(error)? = written { crawler.fail(CrawlError.archive(error)) }
    }

    /// What a response says about its host's health.
    static func verdict(for response: FetchResponse, now: Double) -> TransferVerdict {
        if let error = response.error {
            if case .cancelled = error { return .neutral }
            return RetryPolicy.isTransient(errorKind: error.kind) ? .transientFailure : .neutral
        }
        switch response.status {
        case 429, 503: return .throttled(retryAfter: RetryPolicy.retryAfterSeconds(response.retryAfter, now: now))
        case let status where RetryPolicy.isTransient(status: status): return .transientFailure
        default: return .success
        }
    }

    func skip(_ url: ClaimedURL, reason: String) {
        var result = URLResult(urlID: url.id, hostID: url.hostID, state: .skipped)
        result.errorKind = reason
        switch reason {
        case "robots": result.error = "disallowed by robots.txt"
        case "max_pages_per_host": result.error = "the host reached --max-pages-per-host"
        default: result.error = reason
        }
        result.fetchedAt = MonotonicClock.wallNow
        writer.append(result)
    }

    func refill(_ requests: [ClaimRequest], generations: [Int64: Int]) async {
        do {
            let now = MonotonicClock.wallNow
            // Revisit what was fetched before this run began, never what this run fetched.
            let revisitBefore = settings.revisitAfter.map { min(now - $0, crawler.runStartedAtWall) }
            let claimed = try await crawler.store.claim(requests, now: now, revisitFetchedBefore: revisitBefore)
            scheduler.claimed(claimed, for: requests, generations: generations)
        } catch {
            scheduler.claimFailed(requests)
            crawler.fail(error)
        }
        crawler.wakeup.signal()
    }

    /// Fetches `/robots.txt` (following up to 5 redirects). 2xx: its rules; 4xx but 429: allow all;
    /// 5xx, 429 or a network failure: nothing on the host is fetched until a retry succeeds.
    func fetchRobots(hostID: Int64, origin: String) async {
        var target = origin + "/robots.txt"
        var response = await fetcher.fetch(FetchRequest(url: target))
        await archive(target, response)
        var hops = 0
        while response.error == nil, (300..<400).contains(response.status), let location = response.location, hops < 5,
              let next = try? CrawlURL(parsing: location) {
            target = next.string
            hops += 1
            response = await fetcher.fetch(FetchRequest(url: target))
            await archive(target, response)
        }
        // Parsed once, on a parse worker (up to 512 KiB of text).
        let body = Array(response.body.prefix(RobotsRules.maxBytes))
        let userAgent = settings.userAgent
        let fetchedRules: RobotsRules? = response.error == nil && (200..<300).contains(response.status)
            ? await workers.run { _ in RobotsRules(parsing: body, userAgent: userAgent) } : nil
        var sitemapLinks: [DiscoveredLink] = []
        if settings.useSitemaps, let rules = fetchedRules {
            // While the host's slot is still held: nothing else goes to the host meanwhile.
            var politeness = HostPoliteness(baseDelay: settings.delay)
            politeness.applyCrawlDelay(rules.crawlDelay, delay: settings.delay, cap: settings.maxCrawlDelay)
            sitemapLinks = await fetchSitemaps(rules.sitemaps, origin: origin, spacing: politeness.spacing)
        }
        scheduler.transferFinished(
            hostID: hostID, verdict: Self.verdict(for: response, now: MonotonicClock.wallNow), sentAt: response.requestSentAt)
        crawler.transferEnded()
        if case .cancelled? = response.error { return }
        var update = RobotsUpdate(
            hostID: hostID, state: .disallowAll, status: response.status > 0 ? response.status : nil,
            body: nil, fetchedAt: MonotonicClock.wallNow, error: nil, crawlDelayMS: nil)
        if let rules = fetchedRules {
            update.state = .rules
            update.body = String(decoding: body, as: UTF8.self)
            update.crawlDelayMS = rules.crawlDelay.map { Int(($0 * 1000).rounded()) }
            update.sitemaps = rules.sitemaps
            scheduler.robotsResolved(hostID: hostID, rules: rules)
        } else if response.error == nil && (400..<500).contains(response.status) && response.status != 429 {
            update.state = .allowAll
            scheduler.robotsResolved(hostID: hostID, rules: .allowAll)
        } else {
            update.error = response.error.map { "\($0)" } ?? "HTTP \(response.status)"
            crawler.logger.warning("robots.txt of \(origin) unavailable (\(update.error ?? "")); host paused")
            scheduler.robotsFailed(hostID: hostID, now: MonotonicClock.now)
        }
        update.sitemapLinks = sitemapLinks
        writer.append(update)
    }

    /// The sitemaps a robots.txt lists, on its own origin: sitemap indexes followed, gzip
    /// inflated, at most 20 documents and 200,000 URLs, requests spaced by the host's delay.
    func fetchSitemaps(_ sitemaps: [String], origin: String, spacing: Double) async -> [DiscoveredLink] {
        var queue = sitemaps.compactMap { try? CrawlURL(parsing: $0) }.filter { $0.origin == origin }.map(\.string)
        var visited = Set<String>()
        var seen = Set<String>()
        var links: [DiscoveredLink] = []
        var fetchedDocuments = 0
        while !queue.isEmpty, fetchedDocuments < 20, links.count < 200_000 {
            let target = queue.removeFirst()
            guard visited.insert(target).inserted else { continue }
            if fetchedDocuments > 0 && spacing > 0 { try? await Task.sleep(nanoseconds: UInt64(spacing * 1e9)) }
            fetchedDocuments += 1
            let response = await fetcher.fetch(FetchRequest(url: target))
            await archive(target, response)
            guard response.error == nil, (200..<300).contains(response.status) else {
                crawler.logger.warning("sitemap \(target) unavailable: \(response.error.map { "\($0)" } ?? "HTTP \(response.status)")")
                continue
            }
            let body = response.body
            let parsed: SitemapDocument? = await workers.run { _ in try? SitemapParser.parse(body) }
            guard let document = parsed else {
                crawler.logger.warning("sitemap \(target) is not a sitemap")
                continue
            }
            switch document.kind {
            case .index:
                queue += document.locations.compactMap { try? CrawlURL(parsing: $0) }.filter { $0.origin == origin }.map(\.string)
            case .urlset:
                links += processor.sitemapLinks(document.locations, seen: &seen)
            }
        }
        if !links.isEmpty { crawler.logger.info("\(origin): \(links.count) URLs from \(fetchedDocuments) sitemap document(s)") }
        return links
    }
}

/// Fatal errors of a run (per-URL problems are recorded on the URL instead).
public enum CrawlError: Error, CustomStringConvertible, Sendable {
    /// A body could not be written under `--out`: no URL is at fault, so the run stops.
    case output(BodyStore.Failure)
    /// A WARC record could not be written under `--warc`: the run stops the same way.
    case archive(WarcError)
    case invalidSeed(String, String)

    static let resumeHint = "nothing was lost: free space (or raise `ulimit -f`), then run `crawl resume`"

    public var description: String {
        switch self {
        case let .output(failure) where failure.isDiskFull: return "no space for bodies: \(failure); \(Self.resumeHint)"
        case let .output(failure): return "cannot store bodies: \(failure)"
        case let .archive(error) where error.isDiskFull: return "no space for WARC files: \(error); \(Self.resumeHint)"
        case let .archive(error): return "cannot write WARC files: \(error)"
        case let .invalidSeed(seed, reason): return "invalid seed URL '\(seed)': \(reason)"
        }
    }

    /// True when `--out` or `--warc` is full, over quota or at the file size limit: `resume`
    /// continues once space is freed.
    public var isDiskFull: Bool {
        switch self {
        case let .output(failure): return failure.isDiskFull
        case let .archive(error): return error.isDiskFull
        case .invalidSeed: return false
        }
    }
}
