import CLibXML2

/// Receives libxml2's SAX start-element events for one document at a time and keeps what a
/// crawler needs: references (with `rel="nofollow"` on `a`/`area`), the first `<base href>`,
/// `<meta name="robots">` directives.
///
/// Owned by exactly one ``LinkExtractor`` and driven only from inside its `extract` call, on
/// that caller's thread. Element and attribute names arrive lowercased from libxml2's HTML
/// parser; attribute values arrive entity-decoded and converted to UTF-8.
final class LinkCollector {
    typealias Attributes = UnsafeMutablePointer<UnsafePointer<xmlChar>?>

    private let maxLinks: Int
    /// The parser feeding this collector, stopped once `maxLinks` is exceeded. Set by the owner.
    var parserContext: htmlParserCtxtPtr?

    /// Most elements kept open at once, as in Chromium's HTML parser (its tree depth limit is
    /// 512): deeper elements replace the deepest open one, so they become its siblings.
    /// libxml2 keeps no limit of its own here (see ``LinkExtractor``), and some of its steps
    /// scan the whole open-element stack (an end tag that matches nothing; a stray `<body>`),
    /// so an unbounded stack makes them quadratic.
    static let maxOpenElements: Int32 = 512
    /// Most bytes of references kept per document (with `maxLinks`, what bounds the memory
    /// one page's links take): far above any real page, below what a page of huge hrefs holds.
    static let maxReferenceBytes = 8 << 20

    private var links: [ExtractedLink] = []
    private var referenceBytes = 0
    private var baseHref: String?
    private var sawBaseHref = false
    private var robots = MetaRobotsDirectives()
    private var truncated = false
    private var ranOutOfTime = false

    init(maxLinks: Int) {
        self.maxLinks = maxLinks
    }

    /// Forgets the previous document. Call before parsing a new one.
    func beginDocument() {
        links = []
        referenceBytes = 0
        baseHref = nil
        sawBaseHref = false
        robots = MetaRobotsDirectives()
        truncated = false
        ranOutOfTime = false
    }

    /// The parse of the current document stopped at its time limit.
    func timedOut() {
        ranOutOfTime = true
    }

    /// Hands out what the current document produced.
    func finishDocument() -> ExtractedLinks {
        var result = ExtractedLinks(
            baseHref: baseHref, links: links, metaNoFollow: robots.noFollow,
            metaNoIndex: robots.noIndex, truncated: truncated)
        result.timedOut = ranOutOfTime
        links = []
        return result
    }

    /// SAX `startElement`: `attributes` is libxml2's NULL-terminated name/value array, where a
    /// value is NULL for a bare attribute (`<a href>`).
    func startElement(name: UnsafePointer<xmlChar>?, attributes: Attributes?) {
        limitNesting(pushed: name)
        guard let name, let attributes, !truncated else { return }
        switch name[0] {
        case UInt8(ascii: "a"):
            if name[1] == 0 || HTMLBytes.cString(name, equals: "area") { addHyperlink(attributes) }
        case UInt8(ascii: "b"):
            if !sawBaseHref, HTMLBytes.cString(name, equals: "base") { recordBase(attributes) }
        case UInt8(ascii: "f"):
            if HTMLBytes.cString(name, equals: "frame") { addAttribute("src", of: attributes, as: .page) }
        case UInt8(ascii: "i"):
            if HTMLBytes.cString(name, equals: "img") {
                addImage(attributes)
            } else if HTMLBytes.cString(name, equals: "iframe") {
                addAttribute("src", of: attributes, as: .page)
            }
        case UInt8(ascii: "m"):
            if HTMLBytes.cString(name, equals: "meta") { readMeta(attributes) }
        case UInt8(ascii: "s"):
            if HTMLBytes.cString(name, equals: "source"), let srcset = value(of: "srcset", in: attributes) {
                addSrcset(srcset)
            }
        default:
            break
        }
    }

    // MARK: - Elements

    private func addAttribute(_ attribute: StaticString, of attributes: Attributes, as kind: LinkKind) {
        if let value = value(of: attribute, in: attributes) {
            addReference(HTMLBytes.bytes(ofCString: value), kind: kind)
        }
    }

    /// `a`/`area`: the first `href`, flagged when the first `rel` holds the token `nofollow`.
    private func addHyperlink(_ attributes: Attributes) {
        var href: UnsafePointer<xmlChar>?
        var rel: UnsafePointer<xmlChar>?
        var sawHref = false
        var sawRel = false
        var index = 0
        while let attribute = attributes[index] {
            switch attribute[0] {
            case UInt8(ascii: "h"):
                if !sawHref, HTMLBytes.cString(attribute, equals: "href") {
                    sawHref = true
                    href = attributes[index + 1]
                }
            case UInt8(ascii: "r"):
                if !sawRel, HTMLBytes.cString(attribute, equals: "rel") {
                    sawRel = true
                    rel = attributes[index + 1]
                }
            default:
                break
            }
            if sawHref, sawRel { break }
            index += 2
        }
        guard let href else { return }
        let noFollow = rel.map(Self.relHoldsNoFollow) ?? false
        addReference(HTMLBytes.bytes(ofCString: href), kind: .page, relNoFollow: noFollow)
    }

