/// How the WARC writer labels digests (`WARC-Block-Digest`, `WARC-Payload-Digest`): `sha256:` and
/// the digest in RFC 4648 base32, upper case with padding (56 characters), the form warcio writes
/// and verifies. SHA-256 because the crawl hashes every body with it already (``ContentHash``):
/// a response whose payload is the stored body reuses that hash instead of hashing it again.
///
/// Jobs archived before this writer have `sha1:` labels in their database; ``isCurrent(_:)`` tells
/// them apart. Pure; callable from any thread.
public enum WarcDigest {
    /// The label's algorithm name, as warcio and hashlib spell it.
    public static let algorithm = "sha256"
    private static let prefix = algorithm + ":"

    /// The label of a SHA-256 digest (32 bytes).
    public static func label(_ digest: some Collection<UInt8>) -> String {
        prefix + Base32.encode(digest)
    }

    /// The label of `bytes`, hashed here (one-shot).
    public static func label(of bytes: [UInt8]) -> String {
        label(bytes.withUnsafeBytes(ContentHash.sha256))
    }

    /// The label of a SHA-256 given as 64 hex digits (``ContentHash/sha256Hex(_:)-(UnsafeRawBufferPointer)``),
    /// or nil if `hex` is not that.
    public static func label(sha256Hex hex: String) -> String? {
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        var high: UInt8?
        for character in hex.utf8 {
            guard let value = URLByteClass.hexValue(character) else { return nil }
            if let first = high {
                digest.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        guard high == nil, digest.count == 32 else { return nil }
        return label(digest)
    }

    /// True when `label` uses this writer's algorithm, so that it compares with the digests the
    /// writer makes; false for another one (a `sha1:` label of an older job).
    public static func isCurrent(_ label: String) -> Bool {
        label.utf8.starts(with: prefix.utf8)
    }
}
