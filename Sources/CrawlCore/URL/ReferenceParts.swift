/// Byte ranges of a URI reference's components (RFC 3986 Appendix B); the fragment is discarded.
///
/// Internal to the URL parser; a plain value computed in one pass over the cleaned input bytes.
struct ReferenceParts {
    /// Scheme without its `:`.
    var scheme: Range<Int>?
    /// Authority without the leading `//`; present (possibly empty) when the reference has `//`.
    var authority: Range<Int>?
    /// Path; empty or starting with `/` when an authority is present.
    var path: Range<Int>
    /// Query without its `?`.
    var query: Range<Int>?

    init(splitting input: UnsafeBufferPointer<UInt8>) {
        let count = input.count
        var index = 0
        scheme = nil
        if count > 0, URLByteClass.isAlpha(input[0]) {
            var end = 1
            while end < count, URLByteClass.isSchemeByte(input[end]) { end += 1 }
            if end < count, input[end] == URLByteClass.colon {
                scheme = 0..<end
                index = end + 1
            }
        }
        authority = nil
        if index + 1 < count, input[index] == URLByteClass.slash, input[index + 1] == URLByteClass.slash {
            let start = index + 2
            index = start
            while index < count {
                let byte = input[index]
                if byte == URLByteClass.slash || byte == URLByteClass.question || byte == URLByteClass.hash {
                    break
                }
                index += 1
            }
            authority = start..<index
        }
        let pathStart = index
        while index < count, input[index] != URLByteClass.question, input[index] != URLByteClass.hash {
            index += 1
        }
        path = pathStart..<index
        query = nil
        if index < count, input[index] == URLByteClass.question {
            let queryStart = index + 1
            index = queryStart
            while index < count, input[index] != URLByteClass.hash { index += 1 }
            query = queryStart..<index
        }
    }
}

/// The two schemes the crawler accepts.
enum HTTPScheme {
    case http, https

    /// Matches `input[range]` case-insensitively against `http` and `https`.
    init?(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        let start = range.lowerBound
        guard range.count == 4 || range.count == 5,
            input[start] | 0x20 == 0x68, input[start + 1] | 0x20 == 0x74,  // "h", "t"
            input[start + 2] | 0x20 == 0x74, input[start + 3] | 0x20 == 0x70  // "t", "p"
        else { return nil }
        if range.count == 4 {
            self = .http
        } else if input[start + 4] | 0x20 == 0x73 {  // "s"
            self = .https
        } else {
            return nil
        }
    }

    var name: String { self == .https ? "https" : "http" }
    var defaultPort: Int { self == .https ? 443 : 80 }
}
