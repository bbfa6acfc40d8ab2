/// Which URLs belong to the crawl: those on an allowed host (by default the seeds' hosts).
///
/// An entry "host" admits every port and scheme of that host; "host:port" admits only that port.
public struct Scope: Sendable, Equatable {
    private let hosts: Set<String>
    private let hostPorts: Set<String>

    public init(allowedHosts: [String]) {
        var hosts = Set<String>()
        var hostPorts = Set<String>()
        for entry in allowedHosts {
            let lowered = entry.lowercased()
            if Self.hasPort(lowered) { hostPorts.insert(lowered) } else { hosts.insert(lowered) }
        }
        self.hosts = hosts
        self.hostPorts = hostPorts
    }

    /// True if the URL may be crawled. Callable from any thread.
    public func contains(_ url: CrawlURL) -> Bool {
        if hosts.contains(url.host) { return true }
        if hostPorts.isEmpty { return false }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        return hostPorts.contains("\(url.host):\(port)")
    }

    private static func hasPort(_ entry: String) -> Bool {
        if entry.hasPrefix("[") { return entry.contains("]:") }
        return entry.contains(":")
    }
}
