import Synchronization

/// Decides what may be fetched now: per-host ready queues refilled from the store in batches,
/// the global and per-host concurrency limits, each host's delay clock and its robots.txt rules.
///
/// Called from the crawl loop (``plan(now:)``) and from completions on any thread; all state is
/// behind one lock, and every method is quick and never blocks. A host that must wait costs
/// nothing: the plan names the earliest time anything becomes possible.
public final class Scheduler: Sendable {
    let state: Mutex<SchedulerState>

    public init(limits: SchedulerLimits, hosts: [HostRecord], robotsLoader: @Sendable (HostRecord) -> RobotsStatus,
                fetchedBefore: Int) {
        var limits = limits
        limits.wallOffset = MonotonicClock.now - MonotonicClock.wallNow
        var state = SchedulerState(limits: limits)
        state.fetchedTotal = fetchedBefore
        for host in hosts { state.addHost(host, robots: robotsLoader(host), wallOffset: limits.wallOffset) }
        self.state = Mutex(state)
    }

    /// What to do now; updates in-flight counts and delay clocks for everything it hands out.
    public func plan(now: Double) -> SchedulerPlan {
        state.withLock { $0.plan(now: now) }
    }

    /// A transfer to a host ended: its per-host slot is free again (its global slot is freed on
    /// commit), and its politeness adapts to `verdict`. Returns the host's state to persist.
    @discardableResult
    public func transferFinished(hostID: Int64, verdict: TransferVerdict = .neutral, sentAt: Double? = nil) -> HostStateUpdate? {
        let now = MonotonicClock.now
        return state.withLock { state -> HostStateUpdate? in
            guard let snapshot = state.transferFinished(hostID: hostID, verdict: verdict, now: now, sentAt: sentAt) else { return nil }
            return HostStateUpdate(
                hostID: hostID, nextAllowedAt: snapshot.nextAllowedAt - state.limits.wallOffset,
                backoffMS: Int(snapshot.politeness.backoff * 1000), errorStreak: snapshot.politeness.errorStreak)
        }
    }

    /// A claim returned: add the URLs to their hosts' ready queues.
    public func claimed(_ batch: ClaimBatch, for requests: [ClaimRequest], generations: [Int64: Int]) {
        let wallNow = MonotonicClock.wallNow
        state.withLock { $0.claimed(batch.urls, for: requests, generations: generations, nextDue: batch.nextDue, wallNow: wallNow) }
    }

    /// A claim failed; the hosts may ask again.
    public func claimFailed(_ requests: [ClaimRequest]) {
        state.withLock { $0.claimFailed(requests) }
    }

    /// A batch was committed: frees global slots, learns new hosts and hosts with new work.
    /// `retries` lists the URLs queued again by this batch (host, wall-clock due time).
    public func committed(results: Int, fetchSlots: Int, fetched: Int, receipt: BatchReceipt,
                          robotsLoader: @Sendable (HostRecord) -> RobotsStatus, retries: [(hostID: Int64, at: Double)] = []) {
        let wallNow = MonotonicClock.wallNow
        state.withLock {
            $0.committed(results: results, fetchSlots: fetchSlots, fetched: fetched, receipt: receipt,
                         robotsLoader: robotsLoader, retries: retries, wallNow: wallNow)
        }
    }

    /// The robots.txt of a host was fetched (2xx rules, or allow-all for a 4xx).
    public func robotsResolved(hostID: Int64, rules: RobotsRules) {
        state.withLock { $0.robotsResolved(hostID: hostID, rules: rules) }
    }

    /// The robots.txt fetch of a host failed; nothing is fetched there until a retry succeeds.
    public func robotsFailed(hostID: Int64, now: Double) {
        state.withLock { $0.robotsFailed(hostID: hostID, now: now) }
    }

    /// Stop handing out fetches (a budget, a signal, a fatal error); in-flight work still completes.
    public func stopDispatching() {
        state.withLock { $0.stopping = true }
    }

