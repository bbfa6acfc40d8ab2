import CCrypto

/// Incremental SHA-256 through libcrypto's EVP interface (SHA-NI where the CPU has it), for WARC
/// block and payload digests. Reusable: ``finish()`` hands out the digest and starts over.
///
/// Not thread-safe: one per thread (a parse worker's record encoder).
final class SHA256Digester {
    private let context: OpaquePointer?
    /// libcrypto's SHA-256, fetched once: `EVP_sha256()` would have every init look it up again.
    private let algorithm: OpaquePointer?

    init() {
        context = EVP_MD_CTX_new()
        algorithm = EVP_MD_fetch(nil, "SHA256", nil)
        start()
    }

    deinit {
        EVP_MD_CTX_free(context)
        EVP_MD_free(algorithm)
    }

    private func start() {
        EVP_DigestInit_ex(context, algorithm ?? EVP_sha256(), nil)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything updated since the last finish; the digester starts over.
    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        start()
        return Array(digest.prefix(Int(length)))
    }

    /// The ``WarcDigest`` label of everything updated since the last finish.
    func finishLabel() -> String {
        WarcDigest.label(finish())
    }
}
