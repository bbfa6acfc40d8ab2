/// Brings robots.txt path patterns and request paths into one canonical percent-encoding so the
/// two can be compared octet by octet (RFC 9309 section 2.2.2).
///
/// The canonical form:
/// - `%xx` escapes of unreserved characters (`A-Z a-z 0-9 - . _ ~`) are decoded: `/%7Ejoe` → `/~joe`;
/// - every other `%xx` escape is kept, with its hex digits upper-cased: `%2f` → `%2F`;
/// - bytes ≥ 0x80, control bytes, space and DEL are percent-encoded: `é` → `%C3%A9`;
/// - everything else (including `*`, `$`, `?` and a `%` not followed by two hex digits) is copied.
///
/// Stateless and thread-safe; used at parse time for patterns and once per URL for paths.
enum RobotsPathNormalizer {
    /// Upper bound of the canonical form's length: every input byte becomes at most three bytes.
    static func maxOutputCount(forInputCount count: Int) -> Int { count * 3 }

    /// True when `bytes` would be copied unchanged, so the normalizing pass can be skipped.
    @inline(__always)
    static func isCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte == UInt8(ascii: "%") || needsEncoding(byte) {
            return false
        }
        return true
    }

    /// Writes the canonical form of `input` into `output`, whose capacity must be at least
    /// `maxOutputCount(forInputCount: input.count)`, and returns the number of bytes written.
    static func normalize(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        precondition(output.count >= maxOutputCount(forInputCount: input.count))
        var written = 0
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == UInt8(ascii: "%"), index + 2 < count,
                let high = URLByteClass.hexValue(input[index + 1]), let low = URLByteClass.hexValue(input[index + 2])
            {
                let decoded = high << 4 | low
                if URLByteClass.isUnreserved(decoded) {
                    output[written] = decoded
                    written += 1
                } else {
                    output[written] = UInt8(ascii: "%")
                    output[written + 1] = URLByteClass.hexDigit(high)
                    output[written + 2] = URLByteClass.hexDigit(low)
                    written += 3
                }
                index += 3
            } else if needsEncoding(byte) {
                output[written] = UInt8(ascii: "%")
                output[written + 1] = URLByteClass.hexDigit(byte >> 4)
                output[written + 2] = URLByteClass.hexDigit(byte & 0x0F)
                written += 3
                index += 1
            } else {
                output[written] = byte
                written += 1
                index += 1
            }
        }
        return written
    }

    /// The canonical form of `bytes` as a new array. Allocates; meant for parse time.
    static func normalized(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBufferPointer { input in
            if isCanonical(input) { return Array(input) }
            return [UInt8](unsafeUninitializedCapacity: maxOutputCount(forInputCount: input.count)) {
                buffer, initializedCount in
                initializedCount = normalize(input, into: buffer)
            }
        }
    }

    // MARK: - Byte classes

    @inline(__always)
    private static func needsEncoding(_ byte: UInt8) -> Bool {
        byte >= 0x7F || byte <= 0x20
    }
}
