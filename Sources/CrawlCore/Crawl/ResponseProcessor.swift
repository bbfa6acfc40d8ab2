import Foundation

/// The state a parse worker thread keeps between responses. Created and used on one thread only.
public final class WorkerContext {
    let extractor: LinkExtractor
    private var warcEncoderInstance: WarcRecordEncoder?

    /// This worker's WARC record encoder (`--warc`), made on first use with `level`.
    func warcEncoder(level: Int32) -> WarcRecordEncoder {
        if let encoder = warcEncoderInstance, encoder.level == level { return encoder }
        let encoder = WarcRecordEncoder(level: level)
        warcEncoderInstance = encoder
        return encoder
    }

    init(maxLinks: Int) {
        extractor = LinkExtractor(maxLinks: maxLinks)
    }
}

/// Turns a fetched response into the URL's result: hashes and stores a 2xx body, extracts,
/// resolves and scopes the links of an HTML page, records redirects and errors.
///
/// Runs on a parse worker thread (blocking file writes and libxml2 stay off the cooperative pool).
struct ResponseProcessor: Sendable {
    let scope: Scope
    let maxDepth: Int?
    let fetchImages: Bool
    let bodies: BodyStore
    /// A chain of redirects is followed this far, no further.
    static let maxRedirects = 10
    /// Transient failures are retried this many times (`--retries`).
    var retries: Int = 3
    /// The first retry waits about this long (seconds); later ones double it.
    var retryBase: Double = 1
    /// Meta robots and X-Robots-Tag are obeyed (off with --ignore-robots).
    var obeyMetaRobots = true
    var ignoreNofollow = false
    var respectRelNofollow = false
    var queryFilter = QueryFilter(patterns: [])
    var trapGuard = TrapGuard()
    var userAgentToken = "crawl"

    func process(_ item: ClaimedURL, _ response: FetchResponse, context: WorkerContext, now: Double)
        throws(BodyStore.Failure) -> URLResult
    {
        var result = URLResult(urlID: item.id, hostID: item.hostID, state: .done)
        result.fetched = true
        result.fetchedAt = now
        // A revisit of a URL whose last fetch succeeded keeps that content through transient failures.
        let hadContent = item.previous.map { ($0.status ?? 0) < 400 } ?? false
        if let error = response.error {
            result.status = response.status > 0 ? response.status : nil
            result.errorKind = error.kind
            result.error = error.description
            result.outcome = .error
            if hadContent {
                result.keepsStoredContent = true
            } else if RetryPolicy.isTransient(errorKind: error.kind), let retryAt = retryTime(item, now: now, retryAfter: nil) {
                result.state = .queued
                result.nextAttemptAt = retryAt
            } else {
                result.state = .failed
            }
            return result
        }
        result.status = response.status
        result.contentType = response.contentType
        result.bytes = response.body.count
        result.etag = response.etag
        result.lastModified = response.lastModified
        switch response.status {
        case 304 where item.previous != nil:
            result.keepsStoredContent = true
            result.outcome = .notModified
        case 200..<300:
            let hash = ContentHash.sha256Hex(response.body)
            if let previousHash = item.previous?.contentHash {
                result.outcome = previousHash == hash ? .unchanged : .changed
            } else {
                result.outcome = .new
            }
            var directives = obeyMetaRobots
                ? RobotsTagHeader.directives(response.robotsTags, userAgentToken: userAgentToken) : MetaRobotsDirectives()
            // An unchanged page links to what it linked to before: no need to parse it again.
            if result.outcome != .unchanged, ContentKind.isHTML(contentType: response.contentType, body: response.body) {
                if ContentKind.looksBinary(response.body) {
                    result.errorKind = "binary_html"
                    result.error = "body labeled HTML is binary; links not extracted"
                } else {
                    let scan = scanLinks(of: item, response, context: context)
                    if obeyMetaRobots {
                        if scan.metaNoFollow { directives.noFollow = true }
                        if scan.metaNoIndex { directives.noIndex = true }
                    }
                    if !directives.noFollow || ignoreNofollow { result.links = links(of: item, scan) }
                    Self.noteCutShort(scan, into: &result)
                }
            }
            if directives.noIndex {
                // noindex: the page may be crawled but not kept (said instead of a cut-short parse).
                result.contentHash = hash
                result.errorKind = "noindex"
                result.error = "noindex (meta robots or X-Robots-Tag): body not stored"
            } else {
                try storeBody(response, hash: hash, into: &result)
            }
            if directives.noFollow && !ignoreNofollow && result.errorKind == nil {
                result.errorKind = "nofollow"
                result.error = "nofollow (meta robots or X-Robots-Tag): links not followed"
            }
        case 300..<400:
            result.outcome = item.previous == nil ? .new : .unchanged
            redirect(item, response, into: &result)
        case 404, 410:
            // Gone: failed rows are never revisited, so a vanished page is not asked for forever.
            result.state = .failed
            result.outcome = hadContent ? .gone : .error  // gone: it existed, then vanished
            result.errorKind = hadContent ? "gone" : "http_\(response.status)"
            result.error = hadContent ? "HTTP \(response.status) on revisit: the page is gone" : "HTTP \(response.status)"
        default:
            result.outcome = .error
            result.errorKind = "http_\(response.status)"
            result.error = "HTTP \(response.status)"
            if hadContent && RetryPolicy.isTransient(status: response.status) {
                result.keepsStoredContent = true
            } else if RetryPolicy.isTransient(status: response.status),
                      let retryAt = retryTime(item, now: now, retryAfter: RetryPolicy.retryAfterSeconds(response.retryAfter, now: now)) {
                result.state = .queued
                result.nextAttemptAt = retryAt
            } else {
                result.state = .failed
            }
        }
        return result
    }

