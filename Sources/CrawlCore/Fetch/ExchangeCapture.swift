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
            let codings = Self.codingHeaders(responseHead)
            do {
                decoder = try HTTPBodyDecoder.make(
                    contentEncoding: codings.contentEncoding, transferEncoding: codings.transferEncoding, limit: bodyLimit)
            } catch {
                failure = error
                return false
            }
            if let length = codings.contentLength, length > 0 {
                raw.reserveCapacity(min(length, rawLimit))
            }
        }
        let limit = decoder == nil ? bodyLimit : rawLimit
        guard bytes.count <= limit - raw.count else {
            failure = .tooLarge
            return false
        }
        Self.grow(&raw, toHold: raw.count + bytes.count, limit: limit)
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

    /// Doubling, but never past the limit: a body near the cap holds the cap, not twice it.
    static func grow(_ buffer: inout [UInt8], toHold needed: Int, limit: Int) {
        if needed > buffer.capacity { buffer.reserveCapacity(min(limit, max(needed, buffer.capacity * 2))) }
    }

    /// What decoding needs from a response head, found in one pass over its bytes: the
    /// Content-Encoding and Transfer-Encoding values (repeated fields joined by ", ") and the
    /// Content-Length. Field names compare case-insensitively.
    static func codingHeaders(_ head: [UInt8]) -> (contentEncoding: String?, transferEncoding: String?, contentLength: Int?) {
        var contentEncoding: String?
        var transferEncoding: String?
        var contentLength: Int?
        head.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
                var colon = lineStart
                while colon < lineEnd && bytes[colon] != UInt8(ascii: ":") { colon += 1 }
                if colon < lineEnd {
                    let name = UnsafeBufferPointer(rebasing: bytes[lineStart..<colon])
                    var valueStart = colon + 1, valueEnd = lineEnd
                    while valueStart < valueEnd && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
                    while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 13 || bytes[valueEnd - 1] == 9) {
                        valueEnd -= 1
                    }
                    let value = { String(decoding: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self) }
                    if Self.nameEquals(name, Self.contentEncodingName) {
                        contentEncoding = contentEncoding.map { $0 + ", " + value() } ?? value()
                    } else if Self.nameEquals(name, Self.transferEncodingName) {
                        transferEncoding = transferEncoding.map { $0 + ", " + value() } ?? value()
                    } else if Self.nameEquals(name, Self.contentLengthName) {
                        contentLength = Int(value())
                    }
                }
                lineStart = lineEnd + 1
            }
        }
        return (contentEncoding, transferEncoding, contentLength)
    }

    /// ASCII case-insensitive comparison with a lower-case name.
    private static func nameEquals(_ name: UnsafeBufferPointer<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard name.count == lowercase.count else { return false }
        for index in 0..<name.count where name[index] | 0x20 != lowercase[index] { return false }
        return true
    }

    private static let contentEncodingName = Array("content-encoding".utf8)
    private static let transferEncodingName = Array("transfer-encoding".utf8)
    private static let contentLengthName = Array("content-length".utf8)
    private static let statusLinePrefix = Array("HTTP/".utf8)
}
