/// Limits and identity for a `Fetcher`. A plain value; build it on any thread.
public struct FetcherConfiguration: Sendable {
    /// Sent as the User-Agent header of every request.
    public var userAgent: String
    /// Seconds allowed for DNS + TCP + TLS of a new connection (CURLOPT_CONNECTTIMEOUT_MS).
    public var connectTimeout: Double = 10
    /// Seconds allowed for a whole transfer, including time queued for a free connection
    /// (CURLOPT_TIMEOUT_MS).
    public var timeout: Double = 30
    /// A transfer slower than 1 byte/s for this many seconds is aborted
    /// (CURLOPT_LOW_SPEED_LIMIT = 1, CURLOPT_LOW_SPEED_TIME; whole seconds, at least 1).
    public var lowSpeedTime: Double = 30
    /// Largest decoded body accepted; a larger one fails with `FetchError.tooLarge`.
    public var maxBodyBytes: Int = 50 << 20
    /// Open connections across all hosts (CURLMOPT_MAX_TOTAL_CONNECTIONS). Transfers beyond
    /// this wait inside curl for a free connection.
    public var maxConnections: Int = 16
    /// Open connections per host (CURLMOPT_MAX_HOST_CONNECTIONS).
    public var maxConnectionsPerHost: Int = 4
    /// Keep each exchange as it went over the wire (``FetchResponse/exchange``), for archiving.
    /// curl then decodes nothing: the fetcher undoes chunked framing and gzip/deflate itself (and
    /// asks only for those two encodings), so the decoded body is bounded by `maxBodyBytes` as
    /// before and the raw body by ``rawBodyLimit``.
    public var capturesExchange = false

    public init(userAgent: String) {
        self.userAgent = userAgent
    }
}

extension FetcherConfiguration {
    /// `connectTimeout` in whole milliseconds, at least 1.
    var connectTimeoutMilliseconds: Int { Self.milliseconds(connectTimeout) }
    /// `timeout` in whole milliseconds, at least 1.
    var timeoutMilliseconds: Int { Self.milliseconds(timeout) }
    /// `lowSpeedTime` in whole seconds, at least 1.
    var lowSpeedSeconds: Int { max(1, Int(lowSpeedTime.rounded(.up))) }
    /// Largest body as received (framing and compression included) a capturing fetcher keeps.
    var rawBodyLimit: Int { maxBodyBytes > Int.max / 4 ? Int.max / 2 : 2 * maxBodyBytes + 64 * 1024 }
    /// Idle connections curl may keep cached: a little more than `maxConnections`, so that
    /// finishing transfers never evict a connection another host is about to reuse.
    var connectionCacheSize: Int { max(1, maxConnections) + max(4, maxConnections / 4) }

    private static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 1 }
        return max(1, Int((seconds * 1000).rounded(.up)))
    }
}
