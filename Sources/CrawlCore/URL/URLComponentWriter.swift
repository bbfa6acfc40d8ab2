/// Writes a normalized URL serialization into a caller-provided byte buffer.
///
/// Internal to the URL parser; lives only inside one `withUnsafeTemporaryAllocation` call on the
/// parsing thread. The caller sizes the buffer with an upper bound (every input byte can grow to at
/// most three output bytes); each append still checks the bound, so a wrong estimate traps instead
/// of corrupting memory.
///
/// Normalization applied to path, query and userinfo bytes:
/// - `%XX` of an unreserved character is decoded (`%7E` → `~`), other escapes are upper-cased;
/// - a `%` not followed by two hex digits becomes `%25`;
/// - bytes of the component's encode set (controls, space, `"<>\^`{|}`, DEL, non-ASCII) are escaped.
struct URLComponentWriter {
    private let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    /// The bytes written in `range` as a String (the output is always ASCII).
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeMutableBufferPointer(rebasing: buffer[range]), as: UTF8.self)
    }

    /// Everything written so far as a String.
    func string() -> String {
        string(0..<count)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        precondition(count < buffer.count, "URL output buffer estimate too small")
        buffer[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(buffer.count - count >= bytes.count, "URL output buffer estimate too small")
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (buffer.baseAddress! + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 bytes of `text` unchanged.
    mutating func append(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append($0) }
        if copied == nil {
            for byte in text.utf8 { append(byte) }
        }
    }

    /// Appends `source[range]` with ASCII letters lower-cased (hosts).
    mutating func appendLowercased(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        for index in range { append(URLByteClass.lowercased(source[index])) }
    }

    /// Appends a port number in decimal.
    mutating func appendDecimal(_ value: Int) {
        precondition(value >= 0)
        var divisor = 1
        while divisor * 10 <= value { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            append(0x30 + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    @inline(__always)
    private mutating func appendEscaped(_ byte: UInt8) {
        append(URLByteClass.percent)
        append(URLByteClass.hexDigit(byte >> 4))
        append(URLByteClass.hexDigit(byte & 0x0F))
    }

    /// Appends the byte at `source[index]`, normalized, and returns the index of the next unread byte.
    /// A valid `%XX` escape consumes three bytes.
    @inline(__always)
    private mutating func appendNormalizedByte(
        _ source: UnsafeBufferPointer<UInt8>, at index: Int, end: Int, userinfo: Bool
    ) -> Int {
        let byte = source[index]
        if byte == URLByteClass.percent {
            if index + 2 < end,
                let high = URLByteClass.hexValue(source[index + 1]),
                let low = URLByteClass.hexValue(source[index + 2])
            {
                let decoded = high << 4 | low
                if URLByteClass.isUnreserved(decoded) {
                    append(decoded)
                } else {
                    appendEscaped(decoded)
                }
                return index + 3
            }
            appendEscaped(URLByteClass.percent)
            return index + 1
        }
        let mustEncode =
            userinfo ? URLByteClass.mustEncodeInUserinfo(byte) : URLByteClass.mustEncodeInPathOrQuery(byte)
        if mustEncode {
            appendEscaped(byte)
        } else {
            append(byte)
        }
        return index + 1
    }

    /// Appends a query (without its `?`) normalized.
    mutating func appendQuery(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        var index = range.lowerBound
        while index < range.upperBound {
            index = appendNormalizedByte(source, at: index, end: range.upperBound, userinfo: false)
        }
    }

    /// Appends a userinfo (without its `@`) normalized; a second `@` inside it is escaped.
    mutating func appendUserinfo(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        var index = range.lowerBound
        while index < range.upperBound {
            index = appendNormalizedByte(source, at: index, end: range.upperBound, userinfo: true)
        }
    }

    /// Appends path segments read from `source[range]` and removes dot segments (RFC 3986 §5.2.4)
    /// against everything written since `pathStart`.
    ///
    /// `range` must begin at the first byte of a segment (after the leading `/` of an absolute path,
    /// or at the start of a relative path). The bytes already written since `pathStart` must be empty
    /// or of the form `/seg/seg…` without a trailing `/`; each new segment is written as `/seg`.
    /// A `..` never climbs above `pathStart`. Escapes are normalized before the dot test, so `%2e%2E`
    /// counts as `..`.
    mutating func appendPathSegments(
        _ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, pathStart: Int
    ) {
        let end = range.upperBound
        var index = range.lowerBound
        while true {
            append(URLByteClass.slash)
            let segmentStart = count
            while index < end, source[index] != URLByteClass.slash {
                index = appendNormalizedByte(source, at: index, end: end, userinfo: false)
            }
            let isLast = index >= end
            let length = count - segmentStart
            if length == 1, buffer[segmentStart] == URLByteClass.dot {
                count = segmentStart - 1
                if isLast { append(URLByteClass.slash) }
            } else if length == 2, buffer[segmentStart] == URLByteClass.dot,
                buffer[segmentStart + 1] == URLByteClass.dot
            {
                count = segmentStart - 1
                removeLastSegment(pathStart: pathStart)
                if isLast { append(URLByteClass.slash) }
            }
            if isLast { break }
            index += 1
        }
    }

    /// Drops the last `/seg` written since `pathStart`; does nothing when no segment is left.
    private mutating func removeLastSegment(pathStart: Int) {
        var index = count
        while index > pathStart {
            index -= 1
            if buffer[index] == URLByteClass.slash { break }
        }
        count = index
    }
}
