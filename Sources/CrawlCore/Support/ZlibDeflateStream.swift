import CZlib

/// One zlib deflate stream writing gzip members (RFC 1952), reused member after member
/// (`deflateReset` keeps zlib's allocations): each WARC record is one member. Level 0 members
/// are framed without it (``WarcRecordGroup/appendStoredMember(_:)``).
///
/// Not thread-safe: one per thread (a parse worker's record encoder).
final class ZlibDeflateStream {
    /// The zlib compression level (0 stores, 1 is fastest, 9 smallest).
    let level: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let isInitialized: Bool
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)

    init(level: Int32) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: a gzip wrapper with the largest window; memory level 8 is zlib's default.
        isInitialized = deflateInit2_(
            stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if isInitialized { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        scratch.deallocate()
    }

    /// Appends one complete gzip member holding the concatenation of `parts` to `output`.
    /// Returns false (appending nothing usable) only when zlib could not be set up.
    @discardableResult
    func appendMember(_ parts: [UnsafeRawBufferPointer], to output: inout [UInt8]) -> Bool {
        guard isInitialized, deflateReset(stream) == Z_OK else { return false }
        for part in parts where part.count > 0 {
            var rest = part
            while !rest.isEmpty {
                let count = UInt32(clamping: rest.count)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: rest.baseAddress!.assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = count
                drain(flush: Z_NO_FLUSH, into: &output)
                rest = UnsafeRawBufferPointer(rebasing: rest[Int(count - stream.pointee.avail_in)...])
            }
        }
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        drain(flush: Z_FINISH, into: &output)
        return true
    }

    /// Runs deflate until it needs input (Z_NO_FLUSH) or the member is complete (Z_FINISH).
    private func drain(flush: Int32, into output: inout [UInt8]) {
        while true {
            stream.pointee.next_out = scratch.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(scratch.count)
            let code = deflate(stream, flush)
            let produced = scratch.count - Int(stream.pointee.avail_out)
            if produced > 0 { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<produced])) }
            if flush == Z_FINISH {
                if code == Z_STREAM_END || code != Z_OK && code != Z_BUF_ERROR { return }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                return
            }
        }
    }
}
