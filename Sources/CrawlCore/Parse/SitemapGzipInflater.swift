import CZlib

// Why zlib directly: libxml2 2.9.14 inflates gzip only when it opens a file itself
// (xmlParserInputBufferCreateFilename → gzopen); its in-memory and callback inputs
// (xmlReaderForMemory, xmlReaderForIO, xmlParserInputBufferCreateMem) pass bytes through as
// they are, and its gzip/xz reader (__libxml2_xz*) is internal, fd-based and has no header.
// Going through a temporary file would cost disk I/O per sitemap and still not bound the
// inflated size. So the reader pulls from this inflater through xmlReaderForIO: the body is
// inflated on demand, a block at a time, and never held inflated in memory as a whole.

/// Inflates a gzip body (one or more concatenated members, RFC 1952) for libxml2's XML reader,
/// stopping after `limit` inflated bytes. Trailing bytes after the last member are ignored; a
/// body cut short ends the data where it breaks off.
///
/// Owned by one ``SitemapParser/parse(_:maxLocations:maxInflatedBytes:)`` call and used on
/// its thread only. `input` must stay valid for as long as the inflater reads.
final class SitemapGzipInflater {
    /// Where inflation stands.
    enum State {
        case inflating
        /// The last member ended, or the input ran out.
        case finished
        /// `limit` bytes were produced and more were left.
        case limitReached
        /// zlib reported corrupt data.
        case failed
    }

    private(set) var state = State.inflating
    /// Inflated bytes handed out so far.
    private(set) var produced = 0
    private let limit: Int
    private let input: UnsafeRawBufferPointer
    /// Allocated so that its address is stable: zlib keeps a pointer back to it.
    private let stream: UnsafeMutablePointer<z_stream>
    private var streamIsInitialized = false

    /// Prepares to inflate `input`, which starts with the gzip magic bytes. If zlib cannot set
    /// up (out of memory) the inflater is `.failed` from the start.
    init(input: UnsafeRawBufferPointer, limit: Int) {
        self.input = input
        self.limit = max(0, limit)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: a gzip wrapper (no zlib or raw deflate) with the largest window.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        streamIsInitialized = status == Z_OK
        if !streamIsInitialized { state = .failed }
        feedInput()
    }

    deinit {
        if streamIsInitialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Fills `buffer` with up to `capacity` inflated bytes. Returns how many were written, 0 at
    /// the end of the data (including when the limit stops it), or -1 if the data is corrupt and
    /// nothing could be written. Follows libxml2's xmlInputReadCallback contract.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        guard state == .inflating, capacity > 0 else { return state == .failed ? -1 : 0 }
        let allowed = min(capacity, Int(Int32.max), limit - produced)
        if allowed == 0 {
            state = moreOutputFollows() ? .limitReached : .finished
            return 0
        }
        let start = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: Bytef.self)
        stream.pointee.next_out = start
        stream.pointee.avail_out = UInt32(allowed)
        while stream.pointee.avail_out > 0 {
            feedInput()
            let status = inflate(stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                if !startNextMember() {
                    state = .finished
                    break
                }
            } else if status == Z_BUF_ERROR {
                // No progress possible: the input ran out before the member ended.
                state = .finished
                break
            } else if status != Z_OK {
                state = .failed
                break
            }
        }
        let written = allowed - Int(stream.pointee.avail_out)
        produced += written
        return state == .failed && written == 0 ? -1 : Int32(written)
    }

    // MARK: - Input

    /// Input bytes zlib has not consumed yet.
    private var remainingInput: Int {
        guard let base = input.baseAddress, let next = stream.pointee.next_in else { return 0 }
        return input.count - (UnsafeRawPointer(next) - base)
    }

    /// Points zlib at the unconsumed input (zlib counts input in UInt32, so a body beyond
    /// 4 GiB is fed in slices).
    private func feedInput() {
        guard let base = input.baseAddress else { return }
        if stream.pointee.next_in == nil {
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: base.assumingMemoryBound(to: Bytef.self))
        }
        if stream.pointee.avail_in == 0 {
            stream.pointee.avail_in = UInt32(clamping: remainingInput)
        }
    }

    /// After a member's end: resets zlib for the next member if one follows (gzip magic), so
    /// that `cat a.gz b.gz` inflates to both. Returns false if the data ends here.
    private func startNextMember() -> Bool {
        guard remainingInput >= 2, let next = stream.pointee.next_in,
            next[0] == 0x1F, next[1] == 0x8B
        else { return false }
        return inflateReset(stream) == Z_OK
    }

    /// Whether inflating would yield at least one more byte: probes with a one-byte scratch
    /// buffer once the limit is reached, so that data ending exactly at the limit does not
    /// count as cut. The probed byte is dropped (nothing is read after the limit anyway).
    private func moreOutputFollows() -> Bool {
        var scratch: Bytef = 0
        return withUnsafeMutablePointer(to: &scratch) { byte in
            stream.pointee.next_out = byte
            while true {
                stream.pointee.avail_out = 1
                feedInput()
                let status = inflate(stream, Z_NO_FLUSH)
                if stream.pointee.avail_out == 0 { return true }
                if status == Z_STREAM_END {
                    if !startNextMember() { return false }
                } else if status != Z_OK {
                    return false
                }
            }
        }
    }
}

/// libxml2 read callback: `context` is an unretained ``SitemapGzipInflater``.
func sitemapGzipRead(
    _ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int32
) -> Int32 {
    guard let context, let buffer else { return -1 }
    let inflater = Unmanaged<SitemapGzipInflater>.fromOpaque(context).takeUnretainedValue()
    return inflater.read(into: buffer, capacity: Int(length))
}
