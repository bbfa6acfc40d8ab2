/// One compiled `Allow`/`Disallow` path pattern (RFC 9309 section 2.2.3).
///
/// Built once at parse time from the rule's value: the value is percent-normalized with
/// ``RobotsPathNormalizer``, a trailing `$` becomes an end anchor, and the rest is split at every
/// `*` into literal segments. The first segment must match at the start of the path, the others
/// in order anywhere after it; with the anchor, the last one must end exactly at the path's end.
///
/// Immutable and `Sendable`; ``matches(_:)`` may be called from any thread and does not allocate.
struct RobotsPattern: Sendable, Equatable {
    /// Specificity used to rank rules: octets of the normalized pattern as written, wildcards and
    /// the anchor included (so `/fish*.php` has 10). Longer wins.
    let length: Int
    /// True when the pattern ended in `$`.
    let isAnchored: Bool
    /// The literal bytes of all segments, concatenated, `*` and the anchor removed.
    private let literal: [UInt8]
    /// End offset in ``literal`` of each segment; segment `i` spans
    /// `segmentEnds[i - 1] ..< segmentEnds[i]` (from 0 for the first). Always at least one entry.
    private let segmentEnds: [Int]
    /// Up to the first 8 bytes of the first segment, little-endian, and the mask covering them:
    /// a one-compare filter that rejects most non-matching rules without touching the arrays.
    private let prefixWord: UInt64
    private let prefixMask: UInt64

    /// Compiles a raw rule value (already trimmed, comment removed). Returns nil for an empty
    /// value, which per RFC 9309 matches nothing.
    init?(_ raw: ArraySlice<UInt8>) {
        guard !raw.isEmpty else { return nil }
        var normalized = RobotsPathNormalizer.normalized(raw)
        length = normalized.count
        isAnchored = normalized.last == UInt8(ascii: "$")
        if isAnchored { normalized.removeLast() }

        var literal: [UInt8] = []
        literal.reserveCapacity(normalized.count)
        var ends: [Int] = []
        for byte in normalized {
            if byte == UInt8(ascii: "*") {
                // Consecutive stars are one wildcard; an empty segment between them adds nothing.
                if ends.last != literal.count { ends.append(literal.count) }
            } else {
                literal.append(byte)
            }
        }
        ends.append(literal.count)
        self.literal = literal
        self.segmentEnds = ends
        let prefixCount = min(8, ends[0])
        prefixMask = prefixCount == 8 ? ~0 : (1 << (8 * UInt64(prefixCount))) &- 1
        prefixWord = literal.withUnsafeBufferPointer { Self.prefixWord(of: $0) } & prefixMask
    }

    /// The first 8 bytes of `bytes` as a little-endian word, zero-padded when shorter. Padding
    /// cannot produce false matches: canonical bytes are never 0 (control bytes are escaped).
    @inline(__always)
    static func prefixWord(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for index in 0 ..< min(8, bytes.count) {
            word |= UInt64(bytes[index]) << (8 * UInt64(index))
        }
        return word
    }

    /// True when the pattern matches `path`, which must already be in the canonical form of
    /// ``RobotsPathNormalizer``.
    func matches(_ path: UnsafeBufferPointer<UInt8>) -> Bool {
        matches(path, prefixWord: Self.prefixWord(of: path))
    }

    /// ``matches(_:)`` with the path's ``prefixWord(of:)`` precomputed, for checking one path
    /// against many patterns.
    @inline(__always)
    func matches(_ path: UnsafeBufferPointer<UInt8>, prefixWord pathWord: UInt64) -> Bool {
        guard pathWord & prefixMask == prefixWord else { return false }
        return literal.withUnsafeBufferPointer { literal in
            segmentEnds.withUnsafeBufferPointer { ends in
                Self.matches(path, literal: literal, segmentEnds: ends, anchored: isAnchored)
            }
        }
    }

    private static func matches(
        _ path: UnsafeBufferPointer<UInt8>, literal: UnsafeBufferPointer<UInt8>,
        segmentEnds ends: UnsafeBufferPointer<Int>, anchored: Bool
    ) -> Bool {
        let lastSegment = ends.count - 1

        // First segment: a prefix of the path.
        let firstEnd = ends[0]
        guard path.count >= firstEnd, equal(path, at: 0, literal, 0 ..< firstEnd) else { return false }
        if lastSegment == 0 {
            return !anchored || path.count == firstEnd
        }

        // Middle segments: leftmost occurrence after the previous one. Taking the leftmost
        // occurrence leaves the most room for what follows, so it never loses a match.
        var position = firstEnd
        for segment in 1 ..< lastSegment {
            let range = ends[segment - 1] ..< ends[segment]
            guard let found = firstOccurrence(of: literal, range, in: path, from: position) else {
                return false
            }
            position = found + range.count
        }

        // Last segment: anywhere after `position`, or flush with the end when anchored.
        let lastRange = ends[lastSegment - 1] ..< ends[lastSegment]
        if anchored {
            let start = path.count - lastRange.count
            return start >= position && equal(path, at: start, literal, lastRange)
        }
        return firstOccurrence(of: literal, lastRange, in: path, from: position) != nil
    }

    /// True when `path[start ..< start + range.count]` equals `literal[range]`; the caller
    /// guarantees the path is long enough.
    @inline(__always)
    private static func equal(
        _ path: UnsafeBufferPointer<UInt8>, at start: Int,
        _ literal: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> Bool {
        var offset = 0
        let count = range.count
        while offset < count {
            if path[start + offset] != literal[range.lowerBound + offset] { return false }
            offset += 1
        }
        return true
    }

    /// The smallest index `i >= from` at which `literal[range]` occurs in `path`, or nil.
    @inline(__always)
    private static func firstOccurrence(
        of literal: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
        in path: UnsafeBufferPointer<UInt8>, from: Int
    ) -> Int? {
        let count = range.count
        if count == 0 { return from <= path.count ? from : nil }
        let first = literal[range.lowerBound]
        var start = from
        let lastStart = path.count - count
        while start <= lastStart {
            if path[start] == first && equal(path, at: start, literal, range) { return start }
            start += 1
        }
        return nil
    }
}
