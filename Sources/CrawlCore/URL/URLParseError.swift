/// Why a string could not become a ``CrawlURL``.
///
/// Thrown by ``CrawlURL/init(parsing:)`` and ``CrawlURL/resolve(_:)``; any thread may inspect it.
/// Payloads carry the offending text as written (not normalized) so that log lines show what the
/// page actually contained.
public enum URLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text was empty, or only whitespace and control characters.
    case empty
    /// A scheme other than http or https (lowercased), e.g. `mailto`, `javascript`, `ftp`.
    /// The payload is `""` when an absolute URL was required but the text has no scheme.
    case unsupportedScheme(String)
    /// An http(s) URL without a host, e.g. `http:///path` or `http:foo` with no base to resolve against.
    case missingHost
    /// The host contains a character no DNS name or IP literal may hold (space, `<`, `%`, ...),
    /// an empty label, a malformed IPv6 literal, or a label that cannot be IDNA-encoded.
    case invalidHost(String)
    /// The port is not all digits or exceeds 65535.
    case invalidPort(String)
    /// A control character appears where it cannot be percent-encoded away (in the userinfo).
    case invalidCharacter

    /// One short English line suitable for logs.
    public var description: String {
        switch self {
        case .empty:
            return "empty URL"
        case .unsupportedScheme(let scheme):
            return scheme.isEmpty ? "missing scheme" : "unsupported scheme '\(scheme)'"
        case .missingHost:
            return "missing host"
        case .invalidHost(let host):
            return "invalid host '\(host)'"
        case .invalidPort(let port):
            return "invalid port '\(port)'"
        case .invalidCharacter:
            return "invalid character in URL"
        }
    }
}
