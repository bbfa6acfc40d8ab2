/// One HTTP exchange as it went over the wire, kept by a fetcher whose configuration sets
/// ``FetcherConfiguration/capturesExchange`` (for archiving): the request head as sent, the
/// response head and body as received, before any decoding. A plain value.
public struct CapturedExchange: Sendable {
    /// The request line and header lines as curl sent them, through the empty line that ends them.
    public var requestHead: [UInt8]
    /// The status line and header lines of the final response (interim 1xx responses dropped),
    /// through the empty line that ends them.
    public var responseHead: [UInt8]
    /// The body exactly as received (chunked framing and content coding included), when it
    /// differs from the decoded ``FetchResponse/body``; nil when the two are the same bytes.
    public var rawBody: [UInt8]?
    /// When the request went out (Unix seconds, wall clock).
    public var sentAt: Double

    public init(requestHead: [UInt8], responseHead: [UInt8], rawBody: [UInt8]? = nil, sentAt: Double) {
        self.requestHead = requestHead
        self.responseHead = responseHead
        self.rawBody = rawBody
        self.sentAt = sentAt
    }
}
