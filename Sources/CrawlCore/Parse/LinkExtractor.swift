import CLibXML2

/// Pulls links out of HTML documents with libxml2's HTML parser in SAX mode: no DOM is built,
/// only `startElement` events are handled (see ``LinkCollector``).
///
/// One extractor owns one libxml2 parser context and reuses it for every document, so it is
/// not thread-safe: give each worker thread its own extractor and call it only from there.
/// Call ``initializeLibrary()`` once, from the main thread, before the first extractor runs.
public final class LinkExtractor {
    /// Parser options: recover from any error, never touch the network, never report.
    /// HTML_PARSE_HUGE stays off so libxml2's size limits on single tokens apply. It would not
    /// change how deep a document may nest: libxml2's depth limit (256 without HUGE)
    /// guards the tree it builds, and this SAX-only parser builds none; ``LinkCollector``
    /// bounds the open-element stack itself (measured in the README).
    private static let parserOptions = Int32(
        HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NONET.rawValue
            | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue)

    /// The context's name dictionary interns every distinct element and attribute name it
    /// meets, across documents. Past this many entries (garbage input invents names) the
    /// context is replaced so that memory stays bounded on long crawls.
    private static let dictionaryEntryLimit = 20_000
    /// Likewise for the open-element stack, which keeps the capacity of the deepest nesting
    /// seen (a nesting bomb leaves megabytes behind).
    private static let elementStackLimit: Int32 = 4_096

    /// The parser context, or nil if libxml2 could not allocate one (then `extract` retries).
    private var context: htmlParserCtxtPtr?
    /// Receives the SAX events; the context's `userData` points at it, unretained: the
    /// extractor keeps it alive for as long as the context exists.
    private let collector: LinkCollector
    /// Whether libxml2 can decode a charset label, by label as the server sent it.
    private var encodingLabelIsKnown: [String: Bool] = [:]
    /// Servers send few distinct labels; the cache is dropped if garbage ones pile up.
    private static let encodingCacheLimit = 256
    /// Whether text between tags is shrunk before parsing (``TextRunCompactor``).
    private let compactsText: Bool
    /// The compacted copy of the current document; its storage is reused across documents.
    private var compacted: [UInt8] = []
    /// Past this capacity (one huge document) the buffer is dropped after use.
    private static let retainedBufferLimit = 4 << 20

    /// Sets libxml2 up for parsing on any thread and routes its global error output to
    /// nowhere (errors of a parse are never printed; callers see only what was extracted).
    /// Call once, from the main thread, before any extractor runs. Later calls do nothing.
    public static func initializeLibrary() {
        _ = libraryInitialization
    }

    /// Runs once per process (Swift's lazy static initialization is thread-safe).
    private static let libraryInitialization: Void = {
        xmlInitParser()
        xmlThrDefSetStructuredErrorFunc(nil, ignoreError)
        silenceErrorsOnCurrentThread()
    }()

    /// CPU seconds one document may take by default (a 50 MB page of ordinary HTML parses in
    /// well under one second).
    public static let defaultTimeLimit = 5.0
    /// CPU seconds one document may take; then parsing stops with the links found so far.
    private let timeLimit: Double

    /// Creates an extractor that keeps at most `maxLinks` links per document (then stops
    /// parsing that document and reports it as truncated) and spends at most `timeLimit` CPU
    /// seconds on one (then reports it as timed out). Any thread may create one; it is then
    /// used on one thread at a time.
    ///
    /// `compactsText: false` hands libxml2 every document as it is; see ``TextRunCompactor``
    /// for what the default changes (nothing an element carries, in practice) and what it saves.
    public init(maxLinks: Int = 10_000, compactsText: Bool = true, timeLimit: Double = LinkExtractor.defaultTimeLimit) {
        precondition(maxLinks >= 0, "maxLinks must not be negative")
        self.compactsText = compactsText
        self.timeLimit = timeLimit
        collector = LinkCollector(maxLinks: maxLinks)
        context = makeContext()
    }

    deinit {
        if let context { htmlFreeParserCtxt(context) }
    }

