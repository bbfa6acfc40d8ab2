/// Byte-level helpers for the HTML attribute parsers. They work on the NUL-terminated UTF-8
/// strings libxml2 hands to SAX callbacks and on views into them; nothing here allocates.
enum HTMLBytes {
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")

    /// HTML's "ASCII whitespace": space, tab, LF, FF, CR.
    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    @inline(__always)
    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// The bytes of a NUL-terminated string, without the terminator.
    @inline(__always)
    static func bytes(ofCString pointer: UnsafePointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var length = 0
        while pointer[length] != 0 { length += 1 }
        return UnsafeBufferPointer(start: pointer, count: length)
    }

    /// Whether a NUL-terminated string is exactly `literal` (compared byte for byte).
    @inline(__always)
    static func cString(_ pointer: UnsafePointer<UInt8>, equals literal: StaticString) -> Bool {
        let expected = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount where pointer[index] != expected[index] {
            return false
        }
        return pointer[literal.utf8CodeUnitCount] == 0
    }

    /// `bytes` without leading and trailing ASCII whitespace.
    static func trimmingASCIIWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, isASCIIWhitespace(bytes[start]) { start += 1 }
        while end > start, isASCIIWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// Whether `bytes` equals `lowercaseLiteral` ignoring ASCII case. The literal must be lowercase.
    static func equalsIgnoringASCIICase(
        _ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseLiteral: StaticString
    ) -> Bool {
        bytes.count == lowercaseLiteral.utf8CodeUnitCount && hasPrefixIgnoringASCIICase(bytes, lowercaseLiteral)
    }

    /// Whether `bytes` starts with `lowercaseLiteral` ignoring ASCII case. The literal must be lowercase.
    static func hasPrefixIgnoringASCIICase(
        _ bytes: UnsafeBufferPointer<UInt8>, _ lowercaseLiteral: StaticString
    ) -> Bool {
        let count = lowercaseLiteral.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let expected = lowercaseLiteral.utf8Start
        for index in 0..<count where lowercasedASCII(bytes[index]) != expected[index] {
            return false
        }
        return true
    }
}
