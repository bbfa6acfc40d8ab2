/// Finds the target URL in the `content` of `<meta http-equiv="refresh">`, following the HTML
/// standard's "shared declarative refresh steps": a delay (digits, then digits and dots), a
/// `;` `,` or whitespace separator, an optional `url=` (any case, spaces around `=`), optional
/// quotes. Pure functions; callable from any thread.
enum MetaRefresh {
    /// The URL part of a refresh `content` value as a view into `content`, or `nil` when the
    /// value is malformed or only reloads the page itself (`"5"`). Not trimmed at the end.
    static func targetURL(in content: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let end = content.count
        var position = 0
        skipWhitespace(content, &position)

        // The delay: integer digits are required unless the value starts with a dot (".5").
        let digitsStart = position
        while position < end, isDigit(content[position]) { position += 1 }
        if position == digitsStart, position >= end || content[position] != UInt8(ascii: ".") {
            return nil
        }
        while position < end, isDigit(content[position]) || content[position] == UInt8(ascii: ".") {
            position += 1
        }

        // The separator between delay and URL.
        if position < end {
            let byte = content[position]
            guard byte == HTMLBytes.semicolon || byte == HTMLBytes.comma || HTMLBytes.isASCIIWhitespace(byte) else {
                return nil
            }
            skipWhitespace(content, &position)
            if position < end, content[position] == HTMLBytes.semicolon || content[position] == HTMLBytes.comma {
                position += 1
            }
            skipWhitespace(content, &position)
        }
        if position >= end { return nil }

        // Without a complete "url =" prefix, everything left is the URL.
        let remainder = position
        guard consumeURLPrefix(content, &position) else {
            return UnsafeBufferPointer(rebasing: content[remainder..<end])
        }
        var quote: UInt8?
        if position < end, content[position] == UInt8(ascii: "'") || content[position] == UInt8(ascii: "\"") {
            quote = content[position]
            position += 1
        }
        var urlEnd = end
        if let quote {
            var index = position
            while index < end, content[index] != quote { index += 1 }
            urlEnd = index
        }
        return UnsafeBufferPointer(rebasing: content[position..<urlEnd])
    }

    /// Consumes `url` (any case), optional whitespace, `=`, optional whitespace. Returns `false`
    /// (with `position` in an unspecified place) when the prefix is not all there.
    private static func consumeURLPrefix(_ content: UnsafeBufferPointer<UInt8>, _ position: inout Int) -> Bool {
        let prefix: StaticString = "url"
        guard position <= content.count,
              HTMLBytes.hasPrefixIgnoringASCIICase(UnsafeBufferPointer(rebasing: content[position...]), prefix)
        else { return false }
        position += prefix.utf8CodeUnitCount
        skipWhitespace(content, &position)
        guard position < content.count, content[position] == UInt8(ascii: "=") else { return false }
        position += 1
        skipWhitespace(content, &position)
        return true
    }

    @inline(__always)
    private static func skipWhitespace(_ content: UnsafeBufferPointer<UInt8>, _ position: inout Int) {
        while position < content.count, HTMLBytes.isASCIIWhitespace(content[position]) { position += 1 }
    }

    @inline(__always)
    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// The refresh target of `content` as a string, whitespace-trimmed; `nil` when there is none.
    /// Convenience for callers outside the SAX hot path and for tests.
    static func targetURL(in content: String) -> String? {
        var content = content
        return content.withUTF8 { bytes in
            guard let url = targetURL(in: bytes) else { return nil }
            let trimmed = HTMLBytes.trimmingASCIIWhitespace(url)
            return trimmed.isEmpty ? nil : String(decoding: trimmed, as: UTF8.self)
        }
    }
}
