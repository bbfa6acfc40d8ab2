/// What a discovered reference points at, as far as the HTML that referenced it tells.
public enum LinkKind: String, Sendable {
    /// A navigable document: `a`/`area` href, `iframe`/`frame` src, `meta` refresh target.
    case page
    /// An image resource: `img` src and srcset, `picture > source` srcset.
    case image
}

/// One reference found in a document, exactly as written in the markup: entity-decoded and
/// trimmed of leading/trailing ASCII whitespace, but neither resolved nor scheme-filtered.
public struct ExtractedLink: Sendable, Equatable {
    /// The raw reference (relative or absolute); never empty, never fragment-only.
    public var reference: String
    public var kind: LinkKind
    /// The link came from an `a` or `area` element whose `rel` attribute holds the token
    /// `nofollow` (ASCII case-insensitive): the author asked crawlers not to follow it.
    /// Always false for other elements, which have no `rel`.
    public var relNoFollow: Bool

    public init(reference: String, kind: LinkKind, relNoFollow: Bool = false) {
        self.reference = reference
        self.kind = kind
        self.relNoFollow = relNoFollow
    }
}

/// Everything ``LinkExtractor`` pulls out of one HTML document.
public struct ExtractedLinks: Sendable {
    /// The `href` of the first `<base>` element that has a non-blank one, whitespace-trimmed and
    /// entity-decoded; `nil` when there is none. The caller resolves links against it.
    public var baseHref: String?
    /// References in document order. Duplicates are kept; the caller dedupes.
    public var links: [ExtractedLink]
    /// `<meta name="robots">` asked not to follow links (`nofollow` or `none`).
    public var metaNoFollow: Bool
    /// `<meta name="robots">` asked not to index the page (`noindex` or `none`).
    public var metaNoIndex: Bool
    /// The document held more than `maxLinks` references (or more reference bytes than the
    /// extractor keeps): `links` holds the first ones and parsing stopped there, so markup after
    /// that point (e.g. a late `<base>`) was not seen.
    public var truncated: Bool
    /// Parsing stopped at the extractor's time limit: `links` holds what was found before.
    public var timedOut = false

    public init(
        baseHref: String? = nil, links: [ExtractedLink] = [], metaNoFollow: Bool = false,
        metaNoIndex: Bool = false, truncated: Bool = false
    ) {
        self.baseHref = baseHref
        self.links = links
        self.metaNoFollow = metaNoFollow
        self.metaNoIndex = metaNoIndex
        self.truncated = truncated
    }
}
