import Foundation

/// Changes to the served site while it runs, through site_server.py's `--mutations` file (the
/// server re-reads it on every request). Declarative: each call replaces the previous state.
struct SiteMutations: Encodable, Sendable {
    /// Absolute URLs (query ignored: every query variant of the path changes too) whose body gains
    /// ``FixtureServer/changeSuffix``, with a new ETag and Last-Modified.
    var change: [String] = []
    /// Same body, new ETag and Last-Modified.
    var touch: [String] = []
    /// Answered 404.
    var gone: [String] = []
    /// Replaces the server's `--delay-ms` while set.
    var delayMS: Int?

    enum CodingKeys: String, CodingKey {
        case change, touch, gone, delayMS = "delay_ms"
    }
}

extension FixtureServer {
    /// The bytes a "change" mutation appends to a body (revision 1).
    static let changeSuffix = Array("\n<!-- revision 1 -->\n".utf8)

    /// Replaces the site's mutations: written beside, then renamed over the file, so the server
    /// never reads half of it. Applies from the server's next request.
    func mutate(_ mutations: SiteMutations) throws {
        let temporary = mutationsPath + ".tmp"
        try JSONEncoder().encode(mutations).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, mutationsPath) == 0 else {
            throw SetupError("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    /// The requests the server read at or after `since` (Unix seconds, this machine's clock).
    func requests(since: Double) -> [LoggedRequest] {
        requests().filter { $0.t0 >= since }
    }

    /// Waits until the request log has not grown for `quiet` seconds (at most 5 s in all): the
    /// server writes a request's line after its response (and after its --delay-ms), so the last
    /// lines of a run may land after the crawler exits. Pass more than the delay when a crawler
    /// may have left requests mid-delay.
    func settle(quiet: Double = 0.15) async {
        let deadline = Date().addingTimeInterval(5)
        var count = requestCount()
        var stableSince = Date()
        while Date() < deadline {
            try? await Task.sleep(for: .milliseconds(25))
            let now = requestCount()
            if now != count {
                count = now
                stableSince = Date()
            } else if Date().timeIntervalSince(stableSince) >= quiet {
                return
            }
        }
    }
}
