/// The scheduler's state and decisions, pure and synchronous (tested without I/O).
struct SchedulerState {
    struct Host {
        let id: Int64
        let origin: String
        var ready = ReadyQueue()
        var inFlight = 0
        var nextAllowedAt: Double = 0
        var politeness: HostPoliteness
        /// When the host's earliest queued retry is due (monotonic): the host is asked again then.
        var retryWakeAt: Double?
        var robots: RobotsStatus = .unknown
        /// The last claim found no more due URLs, and no link was added since.
        var exhausted = false
        var refilling = false
        /// Bumped whenever the store reports new work for the host, so a claim that raced with it
        /// does not mark the host exhausted.
        var generation = 0
        /// robots.txt fetches of this host that failed in this run.
        var robotsFailures = 0
        /// URLs of this host fetched in the job (stored count at start + first attempts
        /// dispatched since), toward --max-pages-per-host.
        var fetchedCount = 0
        /// Closed (Retry-After, backoff) for longer than a run waits: left to a later run. Its
        /// claimed URLs go back to the frontier when the run ends; the closing time is stored.
        var parked = false
    }

    let limits: SchedulerLimits
    var hosts: [Host] = []
    var index: [Int64: Int] = [:]
    /// Fetches handed out and not yet committed (bounded by `limits.maxUncommittedFetches`).
    var activeFetches = 0
    /// Transfers in flight, robots.txt included (bounded by `limits.concurrency`).
    var transfers = 0
    /// Results of any kind handed out and not yet committed.
    var uncommitted = 0
    /// Requests sent in this job and committed (toward --max-pages).
    var fetchedTotal = 0
    /// Fetches started in this run (toward --max-fetches).
    var dispatchedThisRun = 0
    var stopping = false
    private var cursor = 0

    init(limits: SchedulerLimits) {
        self.limits = limits
    }

    /// Adds a host with its stored state. `wallOffset` converts stored wall-clock times to the
    /// monotonic clock (monotonic = wall + offset).
    mutating func addHost(_ record: HostRecord, robots: RobotsStatus, wallOffset: Double = 0) {
        guard index[record.id] == nil else { return }
        index[record.id] = hosts.count
        var host = Host(
            id: record.id, origin: record.origin,
            politeness: HostPoliteness(baseDelay: limits.delay, backoff: Double(record.backoffMS) / 1000, errorStreak: record.errorStreak),
            robots: robots)
        if record.nextAllowedAt > 0 { host.nextAllowedAt = record.nextAllowedAt + wallOffset }
        host.fetchedCount = record.fetched
        if case let .ready(rules) = robots {
            host.politeness.applyCrawlDelay(rules.crawlDelay, delay: limits.delay, cap: limits.maxCrawlDelay)
        }
        hosts.append(host)
    }

    func generation(of hostID: Int64) -> Int {
        index[hostID].map { hosts[$0].generation } ?? 0
    }

    private var pagesLimitReached: Bool {
        guard let maxPages = limits.maxPages else { return false }
        return fetchedTotal + activeFetches >= maxPages
    }

    mutating func plan(now: Double) -> SchedulerPlan {
        var plan = SchedulerPlan()
        var wake = Double.infinity
        let count = hosts.count
        for step in 0..<count {
            let i = (cursor + step) % count
            planHost(i, now: now, plan: &plan, wake: &wake)
        }
        if count > 0 { cursor = (cursor + 1) % count }
        if wake.isFinite { plan.wakeAt = wake }
        if activeFetches == 0 && uncommitted == 0 {
            if stopping {
                plan.finished = true
                plan.endReason = "stopped"
            } else if pagesLimitReached {
                plan.finished = true
                plan.endReason = "limit"
            } else if runBudgetReached {
                plan.finished = true
                plan.endReason = "budget"
            } else if plan.actions.isEmpty && plan.refill.isEmpty && hosts.allSatisfy(\.isIdle) {
                plan.finished = true
                plan.endReason = "drained"
            }
        }
        return plan
    }

    private var runBudgetReached: Bool {
        guard let maxFetches = limits.maxFetchesThisRun else { return false }
        return dispatchedThisRun >= maxFetches
    }

    /// No fetch may start: a stop was requested, or --max-pages or --max-fetches is (or will be,
    /// with what is in flight) reached. Checked before every dispatch, since each one moves the count.
    private var blocked: Bool { stopping || pagesLimitReached || runBudgetReached }