    /// A parse that stopped early leaves a note on the page's row: `links_truncated` (more links
    /// than --max-links-per-page) or `parse_time_limit` (the parser's CPU time limit).
    private static func noteCutShort(_ scan: ExtractedLinks, into result: inout URLResult) {
        if scan.truncated {
            result.errorKind = "links_truncated"
            result.error = "links truncated: the page holds more than the \(scan.links.count) links kept"
        } else if scan.timedOut {
            result.errorKind = "parse_time_limit"
            result.error = "parsing stopped at its time limit; \(scan.links.count) links kept"
        }
    }

    /// When to try a transiently failed URL again (exponential backoff with jitter, and never
    /// before the server's Retry-After), or nil once `retries` retries have been spent.
    private func retryTime(_ item: ClaimedURL, now: Double, retryAfter: Double?) -> Double? {
        let attempts = item.attempts + 1  // this one included
        guard attempts <= retries else { return nil }
        let backoff = RetryPolicy.backoff(attempts: attempts, base: retryBase, jitter: Double.random(in: 0...1))
        return now + max(backoff, retryAfter ?? 0)
    }

    private func storeBody(_ response: FetchResponse, hash: String, into result: inout URLResult) throws(BodyStore.Failure) {
        let stored: Result<String, BodyStore.Failure> = response.body.withUnsafeBytes { bytes in
            do throws(BodyStore.Failure) {
                return .success(try bodies.store(bytes, hash: hash))
            } catch {
                return .failure(error)
            }
        }
        let path = try stored.get()
        result.contentHash = hash
        result.bodyPath = path
    }

    private func redirect(_ item: ClaimedURL, _ response: FetchResponse, into result: inout URLResult) {
        guard let location = response.location, !location.isEmpty else {
            result.errorKind = "redirect_without_location"
            result.error = "HTTP \(response.status) without a usable Location"
            return
        }
        let target: CrawlURL
        do {
            let base = try CrawlURL(parsing: item.url)
            target = try base.resolve(location)
        } catch {
            result.redirectTo = location
            result.errorKind = "redirect_invalid"
            result.error = "redirect not followed: \(error)"
            return
        }
        result.redirectTo = target.string
        guard item.redirectHops < Self.maxRedirects else {
            result.errorKind = "too_many_redirects"
            result.error = "redirect not followed: \(Self.maxRedirects) redirects in a row"
            return
        }
        guard scope.contains(target) else {
            result.errorKind = "redirect_out_of_scope"
            result.error = "redirect to \(target.redacted) is out of scope"
            return
        }
        let filtered = queryFilter.isEmpty ? target : queryFilter.apply(to: target)
        result.links = [DiscoveredLink(
            url: filtered.string, origin: filtered.origin, kind: .redirect, depth: item.depth,
            skipReason: trapGuard.rejection(for: filtered), redirectHops: item.redirectHops + 1)]
    }

    /// Sitemap locations as links: normalized, filtered, in scope, deduplicated, trap-guarded.
    func sitemapLinks(_ locations: [String], seen: inout Set<String>) -> [DiscoveredLink] {
        var links: [DiscoveredLink] = []
        for location in locations {
            guard var url = try? CrawlURL(parsing: location), scope.contains(url) else { continue }
            if !queryFilter.isEmpty { url = queryFilter.apply(to: url) }
            guard seen.insert(url.string).inserted else { continue }
            links.append(DiscoveredLink(url: url.string, origin: url.origin, kind: .page, depth: 1,
                                        skipReason: trapGuard.rejection(for: url)))
        }
        return links
    }

    private func scanLinks(of item: ClaimedURL, _ response: FetchResponse, context: WorkerContext) -> ExtractedLinks {
        let charset = ContentKind.charset(of: response.contentType)
        return response.body.withUnsafeBytes { context.extractor.extract($0, encoding: charset) }
    }

    /// The page's links, resolved against `<base>` or the page, filtered (`--strip-query`), in
    /// scope, within depth, deduplicated; a trap-guarded one is kept as a skip with its reason.
    private func links(of item: ClaimedURL, _ scan: ExtractedLinks) -> [DiscoveredLink] {
        guard let base = try? CrawlURL(parsing: item.url) else { return [] }
        var effectiveBase = base
        if let href = scan.baseHref, let resolved = try? base.resolve(href) { effectiveBase = resolved }
        let pageDepth = item.depth + 1
        let pagesAllowed = maxDepth.map { pageDepth <= $0 } ?? true
        // Deduped by the 64-bit key the store's known-URL filter uses too: one hash per link.
        var seen = Set<UInt64>(minimumCapacity: scan.links.count)
        var links: [DiscoveredLink] = []
        links.reserveCapacity(scan.links.count)
        // Most links stay on a few origins: their origin string is built once, not once per link.
        var origins = OriginCache()
        for link in scan.links {
            let isImage = link.kind == .image
            if isImage ? !fetchImages : !pagesAllowed { continue }
            if link.relNoFollow && respectRelNofollow { continue }
            guard var url = try? effectiveBase.resolve(link.reference), scope.contains(url) else { continue }
            if !queryFilter.isEmpty { url = queryFilter.apply(to: url) }
            let string = url.string
            let key = KnownURLFilter.key(string)
            guard seen.insert(key).inserted else { continue }
            links.append(DiscoveredLink(
                url: string, urlKey: key, origin: origins.origin(of: url), kind: isImage ? .image : .page, depth: pageDepth,
                skipReason: trapGuard.rejection(for: url)))
        }
        return links
    }
}
