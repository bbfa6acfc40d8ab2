/// The directives of `<meta name="robots" content="...">` that matter to a crawler.
/// A value type with pure methods; usable from any thread.
struct MetaRobotsDirectives: Equatable {
    var noFollow = false
    var noIndex = false

    /// Adds the directives in one `content` value: tokens separated by commas and/or ASCII
    /// whitespace, compared ignoring ASCII case. `none` means both `noindex` and `nofollow`.
    /// Unknown tokens (`max-snippet:10`, `noarchive`) are ignored.
    mutating func add(content: UnsafeBufferPointer<UInt8>) {
        var position = 0
        while position < content.count {
            while position < content.count, isSeparator(content[position]) { position += 1 }
            let start = position
            while position < content.count, !isSeparator(content[position]) { position += 1 }
            guard position > start else { continue }
            let token = UnsafeBufferPointer(rebasing: content[start..<position])
            if HTMLBytes.equalsIgnoringASCIICase(token, "nofollow") {
                noFollow = true
            } else if HTMLBytes.equalsIgnoringASCIICase(token, "noindex") {
                noIndex = true
            } else if HTMLBytes.equalsIgnoringASCIICase(token, "none") {
                noFollow = true
                noIndex = true
            }
        }
    }

    /// Adds the directives of a `content` string. Convenience for tests and non-hot callers.
    mutating func add(content: String) {
        var content = content
        content.withUTF8 { add(content: $0) }
    }

    @inline(__always)
    private func isSeparator(_ byte: UInt8) -> Bool {
        byte == HTMLBytes.comma || HTMLBytes.isASCIIWhitespace(byte)
    }
}
