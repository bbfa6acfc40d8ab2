/// What one pass over a document's bytes finds before parsing: whether it holds a NUL byte
/// (``NULByteScrubber``) and where its first non-ASCII byte is (``UTF8Sniffer``). Two scans of
/// every page became one. Pure; callable from any thread.
struct BodyByteScan {
    /// A byte 0x00 occurs.
    let containsNUL: Bool
    /// Offset of the first byte >= 0x80, if any.
    let firstNonASCII: Int?

    /// Scans `bytes` eight at a time, stopping early once both answers are known.
    /// `findNonASCII: false` looks for NUL bytes only (`firstNonASCII` is then nil).
    init(_ bytes: UnsafeRawBufferPointer, findNonASCII: Bool = true) {
        var containsNUL = false
        var firstNonASCII: Int?
        var lookingForNonASCII = findNonASCII
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if !containsNUL && Self.hasZeroByte(word) { containsNUL = true }
            if lookingForNonASCII, word & 0x8080_8080_8080_8080 != 0 {
                // Little-endian: the lowest set high bit is the first such byte.
                firstNonASCII = index + (word & 0x8080_8080_8080_8080).littleEndian.trailingZeroBitCount / 8
                lookingForNonASCII = false
            }
            if containsNUL && !lookingForNonASCII { break }
            index += 8
        }
        while index < count && (!containsNUL || lookingForNonASCII) {
            let byte = bytes[index]
            if byte == 0 { containsNUL = true }
            if lookingForNonASCII && byte >= 0x80 {
                firstNonASCII = index
                lookingForNonASCII = false
            }
            index += 1
        }
        self.containsNUL = containsNUL
        self.firstNonASCII = firstNonASCII
    }

    /// Whether one of the eight bytes of `word` is 0 (the classic test: exact, no false
    /// positives). XOR a byte repeated eight times first to look for that byte instead.
    @inline(__always)
    static func hasZeroByte(_ word: UInt64) -> Bool {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080 != 0
    }
}
