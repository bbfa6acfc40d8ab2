import CLibXML2

/// Turns the node stream of libxml2's XML reader into a ``SitemapDocument``: recognizes the
/// root, then gathers the text of each `<loc>` directly inside an entry (`<url>` in a urlset,
/// `<sitemap>` in an index). Elements are matched by local name, whatever their namespace
/// prefix; `<loc>`s deeper down (such as `<image:loc>` in an `<image:image>`) are ignored.
///
/// Used by ``SitemapParser`` within one parse, on its thread.
struct SitemapLocationCollector {
    private let maxLocations: Int
    private var kind: SitemapDocument.Kind?
    private var locations: [String] = []
    /// Set once more than `maxLocations` locations were seen (or by the parser, for the byte limit).
    var truncated = false
    /// Inside an entry element (depth 1) of the root's kind.
    private var inEntry = false
    /// Inside a `<loc>` (depth 2) of such an entry: its text so far, split over text, CDATA
    /// and character-reference nodes.
    private var inLocation = false
    private var locationBytes: [UInt8] = []
    /// The current `<loc>` refers to an entity other than the predefined ones. Such entities
    /// are not expanded, so its text would be a different URL than the author meant: skipped.
    private var locationHasEntityReference = false

    init(maxLocations: Int) {
        self.maxLocations = maxLocations
    }

    /// Whether reading further cannot change the result.
    var isDone: Bool { truncated }

    /// Takes the reader's current node. Throws once the root element turns out not to be a
    /// sitemap root.
    mutating func take(_ reader: xmlTextReaderPtr) throws(SitemapError) {
        let depth = xmlTextReaderDepth(reader)
        switch xmlTextReaderNodeType(reader) {
        case Int32(XML_READER_TYPE_ELEMENT.rawValue):
            try startElement(reader, depth: depth)
        case Int32(XML_READER_TYPE_END_ELEMENT.rawValue):
            if depth == 2, inLocation {
                endLocation()
            } else if depth == 1 {
                inEntry = false
            }
        case Int32(XML_READER_TYPE_TEXT.rawValue), Int32(XML_READER_TYPE_CDATA.rawValue),
            Int32(XML_READER_TYPE_WHITESPACE.rawValue), Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue):
            if inLocation, depth == 3, let value = xmlTextReaderConstValue(reader) {
                locationBytes.append(contentsOf: UnsafeBufferPointer(start: value, count: Int(xmlStrlen(value))))
            }
        case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue):
            if inLocation { locationHasEntityReference = true }
        default:
            break
        }
    }

    private mutating func startElement(_ reader: xmlTextReaderPtr, depth: Int32) throws(SitemapError) {
        let name = xmlTextReaderConstLocalName(reader)
        guard let kind else {
            if xmlStrEqual(name, "urlset") == 1 {
                kind = .urlset
            } else if xmlStrEqual(name, "sitemapindex") == 1 {
                kind = .index
            } else {
                throw .notASitemap(rootElement: Self.qualifiedName(reader))
            }
            return
        }
        let isEmpty = xmlTextReaderIsEmptyElement(reader) == 1
        if depth == 1 {
            inEntry = !isEmpty && xmlStrEqual(name, kind == .urlset ? "url" : "sitemap") == 1
        } else if depth == 2, inEntry, !isEmpty, xmlStrEqual(name, "loc") == 1 {
            inLocation = true
            locationBytes.removeAll(keepingCapacity: true)
            locationHasEntityReference = false
        }
    }

    /// Closes the current `<loc>`: keeps its trimmed text unless empty (or built around an
    /// entity reference), or marks the document truncated if the limit is already reached.
    private mutating func endLocation() {
        inLocation = false
        if locationHasEntityReference { return }
        let isXMLSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = locationBytes.firstIndex(where: { !isXMLSpace($0) }),
            let last = locationBytes.lastIndex(where: { !isXMLSpace($0) })
        else { return }
        if locations.count >= maxLocations {
            truncated = true
            return
        }
        locations.append(String(decoding: locationBytes[first...last], as: UTF8.self))
    }

    /// The root element's name as written, cut to 64 bytes, for the error message.
    private static func qualifiedName(_ reader: xmlTextReaderPtr) -> String {
        guard let name = xmlTextReaderConstName(reader) else { return "" }
        let bytes = UnsafeBufferPointer(start: name, count: min(Int(xmlStrlen(name)), 64))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The result, once the reader is done. Throws if no root element was seen.
    func document() throws(SitemapError) -> SitemapDocument {
        guard let kind else { throw .unreadable }
        return SitemapDocument(kind: kind, locations: locations, truncated: truncated)
    }
}