    /// Parses an HTML document. `encoding` is the charset name from the HTTP header if any
    /// (e.g. "utf-8", "Shift_JIS", "iso-8859-1"). When it is nil or unknown to libxml2, a body
    /// that is valid non-ASCII UTF-8 is read as UTF-8 (see ``UTF8Sniffer``); otherwise libxml2
    /// sniffs (BOM, `<meta charset>`, `<meta http-equiv="content-type">`, else ISO-8859-1).
    /// Not thread-safe: one extractor per thread. Never writes to stderr, whatever the input.
    public func extract(_ body: UnsafeRawBufferPointer, encoding: String?) -> ExtractedLinks {
        collector.beginDocument()
        guard !body.isEmpty, let context = contextForNextDocument() else {
            return collector.finishDocument()
        }
        let label = knownEncoding(encoding)
        // One pass finds NUL bytes and, when there is no label, the first non-ASCII byte.
        let scan = BodyByteScan(body, findNonASCII: label == nil)
        // Decided on the body as received, before any rewriting below.
        let declared = label ?? (UTF8Sniffer.isNonASCIIUTF8(body, firstNonASCII: scan.firstNonASCII) ? "UTF-8" : nil)
        if NULByteScrubber.needsScrubbing(body, label: label, containsNUL: scan.containsNUL) {
            NULByteScrubber.replacingNULs(in: body).withUnsafeBytes { parse($0, declared: declared, with: context) }
        } else if compactsText, !NULByteScrubber.mayBeWideEncoding(body, label: label),
                  TextRunCompactor.compact(body, into: &compacted) {
            compacted.withUnsafeBytes { parse($0, declared: declared, with: context) }
            if compacted.capacity > Self.retainedBufferLimit { compacted = [] }
        } else {
            parse(body, declared: declared, with: context)
        }
        return collector.finishDocument()
    }

    /// Runs libxml2 over `body` (non-empty), feeding `collector`, within the time limit: libxml2
    /// pulls the bytes through ``ParseInput``, which ends the input once the limit is spent.
    private func parse(_ body: UnsafeRawBufferPointer, declared: String?, with context: htmlParserCtxtPtr) {
        guard !body.isEmpty else { return }
        Self.silenceErrorsOnCurrentThread()
        var input = ParseInput(body, budget: timeLimit)
        let document = withUnsafeMutablePointer(to: &input) { source in
            htmlCtxtReadIO(context, ParseInput.read, nil, source, nil, declared, Self.parserOptions)
        }
        if input.ranOutOfTime { collector.timedOut() }
        // Without tree-building SAX callbacks there is no document, but free one if it shows up.
        if let document { xmlFreeDoc(document) }
        // Drop the context's copy of the body now rather than at the next document.
        htmlCtxtReset(context)
    }

    /// Convenience for `extract(_:encoding:)` on an array.
    public func extract(_ body: [UInt8], encoding: String?) -> ExtractedLinks {
        body.withUnsafeBytes { extract($0, encoding: encoding) }
    }

    // MARK: - Encodings

    /// `label` if libxml2 has a converter for it, else nil. Answers are cached: asking
    /// libxml2 opens (and here closes again) an iconv converter for non-built-in charsets.
    private func knownEncoding(_ label: String?) -> String? {
        guard let label else { return nil }
        if let known = encodingLabelIsKnown[label] { return known ? label : nil }
        let handler = xmlFindCharEncodingHandler(label)
        if let handler { xmlCharEncCloseFunc(handler) }
        if encodingLabelIsKnown.count >= Self.encodingCacheLimit { encodingLabelIsKnown.removeAll() }
        encodingLabelIsKnown[label] = handler != nil
        return handler != nil ? label : nil
    }

    // MARK: - Parser context

    /// The capacity of the context's open-element stack: how deep the deepest document parsed
    /// with this context got (libxml2 grows it by doubling and never shrinks it). For tests.
    var openElementCapacity: Int { Int(context?.pointee.nameMax ?? 0) }

    /// The context to parse with, replaced first if an earlier document made it grow large.
    private func contextForNextDocument() -> htmlParserCtxtPtr? {
        if let current = context,
            xmlDictSize(current.pointee.dict) > Self.dictionaryEntryLimit
                || current.pointee.nameMax > Self.elementStackLimit
        {
            htmlFreeParserCtxt(current)
            context = nil
        }
        if context == nil { context = makeContext() }
        return context
    }

    /// A fresh HTML parser context whose SAX handler only reports element starts, to
    /// `collector`.
    private func makeContext() -> htmlParserCtxtPtr? {
        guard let context = htmlNewParserCtxt() else { return nil }
        guard let handler = context.pointee.sax else {
            htmlFreeParserCtxt(context)
            return nil
        }
        var sax = htmlSAXHandler()
        sax.initialized = 1
        sax.startElement = startElementTrampoline
        handler.pointee = sax
        context.pointee.userData = Unmanaged.passUnretained(collector).toOpaque()
        collector.parserContext = context
        return context
    }

    // MARK: - Errors

    /// Routes this thread's libxml2 errors (including those raised outside any parser
    /// context, such as charset conversion failures) to ``ignoreError``. Thread-local in
    /// libxml2, hence repeated per parse: cheap, and covers threads that touched libxml2
    /// before ``initializeLibrary()``.
    private static func silenceErrorsOnCurrentThread() {
        xmlSetStructuredErrorFunc(nil, ignoreError)
    }
}

/// SAX `startElement`, forwarded to the collector that `userData` points at.
private func startElementTrampoline(
    _ userData: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    Unmanaged<LinkCollector>.fromOpaque(userData!).takeUnretainedValue().startElement(name: name, attributes: attributes)
}

/// libxml2 structured error handler that drops the error.
private func ignoreError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {}
