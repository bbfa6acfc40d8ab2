/// Cheap structural checks that keep crawler traps out of the frontier: URLs that grow without
/// bound because a site links to ever longer variations of the current page (relative links
/// resolved against themselves, calendars linking to `next` forever, session ids in paths).
///
/// A pure value: call ``rejection(for:)`` from any thread, for every discovered link before it
/// is queued. It looks only at the URL's length and its path; it allocates nothing for paths
/// with at most ``maxRepeatedSegments`` segments and only a stack buffer otherwise.
///
/// Not this guard's job: query-string traps (`?page=1`, `?page=2`, … or endless `?date=`
/// links). The query is not split into segments here, so such URLs pass; the per-host page cap
/// bounds how many of them one host can contribute.
public struct TrapGuard: Sendable, Equatable {
    /// Reason token: the normalized URL is longer than ``maxURLLength`` bytes.
    public static let urlTooLong = "url_too_long"
    /// Reason token: one path segment occurs more than ``maxRepeatedSegments`` times.
    public static let repeatedSegments = "repeated_segments"
    /// Reason token: the path has more than ``maxPathDepth`` segments.
    public static let pathTooDeep = "path_too_deep"

    /// Longest accepted URL, in bytes of the normalized serialization ``CrawlURL/string``.
    public var maxURLLength: Int
    /// How often the same path segment may occur; one more occurrence marks a trap
    /// (`/a/b/a/b/a/b/a/`, `/cal/x/cal/x/cal/x/cal/`). Segments compare by exact
    /// (percent-encoded, case-sensitive) text, wherever they sit in the path.
    public var maxRepeatedSegments: Int
    /// Most path segments accepted; a deeper path marks a trap.
    public var maxPathDepth: Int

    /// The default limits, or the given ones. Any thread.
    public init(maxURLLength: Int = 2048, maxRepeatedSegments: Int = 3, maxPathDepth: Int = 32) {
        self.maxURLLength = maxURLLength
        self.maxRepeatedSegments = maxRepeatedSegments
        self.maxPathDepth = maxPathDepth
    }

    /// `nil` if `url` may be queued, else a short stable reason token stored in the database:
    /// ``urlTooLong`` (`"url_too_long"`), ``pathTooDeep`` (`"path_too_deep"`) or
    /// ``repeatedSegments`` (`"repeated_segments"`), checked in that order.
    ///
    /// Path segments are the texts between `/` in ``CrawlURL/path``; empty ones (from `//` or a
    /// trailing `/`) are ignored. The query never counts. Pure and callable from any thread.
    public func rejection(for url: CrawlURL) -> String? {
        if url.string.utf8.count > maxURLLength { return Self.urlTooLong }
        var path = url.path
        return path.withUTF8 { pathRejection($0) }
    }

    // MARK: - Path

    private static let slash = UInt8(ascii: "/")

    private func pathRejection(_ path: UnsafeBufferPointer<UInt8>) -> String? {
        let depth = Self.segmentCount(path)
        if depth > maxPathDepth { return Self.pathTooDeep }
        // Fewer segments than the limit allows cannot repeat one too often.
        guard depth > maxRepeatedSegments else { return nil }
        let repeated = withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: depth) { segments in
            Self.collectSegments(of: path, into: segments)
            return Self.someSegmentOccurs(moreThan: maxRepeatedSegments, segments, in: path)
        }
        return repeated ? Self.repeatedSegments : nil
    }

    /// The number of non-empty `/`-separated segments.
    private static func segmentCount(_ path: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var previous = slash
        for byte in path {
            if byte != slash, previous == slash { count += 1 }
            previous = byte
        }
        return count
    }

    /// Writes the byte range of each non-empty segment into `segments`, which holds exactly
    /// ``segmentCount(_:)`` elements.
    private static func collectSegments(
        of path: UnsafeBufferPointer<UInt8>, into segments: UnsafeMutableBufferPointer<Range<Int>>
    ) {
        var written = 0
        var index = 0
        while index < path.count {
            while index < path.count, path[index] == slash { index += 1 }
            let start = index
            while index < path.count, path[index] != slash { index += 1 }
            if index > start {
                (segments.baseAddress! + written).initialize(to: start..<index)
                written += 1
            }
        }
        precondition(written == segments.count, "segment count changed between passes")
    }

    /// Whether some segment's text occurs more than `limit` times among `segments`.
    private static func someSegmentOccurs(
        moreThan limit: Int, _ segments: UnsafeMutableBufferPointer<Range<Int>>,
        in path: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        if limit < 1 { return !segments.isEmpty }
        // A segment at `first` can only exceed the limit with more than `limit` segments left.
        var first = 0
        while segments.count - first > limit {
            var occurrences = 1
            for other in first + 1..<segments.count
            where sameText(segments[first], segments[other], in: path) {
                occurrences += 1
                if occurrences > limit { return true }
            }
            first += 1
        }
        return false
    }

    @inline(__always)
    private static func sameText(_ lhs: Range<Int>, _ rhs: Range<Int>, in path: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var offset = 0
        while offset < lhs.count {
            if path[lhs.lowerBound + offset] != path[rhs.lowerBound + offset] { return false }
            offset += 1
        }
        return true
    }
}
