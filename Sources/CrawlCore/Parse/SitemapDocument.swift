/// What ``SitemapParser`` read from one sitemap file: its kind and the `<loc>` URLs it lists,
/// as written (not resolved, not validated: callers parse them with ``CrawlURL``).
/// A plain value; any thread may use it.
public struct SitemapDocument: Sendable, Equatable {
    /// The root element: `<urlset>` lists pages, `<sitemapindex>` lists further sitemaps.
    public enum Kind: Sendable, Equatable {
        case urlset
        case index
    }

    public var kind: Kind
    /// The `<loc>` texts of `<url>` entries (urlset) or `<sitemap>` entries (index), in document
    /// order: XML-whitespace-trimmed, entities and character references decoded, CDATA included.
    /// Empty `<loc>`s are skipped, and so are those that refer to entities declared in the
    /// document (those are not expanded, so the text would not be the URL the author meant).
    public var locations: [String]
    /// True when the document had more than `maxLocations` locations, or when more than
    /// `maxInflatedBytes` of XML would have had to be read: `locations` then holds what came before.
    public var truncated: Bool

    public init(kind: Kind, locations: [String], truncated: Bool) {
        self.kind = kind
        self.locations = locations
        self.truncated = truncated
    }
}

/// Why a body is not a sitemap. The description is one line, fit for a log or a job error column.
public enum SitemapError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Well-formed enough to have a root element, but it is neither `urlset` nor `sitemapindex`
    /// (the qualified name as written, cut to 64 bytes).
    case notASitemap(rootElement: String)
    /// No root element could be read: empty, not XML, malformed within libxml2's first chunk
    /// (the reader drops the nodes of a chunk that holds an error), or corrupt gzip data.
    case unreadable

    public var description: String {
        switch self {
        case .notASitemap(let rootElement):
            "not a sitemap: root element is <\(rootElement)>, expected <urlset> or <sitemapindex>"
        case .unreadable:
            "not a sitemap: no XML root element could be read (empty, not XML, malformed near the start, or corrupt gzip data)"
        }
    }
}
