/// The ``CrawlURL/origin`` strings of the last few origins seen, so that the links of one page
/// (nearly all on one or two origins) share one string instead of building one per link.
///
/// A value type for one loop on one thread (a parse worker resolving one page's links).
struct OriginCache {
    private struct Entry {
        let scheme: String
        let host: String
        let port: Int?
        let origin: String
    }

    /// Few entries, searched in order: a page's links rarely span more origins than this.
    static let capacity = 4
    private var entries: [Entry] = []
    private var next = 0

    /// `url.origin`, built only if none of the cached origins matches.
    mutating func origin(of url: CrawlURL) -> String {
        for entry in entries where entry.host == url.host && entry.port == url.port && entry.scheme == url.scheme {
            return entry.origin
        }
        let entry = Entry(scheme: url.scheme, host: url.host, port: url.port, origin: url.origin)
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) % Self.capacity
        }
        return entry.origin
    }
}
