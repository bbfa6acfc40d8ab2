import CCrypto

/// SHA-256 of a body, as 64 lowercase hex digits. libcrypto's implementation (SHA-NI where the CPU
/// has it). Callable from any thread.
public enum ContentHash {
    public static func sha256Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        hex(sha256(bytes))
    }

    /// The 32 bytes of the SHA-256 of `bytes`.
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        digest.withUnsafeMutableBufferPointer { out in
            _ = SHA256(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, out.baseAddress)
        }
        return digest
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { sha256Hex($0) }
    }

    static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digest.count * 2) { buffer in
            for (i, byte) in digest.enumerated() {
                buffer[2 * i] = digits[Int(byte >> 4)]
                buffer[2 * i + 1] = digits[Int(byte & 0x0F)]
            }
            return digest.count * 2
        }
    }
}
