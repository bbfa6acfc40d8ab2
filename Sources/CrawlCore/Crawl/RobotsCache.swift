/// Turns the robots.txt state stored on a host row into what the scheduler enforces.
///
/// Stored rules are reused for at most ``maxAge`` seconds; older ones (and failures) are fetched again.
struct RobotsCache: Sendable {
    static let maxAge: Double = 24 * 3600
    let settings: CrawlSettings

    func loader(now: Double) -> @Sendable (HostRecord) -> RobotsStatus {
        let obey = settings.obeyRobots
        let userAgent = settings.userAgent
        return { host in
            guard obey else { return .ready(.allowAll) }
            guard let fetchedAt = host.robotsFetchedAt, now - fetchedAt < Self.maxAge else { return .unknown }
            switch host.robotsState {
            case .rules: return .ready(RobotsRules(parsing: Array((host.robotsBody ?? "").utf8), userAgent: userAgent))
            case .allowAll: return .ready(.allowAll)
            case .unknown, .disallowAll: return .unknown
            }
        }
    }
}
