/// Removes tracking and session parameters from URLs before they are deduplicated and queued
/// (`--strip-query utm_*,fbclid,sessionid`), so that `/a?utm_source=x` and `/a` are one page.
///
/// A pure value built once from the command line; ``apply(to:)`` is callable from any thread,
/// for every discovered link. A URL whose query has no matching parameter is returned as is,
/// without allocating; otherwise the result is built from the parts of the already-normalized
/// input, without parsing again.
///
/// Parameters are the `&`-separated pieces of ``CrawlURL/query`` (`;` is not a separator); a
/// parameter's name is its text before the first `=`, or all of it. Names are compared after
/// percent-decoding (`%5F` → `_`; `+` stays `+`) and ignoring ASCII case.
public struct QueryFilter: Sendable, Equatable {
    /// The patterns as given, without empty ones.
    public let patterns: [String]
    /// `patterns` as ASCII-lowercased UTF-8, in the same order.
    private let loweredPatterns: [[UInt8]]

    /// Parameter-name patterns: exact names or globs where `*` matches any run of characters
    /// (also none) and `?` exactly one character, e.g. `"utm_*"`, `"sessionid"`, `"fbclid"`.
    /// Empty patterns are ignored. Patterns are matched against whole names, ignoring ASCII
    /// case. Any thread.
    public init(patterns: [String]) {
        let kept = patterns.filter { !$0.isEmpty }
        self.patterns = kept
        loweredPatterns = kept.map { $0.utf8.map(URLByteClass.lowercased) }
    }

    /// Whether there is no pattern, so that ``apply(to:)`` returns every URL unchanged.
    public var isEmpty: Bool { loweredPatterns.isEmpty }

    /// The URL without query parameters whose (percent-decoded, ASCII case-insensitive) name
    /// matches a pattern. The remaining parameters keep their order and exact spelling; an
    /// emptied query is removed entirely (no `?`). When nothing matches, `url` itself comes
    /// back (a bare `?` or empty pieces such as `a=1&&b=2` included); when something is
    /// removed, empty pieces are dropped too. Pure; callable from any thread.
    public func apply(to url: CrawlURL) -> CrawlURL {
        guard !loweredPatterns.isEmpty, var query = url.query, !query.isEmpty else { return url }
        guard let kept = query.withUTF8({ keptParameters(of: $0) }) else { return url }
        let prefixLength = url.string.utf8.count - query.utf8.count - 1
        let prefix = String(Substring(url.string.utf8.prefix(prefixLength)))
        // Dropping whole parameters from a normalized query leaves it normalized, so the parts
        // of `url` stay valid and need no second parse.
        return CrawlURL(
            scheme: url.scheme, userinfo: url.userinfo, host: url.host, port: url.port, path: url.path,
            query: kept.isEmpty ? nil : kept, string: kept.isEmpty ? prefix : prefix + "?" + kept)
    }

    // MARK: - Matching

    private static let ampersand = UInt8(ascii: "&")
    private static let equals = UInt8(ascii: "=")
    private static let percent = UInt8(ascii: "%")
    private static let star = UInt8(ascii: "*")
    private static let question = UInt8(ascii: "?")

    /// The parameters of `query` that no pattern matches, joined by `&`; `nil` when every
    /// parameter is kept.
    private func keptParameters(of query: UnsafeBufferPointer<UInt8>) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * query.count) { scratch in
            let name = UnsafeMutableBufferPointer(rebasing: scratch[0..<query.count])
            let output = UnsafeMutableBufferPointer(rebasing: scratch[query.count...])
            var written = 0
            var removedAny = false
            var start = 0
            while start <= query.count {
                var end = start
                while end < query.count, query[end] != Self.ampersand { end += 1 }
                if end > start {
                    let parameter = UnsafeBufferPointer(rebasing: query[start..<end])
                    if matchesAnyPattern(nameOf: parameter, scratch: name) {
                        removedAny = true
                    } else {
                        if written > 0 {
                            output[written] = Self.ampersand
                            written += 1
                        }
                        for byte in parameter {
                            output[written] = byte
                            written += 1
                        }
                    }
                }
                start = end + 1
            }
            guard removedAny else { return nil }
            return String(decoding: UnsafeMutableBufferPointer(rebasing: output[0..<written]), as: UTF8.self)
        }
    }

    /// Whether the percent-decoded name of `parameter` (its text before the first `=`) matches a
    /// pattern. `scratch` holds at least `parameter.count` bytes.
    private func matchesAnyPattern(
        nameOf parameter: UnsafeBufferPointer<UInt8>, scratch: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        var length = 0
        var index = 0
        while index < parameter.count, parameter[index] != Self.equals {
            var byte = parameter[index]
            index += 1
            if byte == Self.percent, index + 1 < parameter.count,
                let high = URLByteClass.hexValue(parameter[index]),
                let low = URLByteClass.hexValue(parameter[index + 1])
            {
                byte = high << 4 | low
                index += 2
            }
            scratch[length] = URLByteClass.lowercased(byte)
            length += 1
        }
        let name = UnsafeBufferPointer(rebasing: scratch[0..<length])
        for pattern in loweredPatterns where Self.glob(pattern, matches: name) {
            return true
        }
        return false
    }

    /// Whether the lowercased `pattern` matches all of the lowercased `name`. `*` spans any
    /// number of characters and `?` one; a character is a UTF-8 lead byte with its continuation
    /// bytes. Backtracks only to the last `*`, so the cost is at most pattern × name.
    static func glob(_ pattern: [UInt8], matches name: UnsafeBufferPointer<UInt8>) -> Bool {
        var patternIndex = 0
        var nameIndex = 0
        var starPattern = -1
        var starName = 0
        while nameIndex < name.count {
            if patternIndex < pattern.count {
                let expected = pattern[patternIndex]
                if expected == star {
                    starPattern = patternIndex
                    starName = nameIndex
                    patternIndex += 1
                    continue
                }
                if expected == question {
                    patternIndex += 1
                    nameIndex = nextCharacter(after: nameIndex, in: name)
                    continue
                }
                if expected == name[nameIndex] {
                    patternIndex += 1
                    nameIndex += 1
                    continue
                }
            }
            guard starPattern >= 0 else { return false }
            // Let the last `*` swallow one more character and retry what follows it.
            starName = nextCharacter(after: starName, in: name)
            nameIndex = starName
            patternIndex = starPattern + 1
        }
        while patternIndex < pattern.count, pattern[patternIndex] == star { patternIndex += 1 }
        return patternIndex == pattern.count
    }

    /// The index of the character after the one starting at `index`.
    @inline(__always)
    private static func nextCharacter(after index: Int, in name: UnsafeBufferPointer<UInt8>) -> Int {
        var next = index + 1
        while next < name.count, name[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }
}
