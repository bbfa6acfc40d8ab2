/// The robots.txt rules that apply to one crawler on one host (RFC 9309), compiled for fast
/// per-URL checks.
///
/// Build one per host with ``init(parsing:userAgent:)`` when its robots.txt arrives (or use
/// ``allowAll`` / ``disallowAll`` for the fetch outcomes RFC 9309 section 2.3.1 prescribes), then
/// call ``isAllowed(_:)`` for each URL. The value is immutable and `Sendable`: parse on any
/// thread, share freely, query from any thread concurrently.
public struct RobotsRules: Sendable, Equatable {
    /// How many leading bytes of a robots.txt body are parsed; the rest is ignored
    /// (RFC 9309 section 2.5 requires at least 500 KiB).
    public static let maxBytes = 512 * 1024

    /// Seconds to wait between requests, from the first valid `Crawl-delay` line of the selected
    /// group(s); nil when there is none. Not part of RFC 9309; the caller decides how to clamp it.
    public let crawlDelay: Double?

    /// The value of every `Sitemap:` line in the file, in file order, whatever the groups.
    public let sitemaps: [String]

    /// The selected `Allow`/`Disallow` rules, in precedence order: longer pattern first, and on
    /// equal length `Allow` before `Disallow`, so the first rule that matches decides.
    let rules: [Rule]

    /// One `Allow` or `Disallow` line of a selected group.
    struct Rule: Sendable, Equatable {
        let pattern: RobotsPattern
        let isAllow: Bool
    }

    /// Builds the rules from an already selected rule list (any order) and group metadata.
    init(rules: [Rule], crawlDelay: Double?, sitemaps: [String]) {
        // Sort by precedence; the original index breaks remaining ties so the order (and with it
        // `==`) is deterministic for the same input.
        self.rules = rules.enumerated()
            .sorted { lhs, rhs in
                if lhs.element.pattern.length != rhs.element.pattern.length {
                    return lhs.element.pattern.length > rhs.element.pattern.length
                }
                if lhs.element.isAllow != rhs.element.isAllow { return lhs.element.isAllow }
                return lhs.offset < rhs.offset
            }
            .map(\.element)
        self.crawlDelay = crawlDelay
        self.sitemaps = sitemaps
    }

    /// Parses a robots.txt body (only the first ``maxBytes`` bytes are read) and keeps the rules
    /// of the group(s) that apply to `userAgent`.
    ///
    /// `userAgent` may be the full User-Agent header value, e.g. `"crawl/0.1 (+https://x)"`; its
    /// product token is its leading run of `[A-Za-z_-]` characters and is matched against the
    /// file's `User-agent` lines case-insensitively. Groups naming that token are merged; when
    /// none does, the `*` groups are merged instead; when there are none of those either,
    /// everything is allowed. Never fails: malformed lines are skipped.
    public init(parsing body: [UInt8], userAgent: String) {
        let parsed = RobotsParser(userAgent: userAgent).parse(body.prefix(Self.maxBytes))
        self.init(rules: parsed.rules, crawlDelay: parsed.crawlDelay, sitemaps: parsed.sitemaps)
    }

    /// Allows every path. For a robots.txt that is missing (HTTP 4xx) or empty.
    public static let allowAll = RobotsRules(rules: [], crawlDelay: nil, sitemaps: [])

    /// Disallows every path except `/robots.txt`. For a robots.txt that is unreachable
    /// (HTTP 5xx, network error).
    public static let disallowAll = RobotsRules(
        rules: [Rule(pattern: RobotsPattern(ArraySlice("/".utf8))!, isAllow: false)],
        crawlDelay: nil, sitemaps: [])

    /// True when the selected rules let the crawler fetch `pathAndQuery`: the URL's path plus
    /// `?query` if any, exactly as sent on the wire (already percent-encoded). An empty string
    /// means `/`. `/robots.txt` is always allowed.
    ///
    /// The longest matching pattern decides, `Allow` winning a tie; no match means allowed.
    /// Both sides are compared in ``RobotsPathNormalizer``'s canonical form. Does not allocate
    /// for paths up to a few hundred bytes.
    public func isAllowed(_ pathAndQuery: String) -> Bool {
        if rules.isEmpty { return true }
        var pathAndQuery = pathAndQuery
        return pathAndQuery.withUTF8 { isAllowed(utf8: $0) }
    }

    /// ``isAllowed(_:)`` on the raw UTF-8 bytes of the path and query.
    func isAllowed(utf8 path: UnsafeBufferPointer<UInt8>) -> Bool {
        if rules.isEmpty { return true }
        if path.isEmpty {
            return Self.rootPath.withUTF8Buffer { decide(canonicalPath: $0) }
        }
        if RobotsPathNormalizer.isCanonical(path) {
            return decide(canonicalPath: path)
        }
        let capacity = RobotsPathNormalizer.maxOutputCount(forInputCount: path.count)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let count = RobotsPathNormalizer.normalize(path, into: buffer)
            return decide(canonicalPath: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    private static let rootPath: StaticString = "/"
    private static let robotsTxtPath: StaticString = "/robots.txt"

    private func decide(canonicalPath path: UnsafeBufferPointer<UInt8>) -> Bool {
        let isRobotsTxt = Self.robotsTxtPath.withUTF8Buffer { robots in
            robots.count == path.count && robots.elementsEqual(path)
        }
        if isRobotsTxt { return true }
        let pathWord = RobotsPattern.prefixWord(of: path)
        for rule in rules where rule.pattern.matches(path, prefixWord: pathWord) {
            return rule.isAllow
        }
        return true
    }
}

extension RobotsRules {
    /// The product token of a User-Agent (its leading run of letters, `_` and `-`), lowercased:
    /// the name robots.txt groups and X-Robots-Tag directives address.
    public static func productToken(of userAgent: String) -> String {
        String(decoding: RobotsParser.productToken(of: ArraySlice(userAgent.utf8)), as: UTF8.self).lowercased()
    }
}
