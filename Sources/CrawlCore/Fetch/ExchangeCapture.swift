/// What a capturing transfer keeps (``FetcherConfiguration/capturesExchange``): the request head
/// curl sent, the response head and the body as received, and the body decoded by
/// ``HTTPBodyDecoder`` (curl decodes nothing in this mode).
///
/// Owned by one ``FetchTransfer``; its callbacks run on the fetcher's event-loop thread.
final class ExchangeCapture {
    private(set) var requestHead: [UInt8] = []
    private(set) var responseHead: [UInt8] = []
    private var raw: [UInt8] = []
    private var decoded: [UInt8] = []
    private var decoder: HTTPBodyDecoder?
    private var bodyStarted = false
    /// Set when the body could not be kept or decoded; the transfer is then aborted.
    private(set) var failure: HTTPBodyDecoder.Failure?
    private let bodyLimit: Int
    private let rawLimit: Int

    init(bodyLimit: Int, rawLimit: Int) {
        self.bodyLimit = bodyLimit
        self.rawLimit = rawLimit
    }

    /// The request head as curl sent it (CURLINFO_HEADER_OUT); a resend replaces it.
    func requestHeadSent(_ bytes: UnsafeRawBufferPointer) {
        requestHead = Array(bytes)
    }

    /// One response header line as received, CRLF included (CURLOPT_HEADERFUNCTION). A status
    /// line starts a new head (after a 1xx); lines after the body began (trailers) are dropped.
    func headerLine(_ bytes: UnsafeRawBufferPointer) {
        guard !bodyStarted else { return }
        if bytes.starts(with: Self.statusLinePrefix) { responseHead.removeAll(keepingCapacity: true) }
        responseHead.append(contentsOf: bytes)
    }

    /// The next piece of body as received. Returns false to abort the transfer (see ``failure``).
    func body(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !bodyStarted {
            bodyStarted = true
            do {
                decoder = try HTTPBodyDecoder.make(
                    contentEncoding: header("content-encoding"), transferEncoding: header("transfer-encoding"), limit: bodyLimit)
            } catch {
                failure = error
                return false
            }
            if let length = header("content-length").flatMap({ Int($0) }), length > 0 {
                raw.reserveCapacity(min(length, rawLimit))
            }
        }
        guard bytes.count <= (decoder == nil ? bodyLimit : rawLimit) - raw.count else {
            failure = .tooLarge
            return false
        }
        raw.append(contentsOf: bytes)
        guard let decoder else { return true }
        do {
            try decoder.decode(bytes, into: &decoded)
            return true
        } catch {
            failure = error
            return false
        }
    }

    /// Hands over the decoded body and the exchange; the capture keeps nothing.
    func finish(sentAt: Double) -> (body: [UInt8], exchange: CapturedExchange) {
        let exchange = CapturedExchange(
            requestHead: requestHead, responseHead: responseHead, rawBody: decoder == nil ? nil : raw, sentAt: sentAt)
        let body = decoder == nil ? raw : decoded
        raw = []
        decoded = []
        return (body, exchange)
    }

    /// The values of response header `name` (lower-case) in the captured head, joined by ", ".
    func header(_ name: String) -> String? {
        var values: [Substring] = []
        let text = String(decoding: responseHead, as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name else { continue }
            values.append(line[line.index(after: colon)...].trimmingBlanks)
        }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    private static let statusLinePrefix = Array("HTTP/".utf8)
}
