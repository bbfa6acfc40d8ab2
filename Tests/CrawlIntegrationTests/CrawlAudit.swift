import Foundation

/// What the server saw, counted per URL, checked against what a correct crawler requests.
struct CrawlAudit {
    let requests: [LoggedRequest]
    /// URL → how many times it was requested.
    let counts: [String: Int]

    init(_ requests: [LoggedRequest]) {
        self.requests = requests
        var counts: [String: Int] = [:]
        for request in requests { counts[request.url, default: 0] += 1 }
        self.counts = counts
    }

    /// Requests beyond the first of each URL.
    var duplicateRequests: Int { requests.count - counts.count }

    func notRequested(_ urls: Set<String>) -> [String] { urls.filter { counts[$0] == nil }.sorted() }
    func requestedMoreThanOnce(_ urls: Set<String>) -> [String] { urls.filter { (counts[$0] ?? 0) > 1 }.sorted() }
    func requested(_ urls: Set<String>) -> [String] { urls.filter { counts[$0] != nil }.sorted() }
    func outside(_ urls: Set<String>) -> [String] { counts.keys.filter { !urls.contains($0) }.sorted() }

    /// Hosts whose first request (by arrival) was not /robots.txt.
    func hostsNotStartingWithRobots() -> [String] {
        var first: [String: LoggedRequest] = [:]
        for request in requests where first[request.addr].map({ request.t0 < $0.t0 }) ?? true {
            first[request.addr] = request
        }
        return first.values.filter { !$0.isRobots }.map { "\($0.addr) first got \($0.target)" }.sorted()
    }
}

/// One line of the server's request log.
struct LoggedRequest: Decodable, Sendable {
    let t0: Double
    let t1: Double
    let addr: String
    let port: Int
    let method: String
    /// The request-target exactly as sent.
    let target: String
    let status: Int
    let ua: String?
    let error: String?
    /// The request carried If-None-Match or If-Modified-Since.
    let conditional: Bool?
    /// "change", "touch" or "gone" when a --mutations entry shaped the response.
    let mutation: String?

    /// The absolute URL requested, in the manifest's (canonical) form.
    var url: String { "http://\(addr):\(port)\(target)" }
    var isRobots: Bool { target == "/robots.txt" }
}
