/// WARC-Record-ID values: `<urn:uuid:…>` with a random (version 4) UUID. Callable from any thread.
public enum WarcRecordID {
    /// An id from the system's random source (a system call: see ``make(using:)`` for many).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    /// An id from `generator`: each record encoder has a fast one, seeded from the system.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = high & ~(0xF << 12) | (0x4 << 12)  // version 4 (bits 48-51 of the UUID)
        low = low & ~(0x3 << 62) | (0x2 << 62)  // RFC 4122 variant
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 47) { buffer in
            var index = 0
            for byte in "<urn:uuid:".utf8 {
                buffer[index] = byte
                index += 1
            }
            for nibble in 0..<32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    buffer[index] = UInt8(ascii: "-")
                    index += 1
                }
                let word = nibble < 16 ? high : low
                buffer[index] = digits[Int(word >> UInt64(60 - 4 * (nibble % 16)) & 0xF)]
                index += 1
            }
            buffer[index] = UInt8(ascii: ">")
            return index + 1
        }
    }
}