    /// Whether a NUL-terminated `rel` value holds the token `nofollow`, ignoring ASCII case.
    /// Tokens are separated by ASCII whitespace (HTML) or commas (`rel="ugc,nofollow"`, which
    /// search engines honor too). Reads the bytes in place; allocates nothing.
    private static func relHoldsNoFollow(_ rel: UnsafePointer<xmlChar>) -> Bool {
        let value = HTMLBytes.bytes(ofCString: rel)
        var position = 0
        while position < value.count {
            while position < value.count, isRelSeparator(value[position]) { position += 1 }
            let start = position
            while position < value.count, !isRelSeparator(value[position]) { position += 1 }
            let token = UnsafeBufferPointer(rebasing: value[start..<position])
            if HTMLBytes.equalsIgnoringASCIICase(token, "nofollow") { return true }
        }
        return false
    }

    @inline(__always)
    private static func isRelSeparator(_ byte: UInt8) -> Bool {
        byte == HTMLBytes.comma || HTMLBytes.isASCIIWhitespace(byte)
    }

    /// `img`: `src` and every `srcset` candidate, in attribute order.
    private func addImage(_ attributes: Attributes) {
        var index = 0
        while let attribute = attributes[index] {
            if let value = attributes[index + 1] {
                if HTMLBytes.cString(attribute, equals: "src") {
                    addReference(HTMLBytes.bytes(ofCString: value), kind: .image)
                } else if HTMLBytes.cString(attribute, equals: "srcset") {
                    addSrcset(value)
                }
            }
            index += 2
        }
    }

    private func addSrcset(_ value: UnsafePointer<xmlChar>) {
        Srcset.forEachCandidateURL(in: HTMLBytes.bytes(ofCString: value)) { url in
            addReference(url, kind: .image)
        }
    }

    /// `base`: only the first element with a non-blank `href` counts (a blank one resolves to
    /// the document URL, which is what having no base means).
    private func recordBase(_ attributes: Attributes) {
        guard let href = value(of: "href", in: attributes) else { return }
        let trimmed = HTMLBytes.trimmingASCIIWhitespace(HTMLBytes.bytes(ofCString: href))
        guard !trimmed.isEmpty else { return }
        sawBaseHref = true
        baseHref = String(decoding: trimmed, as: UTF8.self)
    }

    /// `meta`: `http-equiv="refresh"` targets and `name="robots"` directives.
    private func readMeta(_ attributes: Attributes) {
        var httpEquiv: UnsafePointer<xmlChar>?
        var metaName: UnsafePointer<xmlChar>?
        var content: UnsafePointer<xmlChar>?
        var index = 0
        while let attribute = attributes[index] {
            let value = attributes[index + 1]
            if HTMLBytes.cString(attribute, equals: "content") {
                content = value
            } else if HTMLBytes.cString(attribute, equals: "name") {
                metaName = value
            } else if HTMLBytes.cString(attribute, equals: "http-equiv") {
                httpEquiv = value
            }
            index += 2
        }
        guard let content else { return }
        let contentBytes = HTMLBytes.bytes(ofCString: content)
        if let httpEquiv, Self.trimmedValue(httpEquiv, equalsIgnoringCase: "refresh"),
            let target = MetaRefresh.targetURL(in: contentBytes)
        {
            addReference(target, kind: .page)
        }
        if let metaName, Self.trimmedValue(metaName, equalsIgnoringCase: "robots") {
            robots.add(content: contentBytes)
        }
    }

    // MARK: - Helpers

    /// libxml2 calls `startElement` right after pushing the element's name on its open-element
    /// stack. Past ``maxOpenElements``, the new element takes the place of the one below it:
    /// what libxml2 then closes, auto-closes or scans stays bounded. `ctxt->name` (the new
    /// element) is unchanged; the check that the top is `name` keeps this a no-op for a
    /// libxml2 that pushes elsewhere.
    @inline(__always)
    private func limitNesting(pushed name: UnsafePointer<xmlChar>?) {
        guard let context = parserContext, context.pointee.nameNr > Self.maxOpenElements else { return }
        let top = Int(context.pointee.nameNr) - 1
        guard let names = context.pointee.nameTab, let name, names[top] == name else { return }
        names[top - 1] = names[top]
        names[top] = nil
        context.pointee.nameNr -= 1
    }

    /// Keeps `bytes` as a reference unless it is blank or fragment-only; stops the parser once
    /// more than `maxLinks` references, or more than ``maxReferenceBytes`` of them, were found.
    private func addReference(_ bytes: UnsafeBufferPointer<UInt8>, kind: LinkKind, relNoFollow: Bool = false) {
        let trimmed = HTMLBytes.trimmingASCIIWhitespace(bytes)
        guard let first = trimmed.first, first != UInt8(ascii: "#"), !truncated else { return }
        referenceBytes += trimmed.count
        guard links.count < maxLinks, referenceBytes <= Self.maxReferenceBytes else {
            truncated = true
            if let parserContext { xmlStopParser(parserContext) }
            return
        }
        links.append(
            ExtractedLink(
                reference: String(decoding: trimmed, as: UTF8.self), kind: kind, relNoFollow: relNoFollow))
    }

    /// The value of the first attribute called `attribute`, if it has one.
    @inline(__always)
    private func value(of attribute: StaticString, in attributes: Attributes) -> UnsafePointer<xmlChar>? {
        var index = 0
        while let name = attributes[index] {
            if HTMLBytes.cString(name, equals: attribute) { return attributes[index + 1] }
            index += 2
        }
        return nil
    }

    private static func trimmedValue(_ value: UnsafePointer<xmlChar>, equalsIgnoringCase literal: StaticString) -> Bool {
        HTMLBytes.equalsIgnoringASCIICase(
            HTMLBytes.trimmingASCIIWhitespace(HTMLBytes.bytes(ofCString: value)), literal)
    }
}