    private mutating func planHost(_ i: Int, now: Double, plan: inout SchedulerPlan, wake: inout Double) {
        var host = hosts[i]
        defer { hosts[i] = host }
        host.parked = host.nextAllowedAt - now > limits.maxRetryWait
        if host.parked { return }
        if let retryWakeAt = host.retryWakeAt {
            if now >= retryWakeAt {
                host.retryWakeAt = nil
                host.exhausted = false
            } else if !blocked {
                wake = min(wake, retryWakeAt)
            }
        }
        let hasWork = !host.ready.isEmpty || !host.exhausted
        switch host.robots {
        case .fetching, .deferred:
            return
        case let .failed(until, _):
            guard now >= until else {
                if hasWork { wake = min(wake, until) }
                return
            }
            host.robots = .unknown
            fallthrough
        case .unknown:
            if !host.ready.isEmpty && !blocked && hasFreeSlot && host.inFlight < limits.perHost {
                if now >= host.nextAllowedAt {
                    host.robots = .fetching
                    startTransfer(on: &host, now: now)
                    plan.actions.append(.fetchRobots(hostID: host.id, origin: host.origin))
                } else {
                    wake = min(wake, host.nextAllowedAt)
                }
            }
        case let .ready(rules):
            while !blocked, let next = host.ready.first {
                if let reason = skipReason(next, rules: rules, host: host) {
                    host.ready.removeFirst()
                    uncommitted += 1
                    plan.actions.append(.skip(next, reason: reason))
                    continue
                }
                guard hasFreeSlot, host.inFlight < limits.perHost else { break }
                guard now >= host.nextAllowedAt else {
                    wake = min(wake, host.nextAllowedAt)
                    break
                }
                host.ready.removeFirst()
                if next.attempts == 0 { host.fetchedCount += 1 }  // a retry was counted on its first attempt
                startTransfer(on: &host, now: now)
                plan.actions.append(.fetch(next))
            }
        }
        if !blocked && !host.exhausted && !host.refilling && host.ready.count <= limits.readyPerHost / 2 {
            host.refilling = true
            plan.refill.append(ClaimRequest(hostID: host.id, limit: limits.readyPerHost - host.ready.count))
        }
    }

    /// A transfer may start: fewer than `--concurrency` are in flight, and fewer than
    /// `maxUncommittedFetches` fetches await their commit.
    private var hasFreeSlot: Bool {
        transfers < limits.concurrency && activeFetches < limits.maxUncommittedFetches
    }

    /// Takes a global and a per-host slot for a request starting now, and moves the host's clock.
    private mutating func startTransfer(on host: inout Host, now: Double) {
        host.inFlight += 1
        transfers += 1
        dispatchedThisRun += 1
        activeFetches += 1
        uncommitted += 1
        let spacing = host.politeness.spacing
        if spacing > 0 { host.nextAllowedAt = max(host.nextAllowedAt, now + SchedulerLimits.withMargin(spacing)) }
    }

    /// Why a ready URL is recorded as skipped instead of fetched, if it is.
    private func skipReason(_ url: ClaimedURL, rules: RobotsRules, host: Host) -> String? {
        if !Self.isAllowed(url.url, by: rules) { return "robots" }
        // A revisit or a retry was admitted already: skipping it would replace its recorded
        // failure (a timeout, a reset) with the cap.
        if let cap = limits.maxPagesPerHost, host.fetchedCount >= cap, url.previous == nil, url.attempts == 0 {
            return "max_pages_per_host"
        }
        return nil
    }

    /// A transfer ended: frees its transfer slot and the host's, and adapts the host's politeness
    /// to how it answered. (Its fetch stays uncommitted until ``committed(results:fetchSlots:fetched:receipt:robotsLoader:retries:wallNow:)``.)
    /// Returns the host's state to persist (nil for an unknown host).
    @discardableResult
    mutating func transferFinished(hostID: Int64, verdict: TransferVerdict = .neutral, now: Double = 0,
                                   sentAt: Double? = nil) -> HostSnapshot? {
        guard let i = index[hostID] else { return nil }
        hosts[i].inFlight -= 1
        transfers -= 1
        // The delay runs from when the request really went out, not only from its dispatch: the
        // curl thread may have started it late, and the server must never see two starts closer.
        let spacing = hosts[i].politeness.spacing
        if let sentAt, spacing > 0 {
            hosts[i].nextAllowedAt = max(hosts[i].nextAllowedAt, sentAt + SchedulerLimits.withMargin(spacing))
        }
        switch verdict {
        case .success: hosts[i].politeness.recordSuccess()
        case .neutral: break
        case .transientFailure: hosts[i].politeness.recordTransientFailure()
        case let .throttled(retryAfter):
            hosts[i].politeness.recordTransientFailure()
            let pause = max(retryAfter ?? 0, hosts[i].politeness.spacing)
            hosts[i].nextAllowedAt = max(hosts[i].nextAllowedAt, now + pause)
        }
        return HostSnapshot(nextAllowedAt: hosts[i].nextAllowedAt, politeness: hosts[i].politeness)
    }

    mutating func claimed(_ urls: [ClaimedURL], for requests: [ClaimRequest], generations: [Int64: Int],
                          nextDue: [Int64: Double] = [:], wallNow: Double = 0) {
        var got: [Int64: Int] = [:]
        for url in urls {
            guard let i = index[url.hostID] else { continue }
            hosts[i].ready.append(url)
            got[url.hostID, default: 0] += 1
        }
        for request in requests {
            guard let i = index[request.hostID] else { continue }
            hosts[i].refilling = false
            if got[request.hostID, default: 0] < request.limit && generations[request.hostID] == hosts[i].generation {
                hosts[i].exhausted = true
                // Retries due soon keep the run going; later ones are left to a later run.
                if let due = nextDue[request.hostID], due - wallNow <= limits.maxRetryWait {
                    hosts[i].retryWakeAt = min(hosts[i].retryWakeAt ?? .infinity, due + limits.wallOffset)
                }
            }
        }
    }

