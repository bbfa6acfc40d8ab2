import CCrypto

/// Incremental SHA-1 through libcrypto's EVP interface, for WARC block and payload digests
/// (`sha1:` + base32, what warcio, pywb and Heritrix expect). Reusable: ``finish()`` hands out
/// the digest and starts over.
///
/// Not thread-safe: one per thread (a parse worker's record encoder).
final class SHA1Digester {
    private let context: OpaquePointer?

    init() {
        context = EVP_MD_CTX_new()
        start()
    }

    deinit { EVP_MD_CTX_free(context) }

    private func start() {
        EVP_DigestInit_ex(context, EVP_sha1(), nil)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 20-byte digest of everything updated since the last finish; the digester starts over.
    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        start()
        return Array(digest.prefix(Int(length)))
    }

    /// `sha1:` + base32 of everything updated since the last finish.
    func finishLabel() -> String {
        "sha1:" + Base32.encode(finish())
    }

    /// `sha1:` + base32 of `bytes`.
    static func label(of bytes: [UInt8]) -> String {
        let digester = SHA1Digester()
        digester.update(bytes)
        return digester.finishLabel()
    }
}
