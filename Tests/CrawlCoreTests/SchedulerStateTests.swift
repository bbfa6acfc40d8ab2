import Testing
@testable import CrawlCore

@Suite struct SchedulerStateTests {
    static func limits(concurrency: Int = 8, perHost: Int = 2, delay: Double = 0, maxPages: Int? = nil) -> SchedulerLimits {
        SchedulerLimits(concurrency: concurrency, perHost: perHost, delay: delay, maxPages: maxPages, readyPerHost: 64)
    }

    static func host(_ id: Int64) -> HostRecord {
        HostRecord(id: id, origin: "http://h\(id).test", robotsState: .unknown, robotsBody: nil, robotsFetchedAt: nil, nextAllowedAt: 0)
    }

    static func url(_ id: Int64, host: Int64, path: String = "") -> ClaimedURL {
        ClaimedURL(id: id, url: "http://h\(host).test/\(path.isEmpty ? "p\(id)" : path)", hostID: host, depth: 0, attempts: 0, kind: .page)
    }

    /// A scheduler with hosts whose robots allow everything and whose ready queues hold `urls`.
    static func ready(_ limits: SchedulerLimits, hosts: [Int64], urls: [ClaimedURL], rules: RobotsRules = .allowAll) -> SchedulerState {
        var state = SchedulerState(limits: limits)
        for id in hosts { state.addHost(host(id), robots: .ready(rules)) }
        let requests = hosts.map { ClaimRequest(hostID: $0, limit: 1000) }
        state.claimed(urls, for: requests, generations: Dictionary(uniqueKeysWithValues: hosts.map { ($0, 0) }))
        return state
    }

    static func fetched(_ plan: SchedulerPlan) -> [Int64] {
        plan.actions.compactMap { if case let .fetch(url) = $0 { return url.id } else { return nil } }
    }