    mutating func claimFailed(_ requests: [ClaimRequest]) {
        for request in requests {
            if let i = index[request.hostID] { hosts[i].refilling = false }
        }
    }

    mutating func committed(results: Int, fetchSlots: Int, fetched: Int, receipt: BatchReceipt,
                            robotsLoader: (HostRecord) -> RobotsStatus, retries: [(hostID: Int64, at: Double)] = [],
                            wallNow: Double = 0) {
        uncommitted -= results
        activeFetches -= fetchSlots
        fetchedTotal += fetched
        // A URL queued again for a retry: its host is asked again when it is due (if soon enough).
        for retry in retries where retry.at - wallNow <= limits.maxRetryWait {
            guard let i = index[retry.hostID] else { continue }
            let due = retry.at + limits.wallOffset
            hosts[i].retryWakeAt = min(hosts[i].retryWakeAt ?? .infinity, due)
        }
        for host in receipt.newHosts { addHost(host, robots: robotsLoader(host)) }
        for hostID in receipt.hostsWithNewWork {
            guard let i = index[hostID] else { continue }
            hosts[i].exhausted = false
            hosts[i].generation += 1
        }
    }

    mutating func robotsResolved(hostID: Int64, rules: RobotsRules) {
        guard let i = index[hostID] else { return }
        hosts[i].robots = .ready(rules)
        hosts[i].politeness.applyCrawlDelay(rules.crawlDelay, delay: limits.delay, cap: limits.maxCrawlDelay)
        hosts[i].robotsFailures = 0
    }

    /// A robots.txt fetch failed (5xx, 429, network): the host is closed until a retry with
    /// exponential backoff, and deferred to a later run after `limits.robotsAttempts` failures.
    mutating func robotsFailed(hostID: Int64, now: Double) {
        guard let i = index[hostID] else { return }
        hosts[i].robotsFailures += 1
        let failures = hosts[i].robotsFailures
        if failures >= limits.robotsAttempts {
            hosts[i].robots = .deferred
        } else {
            let backoff = limits.robotsRetryBase * Double(1 << min(failures - 1, 10))
            hosts[i].robots = .failed(until: now + backoff, failures: failures)
        }
    }

    var snapshot: SchedulerSnapshot {
        var snapshot = SchedulerSnapshot()
        snapshot.hosts = hosts.count
        for host in hosts {
            snapshot.ready += host.ready.count
            snapshot.inFlight += host.inFlight
            if case .deferred = host.robots { snapshot.deferredHosts += 1 }
        }
        snapshot.uncommitted = uncommitted
        snapshot.fetchedTotal = fetchedTotal
        return snapshot
    }

    /// The path and query of a normalized URL string ("/" if it has no path).
    static func pathAndQuery(of url: String) -> Substring {
        var bytes = url
        guard let offset = bytes.withUTF8({ pathOffset(in: $0) }) else { return "/" }
        return url[url.utf8.index(url.utf8.startIndex, offsetBy: offset)...]
    }

    /// Whether `rules` allow a normalized URL string, read in place: this runs for every URL
    /// dispatched, so it neither searches generically nor copies the path.
    static func isAllowed(_ url: String, by rules: RobotsRules) -> Bool {
        var bytes = url
        return bytes.withUTF8 { utf8 in
            // No path (not from the normalizer, but never crash): the root, as an empty path means.
            guard let offset = pathOffset(in: utf8) else { return rules.isAllowed(utf8: UnsafeBufferPointer(rebasing: utf8[0..<0])) }
            return rules.isAllowed(utf8: UnsafeBufferPointer(rebasing: utf8[offset...]))
        }
    }

    /// Where the path (or, without one, the query) starts: the first `/` or `?` after `://`.
    private static func pathOffset(in utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        while index + 2 < utf8.count {
            if utf8[index] == UInt8(ascii: ":") && utf8[index + 1] == UInt8(ascii: "/") && utf8[index + 2] == UInt8(ascii: "/") {
                index += 3
                while index < utf8.count {
                    if utf8[index] == UInt8(ascii: "/") || utf8[index] == UInt8(ascii: "?") { return index }
                    index += 1
                }
                return nil
            }
            index += 1
        }
        return nil
    }
}

extension SchedulerState.Host {
    /// Nothing to do now or later in this run.
    var isIdle: Bool {
        if parked { return inFlight == 0 && !refilling }
        if case .deferred = robots { return inFlight == 0 && !refilling }
        return ready.isEmpty && exhausted && !refilling && inFlight == 0 && retryWakeAt == nil
    }
}

/// A host's politeness after a transfer, for the store.
struct HostSnapshot: Sendable, Equatable {
    var nextAllowedAt: Double  // monotonic
    var politeness: HostPoliteness
}
