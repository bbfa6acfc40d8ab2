import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads sitemaps (sitemaps.org protocol 0.9): the `<loc>` URLs of a `<urlset>` or of a
/// `<sitemapindex>`, plain or gzip-compressed, with libxml2's streaming XML reader (no tree).
public enum SitemapParser {
    /// Reader options: never touch the network, report nothing. Deliberately absent:
    /// XML_PARSE_NOENT (no entity substitution: only the predefined entities and character
    /// references are decoded), XML_PARSE_DTDLOAD / DTDATTR / DTDVALID (no external DTD is
    /// loaded), XML_PARSE_HUGE (libxml2's size limits on single tokens stay on).
    private static let readerOptions = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// Parses sitemap XML (urlset or sitemapindex), gzip-compressed or not (detected by the 1f 8b
    /// magic, not by the file name). Bounded: at most `maxLocations` locations, at most
    /// `maxInflatedBytes` of XML after inflation (a plain body longer than that is read up to
    /// there too). A gzip bomb stops at the limit and returns what was read, `truncated = true`.
    /// Never touches the network (XML_PARSE_NONET), loads no DTD, expands no entities beyond the
    /// predefined ones. A document that breaks off (malformed XML, corrupt or cut gzip data)
    /// yields the locations libxml2 reported before it stopped, `truncated = false`; the reader
    /// parses ahead in chunks (512 bytes to a few KB) and drops the nodes of the chunk that holds
    /// the error, so the last entries before the break are lost, and a short broken document
    /// throws ``SitemapError/unreadable``.
    /// Throws a ``SitemapError`` when no root element can be read or the root is neither
    /// `urlset` nor `sitemapindex`. Never writes to stderr.
    ///
    /// Callable from any thread, concurrently: each call owns its reader and shares no mutable
    /// state. Initializes libxml2 through ``LinkExtractor/initializeLibrary()`` if nobody has.
    public static func parse(
        _ body: [UInt8], maxLocations: Int = 50_000, maxInflatedBytes: Int = 64 << 20
    ) throws -> SitemapDocument {
        // One process-wide, once-only xmlInitParser, shared with the HTML side: two separate
        // once-guards could still run it concurrently.
        LinkExtractor.initializeLibrary()
        silenceErrorsOnCurrentThread()
        return try body.withUnsafeBytes { (bytes) throws(SitemapError) -> SitemapDocument in
            var collector = SitemapLocationCollector(maxLocations: max(0, maxLocations))
            if bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B {
                let inflater = SitemapGzipInflater(input: bytes, limit: maxInflatedBytes)
                // libxml2 holds the inflater unretained; `withExtendedLifetime` keeps it alive
                // until the reader is freed inside `read`.
                try withExtendedLifetime(inflater) { () throws(SitemapError) in
                    let reader = xmlReaderForIO(
                        sitemapGzipRead, nil, Unmanaged.passUnretained(inflater).toOpaque(),
                        nil, nil, readerOptions)
                    try read(reader, into: &collector)
                }
                if inflater.state == .limitReached { collector.truncated = true }
            } else {
                // libxml2 takes an Int32 length.
                let length = min(bytes.count, max(0, maxInflatedBytes), Int(Int32.max))
                let start = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
                let reader = start.flatMap { xmlReaderForMemory($0, Int32(length), nil, nil, readerOptions) }
                try read(reader, into: &collector)
                if length < bytes.count { collector.truncated = true }
            }
            return try collector.document()
        }
    }

    /// Pulls nodes from `reader` into `collector` until the document ends, breaks, or the
    /// collector has enough; then frees the reader. A nil reader (libxml2 could not start)
    /// reads as an empty document.
    private static func read(
        _ reader: xmlTextReaderPtr?, into collector: inout SitemapLocationCollector
    ) throws(SitemapError) {
        guard let reader else { return }
        defer { xmlFreeTextReader(reader) }
        xmlTextReaderSetStructuredErrorHandler(reader, ignoreSitemapError, nil)
        while !collector.isDone, xmlTextReaderRead(reader) == 1 {
            try collector.take(reader)
        }
    }

    // MARK: - Errors

    /// Routes this thread's libxml2 errors to nowhere: structured errors (parser, I/O and
    /// encoding errors) to a no-op, and generic messages (printed by libxml2 outside its error
    /// structure) through libxml2's default printer into /dev/null. Thread-local in libxml2,
    /// hence repeated per call; it also silences later libxml2 use on this thread.
    private static func silenceErrorsOnCurrentThread() {
        xmlSetStructuredErrorFunc(nil, ignoreSitemapError)
        // The generic handler is variadic, which Swift cannot define; libxml2's default one
        // prints to its context, a FILE. Without /dev/null, libxml2's default output stays.
        if let sink = genericErrorSink.file {
            xmlSetGenericErrorFunc(sink, nil)
        }
    }

    /// /dev/null, opened once per process and never closed.
    private static let genericErrorSink = DevNull()
}

/// An open `FILE` on /dev/null, or nil if it could not be opened.
private struct DevNull: @unchecked Sendable {
    // @unchecked: the FILE is only written to (by libxml2, through stdio's own per-FILE
    // locking) and never closed or reassigned, so sharing it across threads is safe.
    let file: UnsafeMutablePointer<FILE>?

    init() { file = fopen("/dev/null", "w") }
}

/// libxml2 structured error handler that drops the error.
private func ignoreSitemapError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {}
