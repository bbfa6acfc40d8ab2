import Foundation

/// The adaptive politeness of one host: how long to keep between request starts, given `--delay`,
/// robots.txt's Crawl-delay, and how the host has been answering. Pure; owned by the scheduler.
///
/// - A transient failure (timeout, reset, 5xx, 429) lengthens a streak and doubles a backoff.
/// - A success halves the backoff, down to nothing: the spacing is never below the base delay.
/// - `Retry-After` (429/503) closes the host until that time, whatever the backoff says.
public struct HostPoliteness: Sendable, Equatable {
    /// `--delay`, or robots.txt's Crawl-delay (capped by `--max-crawl-delay`) when larger.
    public var baseDelay: Double
    /// Extra spacing earned by errors (seconds); 0 when the host is healthy.
    public private(set) var backoff: Double = 0
    public private(set) var errorStreak = 0

    /// The largest backoff (seconds).
    public static let maxBackoff: Double = 300
    /// The smallest first step of a backoff (seconds), for hosts crawled with no delay.
    public static let minBackoffStep: Double = 0.5

    public init(baseDelay: Double, backoff: Double = 0, errorStreak: Int = 0) {
        self.baseDelay = baseDelay
        self.backoff = backoff
        self.errorStreak = errorStreak
    }

    /// Seconds between two request starts now.
    public var spacing: Double { max(baseDelay, backoff) }

    public mutating func recordSuccess() {
        errorStreak = 0
        backoff /= 2
        if backoff < max(baseDelay, Self.minBackoffStep) { backoff = 0 }
    }

    public mutating func recordTransientFailure() {
        errorStreak += 1
        let step = max(baseDelay, Self.minBackoffStep)
        backoff = min(Self.maxBackoff, step * Double(1 << min(errorStreak, 20)))
    }

    /// Sets the crawl-delay from robots.txt, never below `delay` and never above `cap`.
    public mutating func applyCrawlDelay(_ crawlDelay: Double?, delay: Double, cap: Double) {
        baseDelay = max(delay, min(crawlDelay ?? 0, cap))
    }
}

/// How a finished transfer should affect its host's politeness.
public enum TransferVerdict: Sendable, Equatable {
    case success
    /// A permanent failure (404, too large, ...): says nothing about the host's health.
    case neutral
    case transientFailure
    /// 429 or 503: slow down, and if `retryAfter` is set, send nothing before that many seconds.
    case throttled(retryAfter: Double?)
}

/// Which failures are worth another attempt.
public enum RetryPolicy {
    /// HTTP statuses retried: 408, 429 and every 5xx but 501 (Not Implemented) and 505.
    public static func isTransient(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status) && status != 501 && status != 505
    }

    /// Transport failures retried: timeouts, resets, refused or unreachable connections, DNS
    /// failures, broken framing. Not retried: too large, blocked scheme, TLS, decoding.
    public static func isTransient(errorKind: String) -> Bool {
        ["timeout", "reset", "connect", "dns", "protocol", "other"].contains(errorKind)
    }

    /// Seconds before attempt `attempts + 1`: exponential from `base`, capped, with up to 50% jitter.
    public static func backoff(attempts: Int, base: Double, jitter: Double) -> Double {
        let exponential = max(1, base) * Double(1 << min(max(attempts - 1, 0), 16))
        return min(600, exponential) * (1 + 0.5 * min(max(jitter, 0), 1))
    }

    /// Retry-After: delta-seconds ("120") or an HTTP-date; seconds from `now`, nil if absent or
    /// unreadable, never negative, capped at a day.
    public static func retryAfterSeconds(_ value: String?, now: Double) -> Double? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? min(Double(seconds), 86400) : nil }
        guard let date = HTTPDate.parse(value) else { return nil }
        return min(max(0, date - now), 86400)
    }
}
