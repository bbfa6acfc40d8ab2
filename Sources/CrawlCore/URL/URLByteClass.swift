/// Character classes of RFC 3986 as branch-free tests on single UTF-8 bytes.
///
/// Internal helper of the URL parser, also used wherever bytes are read as hex digits or
/// percent-escapes (robots paths, chunk sizes, WARC digests); pure functions, callable from any thread. The sets are
/// 128-bit masks split in two `UInt64` halves so that no global table (and no lazy-initialisation
/// check) sits in the hot loop.
enum URLByteClass {
    static let slash: UInt8 = 0x2F  // "/"
    static let question: UInt8 = 0x3F  // "?"
    static let hash: UInt8 = 0x23  // "#"
    static let percent: UInt8 = 0x25  // "%"
    static let colon: UInt8 = 0x3A  // ":"
    static let at: UInt8 = 0x40  // "@"
    static let dot: UInt8 = 0x2E  // "."
    static let openBracket: UInt8 = 0x5B  // "["
    static let closeBracket: UInt8 = 0x5D  // "]"

    @inline(__always)
    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- 0x61 < 26
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// `ALPHA / DIGIT / "+" / "-" / "."`, the bytes after the first one of a scheme.
    @inline(__always)
    static func isSchemeByte(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == 0x2B || byte == 0x2D || byte == 0x2E
    }

    /// ASCII upper-case letters become lower-case; every other byte is returned unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, or `nil`.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        if isDigit(byte) { return byte &- 0x30 }
        let folded = byte | 0x20
        if folded &- 0x61 < 6 { return folded &- 0x61 &+ 10 }
        return nil
    }

    /// The upper-case hexadecimal digit for a value in 0...15.
    @inline(__always)
    static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? 0x30 &+ value : 0x41 &+ (value &- 10)
    }

    /// RFC 3986 `unreserved`: `ALPHA / DIGIT / "-" / "." / "_" / "~"`. Escapes of these are decoded.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        // "-" 0x2D, "." 0x2E, digits 0x30-0x39; letters, "_" 0x5F, "~" 0x7E.
        let low: UInt64 = 1 << 0x2D | 1 << 0x2E | 0x03FF << 0x30
        let high: UInt64 = 0x07FF_FFFE | 1 << (0x5F - 64) | 0x07FF_FFFE << 32 | 1 << (0x7E - 64)
        return inMask(byte, low: low, high: high)
    }

    /// Bytes that must be percent-encoded in a path or query: C0 controls, space, `"<>\^`{|}`,
    /// DEL and every non-ASCII byte. `%` is handled separately by the writer.
    @inline(__always)
    static func mustEncodeInPathOrQuery(_ byte: UInt8) -> Bool {
        if byte >= 0x80 { return true }
        let low: UInt64 = ((1 << 0x21) - 1) | 1 << 0x22 | 1 << 0x3C | 1 << 0x3E
        let high: UInt64 = 1 << (0x5C - 64) | 1 << (0x5E - 64) | 1 << (0x60 - 64)
            | 1 << (0x7B - 64) | 1 << (0x7C - 64) | 1 << (0x7D - 64) | 1 << (0x7F - 64)
        return inMask(byte, low: low, high: high)
    }

    /// The path/query set plus `@` (a second `@` inside userinfo must not end it on re-parse).
    @inline(__always)
    static func mustEncodeInUserinfo(_ byte: UInt8) -> Bool {
        byte == at || mustEncodeInPathOrQuery(byte)
    }

    /// Control characters (C0 and DEL), which cannot appear in a userinfo.
    @inline(__always)
    static func isControl(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x7F
    }

    /// Bytes allowed in an ASCII host name: letters, digits, `-`, `.`, `_`.
    @inline(__always)
    static func isHostByte(_ byte: UInt8) -> Bool {
        let low: UInt64 = 1 << 0x2D | 1 << 0x2E | 0x03FF << 0x30
        let high: UInt64 = 0x07FF_FFFE | 1 << (0x5F - 64) | 0x07FF_FFFE << 32
        return inMask(byte, low: low, high: high)
    }

    /// Bytes allowed between the brackets of an IPv6 literal: hex digits, `:` and `.`.
    @inline(__always)
    static func isIPv6Byte(_ byte: UInt8) -> Bool {
        hexValue(byte) != nil || byte == colon || byte == dot
    }

    @inline(__always)
    private static func inMask(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        if byte < 64 { return low >> UInt64(byte) & 1 == 1 }
        if byte < 128 { return high >> UInt64(byte &- 64) & 1 == 1 }
        return false
    }
}
