import CZlib

/// One zlib inflate stream (`z_stream`), driven a step at a time over caller-owned buffers: the
/// shared core of every decompression in the crawler (HTTP bodies, gzip sitemaps, WARC files).
///
/// Not thread-safe: owned and used by one thread at a time (a fetcher transfer, a parse worker, a
/// WARC reader).
final class ZlibInflateStream {
    /// Which wrapper the compressed data has.
    enum Format {
        /// RFC 1952 (`Content-Encoding: gzip`, `.gz` files).
        case gzip
        /// RFC 1950 (`Content-Encoding: deflate` as the RFC means it).
        case zlib
        /// Bare RFC 1951 deflate (what some servers send as `deflate`).
        case raw

        var windowBits: Int32 {
            switch self {
            case .gzip: 16 + MAX_WBITS
            case .zlib: MAX_WBITS
            case .raw: -MAX_WBITS
            }
        }
    }

    /// What one ``inflate(_:into:)`` step reached.
    enum Status: Equatable {
        /// Progress was made; the stream goes on.
        case progress
        /// The compressed stream (a gzip member, a zlib stream) ended.
        case streamEnd
        /// No progress was possible: more input is needed (or more output room).
        case needsInput
        /// The data is not valid for the format (or zlib could not be set up).
        case corrupt
    }

    /// What one step consumed and produced.
    struct Step {
        var consumed: Int
        var produced: Int
        var status: Status
    }

    let format: Format
    /// Allocated so that its address is stable: zlib keeps a pointer back to it.
    private let stream: UnsafeMutablePointer<z_stream>
    /// False when zlib could not be set up (out of memory): every step then reports `.corrupt`.
    let isInitialized: Bool
    /// Total input consumed since creation or the last ``reset()``.
    private(set) var totalConsumed = 0
    /// Total output produced since creation or the last ``reset()``.
    private(set) var totalProduced = 0

    /// Sets zlib up for `format`. If zlib cannot (out of memory), every step reports `.corrupt`.
    init(format: Format) {
        self.format = format
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        isInitialized = inflateInit2_(stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if isInitialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Starts a new stream of the same format (the next gzip member), keeping the allocations.
    @discardableResult
    func reset() -> Bool {
        totalConsumed = 0
        totalProduced = 0
        return isInitialized && inflateReset(stream) == Z_OK
    }

    /// Inflates as much of `input` into `output` as zlib can in one call: it stops when the input
    /// is used up, the output is full, or the stream ends (then `consumed` tells where the next
    /// member starts). Input zlib did not consume must be offered again.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Step {
        guard isInitialized else { return Step(consumed: 0, produced: 0, status: .corrupt) }
        let inputCount = UInt32(clamping: input.count)
        let outputCount = UInt32(clamping: output.count)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = inputCount
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = outputCount
        let code = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = Int(inputCount - stream.pointee.avail_in)
        let produced = Int(outputCount - stream.pointee.avail_out)
        stream.pointee.next_in = nil
        stream.pointee.next_out = nil
        totalConsumed += consumed
        totalProduced += produced
        let status: Status
        switch code {
        case Z_OK: status = .progress
        case Z_STREAM_END: status = .streamEnd
        case Z_BUF_ERROR: status = .needsInput
        default: status = .corrupt
        }
        return Step(consumed: consumed, produced: produced, status: status)
    }

    /// Whether `bytes` start with the gzip magic (1f 8b): a next member follows.
    static func startsGzipMember(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }
}
