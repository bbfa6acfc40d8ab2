/// The outcome of one `Fetcher.fetch` call. Redirects are never followed: a 3xx comes back
/// as is, with `location` holding the absolute target.
public struct FetchResponse: Sendable {
    /// The URL as requested.
    public var url: String
    /// HTTP status code; 0 when no response header arrived.
    public var status: Int
    /// The Content-Type header value as sent.
    public var contentType: String?
    /// For a 3xx with a Location header: the absolute redirect target (CURLINFO_REDIRECT_URL).
    public var location: String?
    /// The ETag header value as sent.
    public var etag: String?
    /// The Last-Modified header value as sent.
    public var lastModified: String?
    /// The Retry-After header value as sent.
    public var retryAfter: String?
    /// Every X-Robots-Tag header value, in order.
    public var robotsTags: [String] = []
    /// When the request went out on the wire (``MonotonicClock`` seconds), if it did.
    public var requestSentAt: Double?
    /// The decoded body (gzip, deflate, br and zstd are undone). Empty when `error` is set.
    public var body: [UInt8]
    /// `nil` when the transfer completed, whatever the HTTP status.
    public var error: FetchError?
    /// The IP address the connection went to, when one was made.
    public var primaryIP: String?
    /// Wall time of the transfer in seconds, as measured by curl.
    public var totalSeconds: Double
    /// The exchange as sent and received, when the fetcher captures (``FetcherConfiguration/capturesExchange``)
    /// and a complete response arrived.
    public var exchange: CapturedExchange?

    public init(
        url: String, status: Int = 0, contentType: String? = nil, location: String? = nil,
        etag: String? = nil, lastModified: String? = nil, retryAfter: String? = nil,
        body: [UInt8] = [], error: FetchError? = nil, primaryIP: String? = nil,
        totalSeconds: Double = 0
    ) {
        self.url = url
        self.status = status
        self.contentType = contentType
        self.location = location
        self.etag = etag
        self.lastModified = lastModified
        self.retryAfter = retryAfter
        self.body = body
        self.error = error
        self.primaryIP = primaryIP
        self.totalSeconds = totalSeconds
    }

    /// A response for a fetch that failed before or without a transfer.
    static func failed(_ url: String, _ error: FetchError) -> FetchResponse {
        FetchResponse(url: url, error: error)
    }
}
