/// An absolute, normalized http(s) URL as the crawler stores, deduplicates and fetches it.
///
/// Values are immutable and `Sendable`; create them on any thread with ``init(parsing:)`` (seeds,
/// command line) or ``resolve(_:)`` (links found on a page). Two URLs are equal exactly when their
/// normalized serializations ``string`` are equal, and hashing uses only that string.
///
/// Normalization (applied to every value):
/// - scheme and host lower-cased; default ports (80 for http, 443 for https) and empty ports dropped;
/// - the fragment dropped; an empty path becomes `/`; dot segments removed (RFC 3986 §5.2.4);
/// - percent-escapes upper-cased, escapes of unreserved characters (`A-Z a-z 0-9 - . _ ~`) decoded,
///   a stray `%` written as `%25`; reserved escapes such as `%2F` and `%3F` kept as they are;
/// - spaces, controls, `"<>\^`{|}`, DEL and non-ASCII characters percent-encoded as UTF-8;
/// - non-ASCII host labels converted to IDNA punycode (`xn--…`).
///
/// Not handled (differences from WHATWG browsers): `\` is not a path separator but `%5C`;
/// `http:host` without `//` is not repaired; hosts are lower-cased but not mapped per UTS #46
/// (no NFKC, so full-width letters are rejected or punycoded as written); IPv4 shorthands such as
/// `0x7f.1` are not rewritten.
public struct CrawlURL: Hashable, Sendable, CustomStringConvertible {
    /// `"http"` or `"https"`.
    public let scheme: String
    /// `user[:password]` as written (normalized escapes). Kept so authentication works; left out of
    /// ``redacted``, ``description`` and ``origin``. `nil` when absent or empty.
    public let userinfo: String?
    /// Lower-case host: a DNS name (IDNA labels as `xn--…`), an IPv4 literal, or an IPv6 literal
    /// with its brackets, e.g. `"[::1]"`.
    public let host: String
    /// The explicit port, or `nil` when absent or equal to the scheme's default.
    public let port: Int?
    /// The normalized path; never empty, always starts with `/`.
    public let path: String
    /// The query without its `?`; `nil` when absent, `""` when the URL ends in `?`.
    public let query: String?
    /// The normalized serialization without fragment: `scheme://[userinfo@]host[:port]path[?query]`.
    /// Stored, so reading it costs nothing.
    public let string: String

    /// Internal memberwise initializer; the parser guarantees that the parts agree with `string`.
    init(
        scheme: String, userinfo: String?, host: String, port: Int?, path: String, query: String?,
        string: String
    ) {
        self.scheme = scheme
        self.userinfo = userinfo
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.string = string
    }

    /// Parses an absolute URL; only http and https are accepted.
    ///
    /// Leading and trailing whitespace and control characters are stripped, tabs and line breaks
    /// inside are removed, the fragment is dropped and the result is normalized (see the type's
    /// documentation). Text without a scheme throws `.unsupportedScheme("")`. Callable from any thread.
    public init(parsing text: String) throws(URLParseError) {
        self = try CrawlURL.make(from: text, base: nil).get()
    }

    /// `scheme://host[:port]`, without userinfo; the key for per-host politeness and robots.txt.
    public var origin: String {
        guard let port else { return scheme + "://" + host }
        return scheme + "://" + host + ":" + String(port)
    }

    /// The path followed by `?query` when a query is present, as robots.txt rules and logs use it.
    public var pathAndQuery: String {
        guard let query else { return path }
        return path + "?" + query
    }

    /// ``string`` without the userinfo; the only form that may appear in logs and reports.
    public var redacted: String {
        guard let userinfo else { return string }
        let skipped = scheme.utf8.count + 3 + userinfo.utf8.count + 1
        let rest = string.utf8.dropFirst(skipped)
        return scheme + "://" + String(Substring(rest))
    }

    /// Same as ``redacted``, so that string interpolation never leaks credentials.
    public var description: String { redacted }

    public static func == (lhs: CrawlURL, rhs: CrawlURL) -> Bool {
        lhs.string == rhs.string
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(string)
    }
}
