/// Splits a `srcset` attribute value into its candidate URLs, following the HTML standard's
/// "parse a srcset attribute" algorithm (§4.8.4.3.10).
///
/// Deviation, on purpose: descriptors are skipped, not validated. The standard drops a candidate
/// whose descriptors are malformed (`a.jpg 2q`); a crawler still wants to know that URL exists.
/// Pure functions; callable from any thread.
enum Srcset {
    /// Calls `body` with each candidate URL of `value`, in order. Each URL is non-empty, contains
    /// no ASCII whitespace and does not end in a comma (URLs may contain inner commas, as in
    /// `data:image/png;base64,...`). The buffers passed to `body` are views into `value`.
    static func forEachCandidateURL(
        in value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        let end = value.count
        var position = 0
        while true {
            // Splitting loop: skip ASCII whitespace and commas between candidates.
            while position < end, HTMLBytes.isASCIIWhitespace(value[position]) || value[position] == HTMLBytes.comma {
                position += 1
            }
            if position >= end { return }

            // The URL runs up to the next ASCII whitespace.
            let urlStart = position
            while position < end, !HTMLBytes.isASCIIWhitespace(value[position]) { position += 1 }
            var urlEnd = position

            if value[urlEnd - 1] == HTMLBytes.comma {
                // A trailing comma ends the candidate: it has no descriptors.
                while urlEnd > urlStart, value[urlEnd - 1] == HTMLBytes.comma { urlEnd -= 1 }
            } else {
                position = indexAfterDescriptors(in: value, from: position)
            }
            if urlEnd > urlStart {
                body(UnsafeBufferPointer(rebasing: value[urlStart..<urlEnd]))
            }
        }
    }

    /// Runs the descriptor tokenizer without keeping the descriptors: returns the index just past
    /// the comma that ends the candidate (a comma inside parentheses does not), or the end.
    private static func indexAfterDescriptors(in value: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var position = start
        var inParentheses = false
        while position < value.count {
            let byte = value[position]
            position += 1
            if inParentheses {
                if byte == UInt8(ascii: ")") { inParentheses = false }
            } else if byte == HTMLBytes.comma {
                return position
            } else if byte == UInt8(ascii: "(") {
                inParentheses = true
            }
        }
        return position
    }

    /// The candidate URLs of a `srcset` value, as strings. Convenience for callers outside the
    /// SAX hot path and for tests.
    static func candidateURLs(in value: String) -> [String] {
        var value = value
        return value.withUTF8 { bytes in
            var urls: [String] = []
            forEachCandidateURL(in: bytes) { urls.append(String(decoding: $0, as: UTF8.self)) }
            return urls
        }
    }
}
