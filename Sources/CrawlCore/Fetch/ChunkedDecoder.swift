/// The `chunked` transfer coding (RFC 9112 §7.1): chunk sizes in hex with optional extensions,
/// CRLF-terminated lines (a bare LF is accepted), the last chunk, then trailer lines.
struct ChunkedDecoder {
    private enum State {
        case size, sizeExtension, sizeLineEnd
        case data(remaining: Int)
        case dataCR, dataLF
        case trailer(lineIsEmpty: Bool)
        case done
    }

    private var state = State.size
    private var size = 0
    private var sizeDigits = 0

    /// Whether the last chunk and the trailer section have been read.
    var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Feeds the next raw bytes; the chunks' data goes to `sink` in order. Bytes after the end are ignored.
    mutating func decode(_ raw: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws(HTTPBodyDecoder.Failure) -> Void)
        throws(HTTPBodyDecoder.Failure)
    {
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            switch state {
            case .size:
                if let digit = URLByteClass.hexValue(byte).map(Int.init) {
                    guard sizeDigits < 15 else { throw .framing("chunk size too large") }
                    size = size << 4 | digit
                    sizeDigits += 1
                } else if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    state = .sizeExtension
                } else if byte == UInt8(ascii: "\r") {
                    state = .sizeLineEnd
                } else if byte == UInt8(ascii: "\n") {
                    try endSizeLine()
                } else {
                    throw .framing("invalid chunk size")
                }
                index += 1
            case .sizeExtension:
                if byte == UInt8(ascii: "\n") { try endSizeLine() } else if byte == UInt8(ascii: "\r") { state = .sizeLineEnd }
                index += 1
            case .sizeLineEnd:
                guard byte == UInt8(ascii: "\n") else { throw .framing("chunk size line not ended by CRLF") }
                try endSizeLine()
                index += 1
            case let .data(remaining):
                let take = min(remaining, raw.count - index)
                try sink(UnsafeRawBufferPointer(rebasing: raw[index..<(index + take)]))
                index += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
            case .dataCR:
                if byte == UInt8(ascii: "\r") {
                    state = .dataLF
                } else if byte == UInt8(ascii: "\n") {
                    state = .size
                } else {
                    throw .framing("chunk data not followed by CRLF")
                }
                index += 1
            case .dataLF:
                guard byte == UInt8(ascii: "\n") else { throw .framing("chunk data not followed by CRLF") }
                state = .size
                index += 1
            case let .trailer(lineIsEmpty):
                if byte == UInt8(ascii: "\n") {
                    state = lineIsEmpty ? .done : .trailer(lineIsEmpty: true)
                } else if byte != UInt8(ascii: "\r") {
                    state = .trailer(lineIsEmpty: false)
                }
                index += 1
            case .done:
                return
            }
        }
    }

    private mutating func endSizeLine() throws(HTTPBodyDecoder.Failure) {
        guard sizeDigits > 0 else { throw .framing("empty chunk size") }
        state = size == 0 ? .trailer(lineIsEmpty: true) : .data(remaining: size)
        size = 0
        sizeDigits = 0
    }
}
