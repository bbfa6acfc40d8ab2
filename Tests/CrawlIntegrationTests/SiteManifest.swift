import Foundation

/// The manifest written by site_server.py (see its docstring).
struct SiteManifest: Decodable, Sendable {
    let hosts: [String]
    let port: Int
    let seed: String
    let refusedHost: String
    let dnsHost: String
    let slowSleep: Double
    var urls: [String: [String]]
    let redirects: [String: String]
    /// Page → its links as [url, "page" | "image"], for every page a crawler parses.
    let links: [String: [[String]]]
    let sha256: [String: String]

    static func load(_ path: String) throws -> SiteManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(SiteManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func category(_ name: String) -> Set<String> { Set(urls[name] ?? []) }

    /// URLs a correct crawl of the served hosts (robots obeyed, images on) requests exactly once.
    var requestedOnce: Set<String> {
        category("page").union(category("image")).union(category("missing")).union(category("redirect"))
            .union(category("slow")).union(category("robots"))
    }

    /// Origins of the served hosts, `http://addr:port`.
    var origins: Set<String> { Set(hosts.map { "http://\($0):\(port)" }) }
}

extension SiteManifest {
    /// The manifest without its slow URL (whose outcome depends on --timeout).
    func withoutSlow() -> SiteManifest {
        var copy = self
        copy.urls["slow"] = []
        return copy
    }
}
