/// Decides whether a document with no declared charset is UTF-8, before libxml2 guesses.
///
/// Left alone, libxml2 2.9 decodes an undeclared document as ISO-8859-1 from its first
/// non-ASCII byte on, turning `/café` in UTF-8 into `/cafÃ©`. A body that is entirely valid
/// UTF-8 and not pure ASCII is, in practice, UTF-8: legacy encodings (Latin-1, Shift_JIS,
/// GBK, ...) almost never form valid multi-byte UTF-8 sequences throughout a document.
/// Pure functions; callable from any thread.
enum UTF8Sniffer {
    /// True when `bytes` contains at least one non-ASCII byte and is well-formed UTF-8
    /// (Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
    static func isNonASCIIUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        isNonASCIIUTF8(bytes, firstNonASCII: indexOfNonASCII(in: bytes, from: 0))
    }

    /// ``isNonASCIIUTF8(_:)`` when the first non-ASCII byte is known already (``BodyByteScan``).
    static func isNonASCIIUTF8(_ bytes: UnsafeRawBufferPointer, firstNonASCII: Int?) -> Bool {
        guard var index = firstNonASCII else { return false }
        let end = bytes.count
        while true {
            let lead = bytes[index]
            let length: Int
            var secondLow: UInt8 = 0x80
            var secondHigh: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; secondLow = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; secondHigh = 0x9F
            case 0xF0: length = 4; secondLow = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; secondHigh = 0x8F
            default: return false
            }
            guard end - index >= length else { return false }
            let second = bytes[index + 1]
            guard second >= secondLow, second <= secondHigh else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
                return false
            }
            guard let next = indexOfNonASCII(in: bytes, from: index + length) else { return true }
            index = next
        }
    }

    /// Index of the first byte >= 0x80 at or after `start`, scanning eight bytes at a time.
    private static func indexOfNonASCII(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 8 <= bytes.count,
            bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
        {
            index += 8
        }
        while index < bytes.count {
            if bytes[index] >= 0x80 { return index }
            index += 1
        }
        return nil
    }
}
