/// Sort-friendly URI Reordering Transform keys, as pywb and the `surt` library write them in
/// CDX/CDXJ indexes: scheme and fragment dropped, host lower-cased without a leading `www.`,
/// its labels reversed and comma-joined (`com,example`), a non-default port kept, then `)`, the
/// path lower-cased without a trailing slash, and the lower-cased query with its parameters
/// sorted. `http://www.Example.com/A/?b=2&a=1` → `com,example)/a?a=1&b=2`.
///
/// Not done (the library's defaults that change keys only for URLs crawl does not produce, or
/// rarely): undoing percent-escapes of reserved characters, stripping session ids.
/// Pure; callable from any thread.
public enum SURT {
    public static func key(_ url: String) -> String {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var scheme = ""
        if let separator = rest.range(of: "://") {
            scheme = rest[..<separator.lowerBound].lowercased()
            rest = rest[separator.upperBound...]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd].lowercased()[...]
        rest = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }

        var host = authority
        var port = ""
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = String(host[host.index(after: colon)...])
            host = host[..<colon]
        }
        if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") { port = "" }
        host = strippingWWW(host)
        while host.hasSuffix(".") { host = host.dropLast() }

        var path = rest
        var query = ""
        if let question = rest.firstIndex(of: "?") {
            path = rest[..<question]
            query = rest[rest.index(after: question)...].lowercased()
        }
        var lowerPath = path.isEmpty ? "/" : path.lowercased()
        if lowerPath.count > 1 && lowerPath.hasSuffix("/") { lowerPath.removeLast() }

        var key = host.split(separator: ".", omittingEmptySubsequences: false).reversed().joined(separator: ",")
        if !port.isEmpty { key += ":" + port }
        key += ")" + lowerPath
        if !query.isEmpty {
            key += "?" + query.split(separator: "&", omittingEmptySubsequences: false).sorted().joined(separator: "&")
        }
        return key
    }

    /// `www.`, `www2.`, … removed from the front of a host name with more labels after it.
    private static func strippingWWW(_ host: Substring) -> Substring {
        guard host.hasPrefix("www"), let dot = host.firstIndex(of: ".") else { return host }
        let digits = host[host.index(host.startIndex, offsetBy: 3)..<dot]
        guard digits.allSatisfy(\.isASCIIDigit), host.index(after: dot) < host.endIndex else { return host }
        return host[host.index(after: dot)...]
    }
}