    /// The host generations to pass back with ``claimed(_:for:generations:)``.
    public func generations(for requests: [ClaimRequest]) -> [Int64: Int] {
        state.withLock { state in
            var result: [Int64: Int] = [:]
            for request in requests { result[request.hostID] = state.generation(of: request.hostID) }
            return result
        }
    }

    public var snapshot: SchedulerSnapshot { state.withLock { $0.snapshot } }
}

/// The limits the scheduler enforces.
public struct SchedulerLimits: Sendable {
    /// Transfers in flight at once (`--concurrency`), robots.txt included.
    public var concurrency: Int
    public var perHost: Int
    /// Seconds between request starts on one host (the larger of `--delay` and robots' Crawl-delay).
    public var delay: Double
    public var maxPages: Int?
    /// Fetches this run may start (`--max-fetches`), robots.txt included.
    public var maxFetchesThisRun: Int?
    /// Pages fetched per host in the job (`--max-pages-per-host`); beyond it, URLs are skipped.
    public var maxPagesPerHost: Int?
    /// URLs kept ready in memory per host (bounded, whatever the frontier's size).
    public var readyPerHost: Int
    /// Crawl-delay from robots.txt is honored up to this many seconds (`--max-crawl-delay`).
    public var maxCrawlDelay: Double = 30
    /// Retries due within this many seconds keep a run going; later ones wait for a later run.
    public var maxRetryWait: Double = 300
    /// Monotonic minus wall-clock seconds, to place stored (wall) times on the scheduler's clock.
    public var wallOffset: Double = 0

    /// The time kept between two dispatches to one host: `delay` plus a margin (2%, at most 1 ms)
    /// for the jitter between the request leaving curl and reaching the server, and for the
    /// server's own clock resolution (nginx logs in milliseconds), so that the server never sees
    /// two request starts closer than `delay`. The clock runs from when curl sent the request.
    public var spacing: Double { Self.withMargin(delay) }

    static func withMargin(_ delay: Double) -> Double { delay > 0 ? delay + min(0.001, delay * 0.02) : 0 }
    /// How many robots.txt failures of one host are retried in this run before it is deferred.
    public var robotsAttempts: Int = 3
    public var robotsRetryBase: Double = 5

    /// Fetches started and not yet committed: in flight, being parsed, or waiting for the writer.
    /// Twice `concurrency`, so that a transfer's slot is free again while its result is parsed
    /// and committed, yet a kill at any instant re-fetches at most this many URLs.
    public var maxUncommittedFetches: Int { 2 * concurrency }

    public init(concurrency: Int, perHost: Int, delay: Double, maxPages: Int?, readyPerHost: Int) {
        self.concurrency = concurrency
        self.perHost = perHost
        self.delay = delay
        self.maxPages = maxPages
        self.readyPerHost = readyPerHost
    }
}

/// What a host's robots.txt allows.
public enum RobotsStatus: Sendable {
    /// Not fetched yet (or too old): it must be fetched before anything else on the host.
    case unknown
    case fetching
    case ready(RobotsRules)
    /// The fetch failed (5xx, 429, network): nothing may be fetched until `until`.
    case failed(until: Double, failures: Int)
    /// Failed too often in this run: the host's URLs stay queued for a later run.
    case deferred
}

/// One decision of the scheduler.
public enum SchedulerAction: Sendable {
    case fetch(ClaimedURL)
    case fetchRobots(hostID: Int64, origin: String)
    /// Not fetched: recorded as skipped with this reason (e.g. "robots").
    case skip(ClaimedURL, reason: String)
}

public struct SchedulerPlan: Sendable {
    public var actions: [SchedulerAction] = []
    public var refill: [ClaimRequest] = []
    /// When to plan again if nothing else happens (monotonic seconds).
    public var wakeAt: Double?
    public var finished: Bool = false
    /// Why it finished: "drained", "limit" (max pages) or "stopped".
    public var endReason: String = "drained"
}

/// Counters for progress and the end-of-run line.
public struct SchedulerSnapshot: Sendable {
    public var ready = 0
    public var inFlight = 0
    public var uncommitted = 0
    public var fetchedTotal = 0
    public var hosts = 0
    public var deferredHosts = 0
}
