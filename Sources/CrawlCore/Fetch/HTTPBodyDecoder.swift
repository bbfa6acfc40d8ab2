/// Undoes the codings of a body received as is (a capturing fetcher keeps curl from decoding):
/// the `chunked` transfer coding, then `gzip` / `x-gzip` / `deflate` content (or transfer)
/// codings, in the reverse order of their application, a piece at a time, into the decoded body.
/// The decoded body is bounded: past `limit` bytes decoding fails with ``Failure/tooLarge``.
///
/// Owned by one transfer on the fetcher's event-loop thread.
final class HTTPBodyDecoder {
    /// Why a body cannot be decoded.
    enum Failure: Error, Equatable {
        /// The decoded body would pass the limit.
        case tooLarge
        /// A coding this decoder does not know (only gzip and deflate are asked for).
        case unsupported(String)
        /// The bytes are not valid for their coding.
        case corrupt(String)
        /// The chunked framing is broken (the server spoke malformed HTTP).
        case framing(String)

        var message: String {
            switch self {
            case .tooLarge: "decoded body too large"
            case let .unsupported(coding): "unsupported content encoding '\(coding)'"
            case let .corrupt(detail): detail
            case let .framing(detail): "malformed chunked framing: \(detail)"
            }
        }
    }

    private var chunked: ChunkedDecoder?
    private let stages: [InflateStage]
    private let limit: Int

    /// A decoder for the given header values (comma lists, as sent), or nil when the body needs
    /// no decoding (no coding, or only `identity`).
    static func make(contentEncoding: String?, transferEncoding: String?, limit: Int) throws(Failure) -> HTTPBodyDecoder? {
        var transfer = codings(transferEncoding)
        let isChunked = transfer.last == "chunked"
        if isChunked { transfer.removeLast() }
        // Applied in order content codings, then transfer codings: undone in reverse.
        let applied = codings(contentEncoding) + transfer
        var stages: [InflateStage] = []
        for coding in applied.reversed() {
            switch coding {
            case "gzip", "x-gzip": stages.append(InflateStage(format: .gzip))
            case "deflate": stages.append(InflateStage(format: .zlib))
            default: throw .unsupported(coding)
            }
        }
        if !isChunked && stages.isEmpty { return nil }
        return HTTPBodyDecoder(chunked: isChunked ? ChunkedDecoder() : nil, stages: stages, limit: limit)
    }

    private init(chunked: ChunkedDecoder?, stages: [InflateStage], limit: Int) {
        self.chunked = chunked
        self.stages = stages
        self.limit = max(0, limit)
    }

    /// The codings of a header value, lower-cased, `identity` dropped.
    private static func codings(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(separator: ",").map { $0.trimmingBlanks.lowercased() }.filter { !$0.isEmpty && $0 != "identity" }
    }

    /// Decodes the next piece of the body as received, appending to `body`.
    func decode(_ raw: UnsafeRawBufferPointer, into body: inout [UInt8]) throws(Failure) {
        if chunked != nil {
            try chunked!.decode(raw) { (data) throws(Failure) in try self.emit(data, stage: 0, into: &body) }
        } else {
            try emit(raw, stage: 0, into: &body)
        }
    }

    /// Runs `data` through the inflate stages from `stage` on, then into `body`.
    private func emit(_ data: UnsafeRawBufferPointer, stage: Int, into body: inout [UInt8]) throws(Failure) {
        guard stage < stages.count else {
            guard data.count <= limit - body.count else { throw .tooLarge }
            ExchangeCapture.grow(&body, toHold: body.count + data.count, limit: limit)
            body.append(contentsOf: data)
            return
        }
        try stages[stage].push(data) { (output) throws(Failure) in try self.emit(output, stage: stage + 1, into: &body) }
    }
}

/// One gzip or deflate layer of ``HTTPBodyDecoder``.
private final class InflateStage {
    private var stream: ZlibInflateStream
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 * 1024, alignment: 1)
    /// The layer's data ended (last gzip member, or the deflate stream); later bytes are ignored.
    private var ended = false
    private var consumedAny = false

    init(format: ZlibInflateStream.Format) {
        stream = ZlibInflateStream(format: format)
    }

    deinit { scratch.deallocate() }

    func push(_ input: UnsafeRawBufferPointer, to sink: (UnsafeRawBufferPointer) throws(HTTPBodyDecoder.Failure) -> Void)
        throws(HTTPBodyDecoder.Failure)
    {
        var rest = input
        while !ended {
            let step = stream.inflate(rest, into: scratch)
            if step.produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: scratch[..<step.produced])) }
            rest = UnsafeRawBufferPointer(rebasing: rest[step.consumed...])
            switch step.status {
            case .progress:
                consumedAny = true
                if rest.isEmpty && step.produced < scratch.count { return }
            case .streamEnd:
                consumedAny = true
                // Concatenated gzip members decode to the concatenation; anything else after the end is ignored.
                if stream.format == .gzip && ZlibInflateStream.startsGzipMember(rest) {
                    stream.reset()
                } else {
                    ended = true
                }
            case .needsInput:
                return
            case .corrupt:
                // Servers that send bare deflate as "deflate": start over without the zlib wrapper.
                if stream.format == .zlib && !consumedAny {
                    stream = ZlibInflateStream(format: .raw)
                    rest = input
                    consumedAny = true
                    continue
                }
                throw .corrupt("invalid \(stream.format == .gzip ? "gzip" : "deflate") data")
            }
        }
    }
}
