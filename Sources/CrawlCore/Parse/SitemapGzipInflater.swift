// Why zlib directly: libxml2 2.9.14 inflates gzip only when it opens a file itself
// (xmlParserInputBufferCreateFilename → gzopen); its in-memory and callback inputs
// (xmlReaderForMemory, xmlReaderForIO, xmlParserInputBufferCreateMem) pass bytes through as
// they are, and its gzip/xz reader (__libxml2_xz*) is internal, fd-based and has no header.
// Going through a temporary file would cost disk I/O per sitemap and still not bound the
// inflated size. So the reader pulls from this inflater through xmlReaderForIO: the body is
// inflated on demand, a block at a time, and never held inflated in memory as a whole.

/// Inflates a gzip body (one or more concatenated members, RFC 1952) for libxml2's XML reader,
/// stopping after `limit` inflated bytes. Trailing bytes after the last member are ignored; a
/// body cut short ends the data where it breaks off. A pull adapter over ``ZlibInflateStream``.
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
    /// Input bytes consumed so far.
    private var position = 0
    private let stream = ZlibInflateStream(format: .gzip)

    /// Prepares to inflate `input`, which starts with the gzip magic bytes. If zlib cannot set
    /// up (out of memory) the inflater is `.failed` from the start.
    init(input: UnsafeRawBufferPointer, limit: Int) {
        self.input = input
        self.limit = max(0, limit)
        if !stream.isInitialized { state = .failed }
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
        var written = 0
        while written < allowed && state == .inflating {
            let output = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(buffer) + written, count: allowed - written)
            advance(into: output, written: &written)
        }
        produced += written
        return state == .failed && written == 0 ? -1 : Int32(written)
    }

    /// One zlib step into `output`; moves `state` on at a member's end, the input's end or an error.
    private func advance(into output: UnsafeMutableRawBufferPointer, written: inout Int) {
        let step = stream.inflate(remainingInput, into: output)
        position += step.consumed
        written += step.produced
        switch step.status {
        case .progress:
            break
        case .streamEnd:
            if !startNextMember() { state = .finished }
        case .needsInput:
            state = .finished  // the input ran out before the member ended
        case .corrupt:
            state = .failed
        }
    }

    /// Input bytes zlib has not consumed yet.
    private var remainingInput: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: input[min(position, input.count)...])
    }

    /// After a member's end: resets zlib for the next member if one follows (gzip magic), so
    /// that `cat a.gz b.gz` inflates to both. Returns false if the data ends here.
    private func startNextMember() -> Bool {
        ZlibInflateStream.startsGzipMember(remainingInput) && stream.reset()
    }

    /// Whether inflating would yield at least one more byte: probes with a one-byte scratch
    /// buffer once the limit is reached, so that data ending exactly at the limit does not
    /// count as cut. The probed byte is dropped (nothing is read after the limit anyway).
    private func moreOutputFollows() -> Bool {
        var scratch: UInt8 = 0
        return withUnsafeMutableBytes(of: &scratch) { byte in
            while true {
                let step = stream.inflate(remainingInput, into: byte)
                position += step.consumed
                if step.produced > 0 { return true }
                switch step.status {
                case .progress: continue
                case .streamEnd: if !startNextMember() { return false }
                case .needsInput, .corrupt: return false
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