    @Test func perHostLimitHoldsAndOtherHostsProceed() {
        var state = Self.ready(Self.limits(perHost: 2), hosts: [1, 2], urls: (1...5).map { Self.url($0, host: 1) } + [Self.url(6, host: 2)])
        let plan = state.plan(now: 0)
        #expect(Set(Self.fetched(plan)) == [1, 2, 6])
        do { let p = state.plan(now: 0); #expect(Self.fetched(p).isEmpty) }
        state.transferFinished(hostID: 1)
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [3]) }
    }

    /// `--concurrency` bounds transfers; fetches not yet committed are bounded at twice that, so
    /// a kill re-fetches at most 2 × `--concurrency` URLs.
    @Test func transferSlotsFreeAtTransferEndAndUncommittedFetchesStayBounded() {
        var state = Self.ready(Self.limits(concurrency: 2, perHost: 10), hosts: [1], urls: (1...8).map { Self.url($0, host: 1) })
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [1, 2]) }
        // Both transfers in flight: nothing more starts.
        do { let p = state.plan(now: 0); #expect(Self.fetched(p).isEmpty) }
        state.transferFinished(hostID: 1)
        state.transferFinished(hostID: 1)
        // The transfers ended; their results are not committed yet, but the transfer slots are free.
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [3, 4]) }
        state.transferFinished(hostID: 1)
        state.transferFinished(hostID: 1)
        // Four fetches await their commit (2 × --concurrency): no transfer starts, although none is in flight.
        do { let p = state.plan(now: 0); #expect(Self.fetched(p).isEmpty) }
        state.committed(results: 1, fetchSlots: 1, fetched: 1, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [5]) }
        state.committed(results: 3, fetchSlots: 3, fetched: 3, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        // One transfer (5) is in flight: one more may start, whatever is uncommitted.
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [6]) }
    }

    /// --max-pages-per-host counts URLs, not attempts: a retry neither counts again nor is
    /// skipped once the host is at its cap (that would replace its failure with the cap).
    @Test func pageCapCountsURLsAndNeverSkipsARetry() {
        var limits = Self.limits(perHost: 1)
        limits.maxPagesPerHost = 2
        var retry = Self.url(2, host: 1)
        retry.attempts = 1
        var state = Self.ready(limits, hosts: [1], urls: [Self.url(1, host: 1), retry, Self.url(3, host: 1), Self.url(4, host: 1)])
        var dispatched: [Int64] = []
        var skipped: [Int64] = []
        for step in 0..<6 {
            let plan = state.plan(now: Double(step))
            for action in plan.actions {
                switch action {
                case let .fetch(url): dispatched.append(url.id)
                case let .skip(url, reason):
                    #expect(reason == "max_pages_per_host")
                    skipped.append(url.id)
                case .fetchRobots: break
                }
            }
            state.transferFinished(hostID: 1)
            state.committed(results: plan.actions.count, fetchSlots: Self.fetched(plan).count, fetched: Self.fetched(plan).count,
                            receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        }
        #expect(dispatched == [1, 2, 3])
        #expect(skipped == [4])
    }

    @Test func delayClockSpacesRequestStartsPerHost() {
        var state = Self.ready(Self.limits(perHost: 4, delay: 0.5), hosts: [1, 2], urls: [Self.url(1, host: 1), Self.url(2, host: 1), Self.url(3, host: 2)])
        let first = state.plan(now: 10)
        #expect(Set(Self.fetched(first)) == [1, 3])
        #expect(first.wakeAt == 10.501)  // the delay plus the 1 ms jitter margin
        do { let p = state.plan(now: 10.5); #expect(Self.fetched(p).isEmpty) }
        do { let p = state.plan(now: 10.501); #expect(Self.fetched(p) == [2]) }

        // The clock also runs from when a request really went out (here 40 ms after its dispatch).
        state.transferFinished(hostID: 2, verdict: .success, now: 10.1, sentAt: 10.04)
        do { let p = state.plan(now: 10.54); #expect(Self.fetched(p).isEmpty) }
    }

    @Test func robotsFetchComesFirstAndDisallowedURLsAreSkipped() {
        var state = SchedulerState(limits: Self.limits())
        state.addHost(Self.host(1), robots: .unknown)
        state.claimed([Self.url(1, host: 1, path: "private/a"), Self.url(2, host: 1, path: "ok")],
                      for: [ClaimRequest(hostID: 1, limit: 64)], generations: [1: 0])
        let plan = state.plan(now: 0)
        #expect(plan.actions.count == 1)
        guard case .fetchRobots(1, "http://h1.test") = plan.actions[0] else {
            Issue.record("expected a robots fetch, got \(plan.actions)")
            return
        }
        do { let p = state.plan(now: 0); #expect(p.actions.isEmpty) }
        state.transferFinished(hostID: 1)
        state.robotsResolved(hostID: 1, rules: RobotsRules(parsing: Array("User-agent: *\nDisallow: /private/".utf8), userAgent: "crawl"))
        let next = state.plan(now: 1)
        guard next.actions.count == 2, case let .skip(skipped, "robots") = next.actions[0], case let .fetch(fetched) = next.actions[1] else {
            Issue.record("expected skip then fetch, got \(next.actions)")
            return
        }
        #expect(skipped.id == 1)
        #expect(fetched.id == 2)
    }

    @Test func robotsFailureClosesTheHostThenRetriesThenDefers() {
        var state = SchedulerState(limits: Self.limits())
        state.addHost(Self.host(1), robots: .unknown)
        state.claimed([Self.url(1, host: 1)], for: [ClaimRequest(hostID: 1, limit: 64)], generations: [1: 0])
        _ = state.plan(now: 0)
        state.transferFinished(hostID: 1)
        state.robotsFailed(hostID: 1, now: 0)
        state.committed(results: 1, fetchSlots: 1, fetched: 0, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        let waiting = state.plan(now: 1)
        #expect(waiting.actions.isEmpty)
        #expect(waiting.wakeAt == 5)
        #expect(!waiting.finished)
        let retry = state.plan(now: 5)
        guard case .fetchRobots = retry.actions.first else {
            Issue.record("expected a robots retry")
            return
        }
        state.transferFinished(hostID: 1)
        state.robotsFailed(hostID: 1, now: 5)
        state.committed(results: 1, fetchSlots: 1, fetched: 0, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        _ = state.plan(now: 15)
        state.transferFinished(hostID: 1)
        state.robotsFailed(hostID: 1, now: 15)
        state.committed(results: 1, fetchSlots: 1, fetched: 0, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        // Deferred: nothing is ever fetched from it in this run, and the run can end.
        let end = state.plan(now: 100)
        #expect(end.actions.isEmpty)
        #expect(end.finished)
    }

    @Test func aClaimThatRacedWithNewLinksDoesNotExhaustTheHost() {
        var state = SchedulerState(limits: Self.limits())
        state.addHost(Self.host(1), robots: .ready(.allowAll))
        let plan = state.plan(now: 0)
        #expect(plan.refill == [ClaimRequest(hostID: 1, limit: 64)])
        let generation = state.generation(of: 1)
        var receipt = BatchReceipt()
        receipt.hostsWithNewWork = [1]
        state.committed(results: 0, fetchSlots: 0, fetched: 0, receipt: receipt, robotsLoader: { _ in .unknown })
        state.claimed([], for: plan.refill, generations: [1: generation])
        // New work arrived after the claim was issued: ask again instead of ending.
        let again = state.plan(now: 0)
        #expect(again.refill.count == 1)
        #expect(!again.finished)
        state.claimed([], for: again.refill, generations: [1: state.generation(of: 1)])
        do { let p = state.plan(now: 0); #expect(p.finished) }
    }

    @Test func maxPagesStopsDispatchAndEndsWithLimit() {
        var state = Self.ready(Self.limits(perHost: 10, maxPages: 3), hosts: [1], urls: (1...10).map { Self.url($0, host: 1) })
        state.fetchedTotal = 1
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [1, 2]) }
        do { let p = state.plan(now: 0); #expect(Self.fetched(p).isEmpty) }
        state.transferFinished(hostID: 1)
        state.transferFinished(hostID: 1)
        state.committed(results: 2, fetchSlots: 2, fetched: 2, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        let end = state.plan(now: 0)
        #expect(end.finished)
        #expect(end.endReason == "limit")
    }

    @Test func aHostClosedBeyondTheRetryHorizonIsLeftToALaterRun() {
        var state = Self.ready(Self.limits(perHost: 1), hosts: [1], urls: [Self.url(1, host: 1), Self.url(2, host: 1)])
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [1]) }
        state.transferFinished(hostID: 1, verdict: .throttled(retryAfter: 3600), now: 0.1)
        state.committed(results: 1, fetchSlots: 1, fetched: 1, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        state.claimed([], for: [ClaimRequest(hostID: 1, limit: 64)], generations: [1: 0])
        let plan = state.plan(now: 1)
        #expect(plan.actions.isEmpty)
        #expect(plan.finished)  // URL 2 stays claimed in memory; the run's end puts it back in the frontier
    }

    @Test func maxPagesHoldsAcrossHostsInOnePlan() {
        let urls = (1...4).map { Self.url($0, host: 1) } + (5...8).map { Self.url($0, host: 2) } + (9...12).map { Self.url($0, host: 3) }
        var state = Self.ready(Self.limits(perHost: 10, maxPages: 5), hosts: [1, 2, 3], urls: urls)
        let plan = state.plan(now: 0)
        #expect(Self.fetched(plan).count == 5)
    }

    @Test func drainedOnlyWhenEverythingIsCommitted() {
        var state = Self.ready(Self.limits(), hosts: [1], urls: [Self.url(1, host: 1)])
        state.claimed([], for: [ClaimRequest(hostID: 1, limit: 1)], generations: [1: 0])
        do { let p = state.plan(now: 0); #expect(Self.fetched(p) == [1]) }
        do { let p = state.plan(now: 0); #expect(!p.finished) }
        state.transferFinished(hostID: 1)
        do { let p = state.plan(now: 0); #expect(!p.finished) }
        state.committed(results: 1, fetchSlots: 1, fetched: 1, receipt: BatchReceipt(), robotsLoader: { _ in .unknown })
        let plan = state.plan(now: 0)
        #expect(plan.finished)
        #expect(plan.endReason == "drained")
    }

    @Test func pathAndQueryOfStoredURLs() {
        #expect(SchedulerState.pathAndQuery(of: "http://a.test/x/y?z=1") == "/x/y?z=1")
        #expect(SchedulerState.pathAndQuery(of: "http://a.test:8080/") == "/")
        #expect(SchedulerState.pathAndQuery(of: "http://a.test?q") == "?q")
        #expect(SchedulerState.pathAndQuery(of: "http://a.test") == "/")
    }

    @Test func robotsRulesReadTheStoredURLInPlace() {
        let rules = RobotsRules(parsing: Array("User-agent: *\nDisallow: /private\nDisallow: /*?s=\nAllow: /$\nDisallow: /".utf8),
                                userAgent: "crawl/0.1")
        #expect(SchedulerState.isAllowed("http://a.test/", by: rules))
        #expect(SchedulerState.isAllowed("http://a.test:8080/", by: rules))
        #expect(SchedulerState.isAllowed("http://a.test/robots.txt", by: rules))
        #expect(!SchedulerState.isAllowed("http://a.test/private/x", by: rules))
        #expect(!SchedulerState.isAllowed("http://a.test/p?s=1", by: rules))
        #expect(!SchedulerState.isAllowed("http://a.test/other", by: rules))
        #expect(SchedulerState.isAllowed("http://a.test", by: rules))  // no path: the root
        let paths = ["http://a.test/", "http://a.test/private/x", "http://a.test/p?s=1", "http://a.test/%70rivate"]
        for url in paths {
            #expect(SchedulerState.isAllowed(url, by: rules) == rules.isAllowed(String(SchedulerState.pathAndQuery(of: url))))
            #expect(SchedulerState.isAllowed(url, by: .allowAll))
        }
    }
}
