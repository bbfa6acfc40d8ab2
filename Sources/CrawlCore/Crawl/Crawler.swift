import Foundation
import Logging
import Synchronization

/// Runs one crawl run of a job: claims due URLs from the store, fetches them politely, parses and
/// stores what comes back, and records every result with the links found on it.
///
/// Data flows one way: store → scheduler → fetcher (one curl thread) → parse workers → writer
/// (one store thread) → store. Create one per run; call ``run()`` once, from any task.
/// ``requestStop()`` may be called from any thread (signal handlers, budgets).
public final class Crawler: Sendable {
    public let store: any JobStore
    public let settings: CrawlSettings
    public let command: String
    let logger: Logger
    let progressMode: ProgressMode
    let counters = Mutex(RunCounters())
    let fatal = Mutex<Error?>(nil)
    let wakeup = AsyncWakeup()
    let stopRequested = Atomic<Bool>(false)
    /// Why a stop was requested: "signal" or "budget" (the first one wins).
    let stopReason = Mutex<String?>(nil)
    public let budget: RunBudget
    /// Wall-clock start of this run: revisits only take URLs fetched before it.
    let runStartedAtWall = MonotonicClock.wallNow

    public init(store: any JobStore, settings: CrawlSettings, command: String, logger: Logger, progress: ProgressMode,
                budget: RunBudget = RunBudget()) {
        self.budget = budget
        self.store = store
        self.settings = settings
        self.command = command
        self.logger = logger
        self.progressMode = progress
    }

    /// Asks the run to stop: no new fetches start; in-flight ones finish and are committed.
    /// `reason` ("signal", "budget") is recorded as the run's end reason.
    public func requestStop(reason: String = "signal") {
        stopReason.withLock { if $0 == nil { $0 = reason } }
        stopRequested.store(true, ordering: .relaxed)
        wakeup.signal()
    }

    /// Runs until the frontier is drained, `--max-pages` is reached, a stop is requested, or a
    /// fatal error (storage, database) occurs. The run's row in the store records how it ended.
    public func run() async throws -> RunReport {
        let startedAt = MonotonicClock.now
        let requeued = try await store.requeueInterrupted()
        if requeued > 0 { logger.info("requeued \(requeued) URLs left in flight by an interrupted run") }
        let bodies = try BodyStore(root: settings.outputDirectory, layout: settings.bodyLayout)
        bodies.removeTemporaryFiles()
        let archive = try await openArchive()
        let runID = try await store.beginRun(command: command, pid: getpid(), startedAt: MonotonicClock.wallNow)
        let initial = try await store.stats()
        counters.withLock { $0.queuedEstimate = initial.urls.queued + initial.urls.inFlight }

        let robotsLoader = RobotsCache(settings: settings).loader(now: MonotonicClock.wallNow)
        let scheduler = Scheduler(
            limits: schedulerLimits(), hosts: try await store.hosts(), robotsLoader: robotsLoader,
            fetchedBefore: initial.urls.done + initial.urls.failed)
        var configuration = fetcherConfiguration()
        configuration.capturesExchange = archive != nil
        let fetcher: Fetcher
        do {
            fetcher = try Fetcher(configuration: configuration)
        } catch {
            try? await archive?.close()
            throw error
        }
        LinkExtractor.initializeLibrary()
        let maxLinks = settings.maxLinksPerPage
        let workers = BlockingThreadPool<WorkerContext>(name: "crawl-parse", count: Self.workerCount) {
            WorkerContext(maxLinks: maxLinks)
        }
        var processor = ResponseProcessor(
            scope: Scope(allowedHosts: settings.allowedHosts), maxDepth: settings.maxDepth,
            fetchImages: settings.fetchImages, bodies: bodies)
        processor.retries = settings.retries
        processor.obeyMetaRobots = settings.obeyRobots
        processor.ignoreNofollow = settings.ignoreNofollow
        processor.respectRelNofollow = settings.respectRelNofollow
        processor.queryFilter = QueryFilter(patterns: settings.stripQuery)
        processor.trapGuard = TrapGuard(maxURLLength: settings.maxURLLength, maxRepeatedSegments: settings.maxRepeatedSegments)
        processor.userAgentToken = RobotsRules.productToken(of: settings.userAgent)
        let writer = ResultWriter(store: store, runID: runID)
        let pipeline = Pipeline(
            scheduler: scheduler, fetcher: fetcher, workers: workers, processor: processor, writer: writer,
            settings: settings, crawler: self, archiver: archive.map { CrawlArchiver(writer: $0) })

        var endReason = "drained"
        await withTaskGroup(of: Void.self) { background in
            background.addTask {
                await writer.run(
                    onCommit: { batch, receipt in self.committed(batch, receipt, scheduler: scheduler, robotsLoader: robotsLoader) },
                    onFailure: { error in self.fail(error) })
            }
            let reporter = ProgressReporter(mode: progressMode, logger: logger)
            background.addTask { await reporter.run(crawler: self, scheduler: scheduler, startedAt: startedAt) }
            if let maxDuration = budget.maxDuration {
                // Cancelled with the group once the run ends; until then, it ends the run at the budget.
                background.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(maxDuration * 1e9))
                    if !Task.isCancelled { self.requestStop(reason: "budget") }
                }
            }
            endReason = await mainLoop(scheduler: scheduler, pipeline: pipeline)
            // Pages have no task of their own: cancel what is still in flight, let the workers
            // queue what they hold, and only then close the writer's queue.
            fetcher.shutdown()
            // The workers write a page's WARC records before they queue its result: once they
            // stop, every result is queued.
            workers.shutdown()
            writer.close()
            reporter.stop()
            // Ends the budget timer and the reporter; the writer ignores cancellation and drains.
            background.cancelAll()
            await background.waitForAll()
        }
        do {
            try await archive?.close()
        } catch {
            fail(error)
        }

        let seconds = MonotonicClock.now - startedAt
        let fatalError = fatal.withLock { $0 }
        if fatalError != nil { endReason = "error" }
        // Claimed but never fetched (a limit, a stop, a host whose robots.txt stayed unavailable):
        // the rows are still queued (claims are not written); this ends the claims in memory.
        _ = try? await store.requeueInterrupted()
        let report = counters.withLock { RunReport(counters: $0, endReason: endReason, seconds: seconds) }
        try? await store.endRun(runID, summary: RunSummary(
            endedAt: MonotonicClock.wallNow, endReason: endReason, fetched: report.fetched, newURLs: report.newURLs,
            errors: report.errors, bytes: report.bytes))
        if let fatalError { throw fatalError }
        return report
    }

    /// With `--warc`: the writer, after recovery has repaired the directory (a partial record cut
    /// off the newest file) and the store has queued again every fetched URL left without a
    /// response record.
    private func openArchive() async throws -> WarcWriter? {
        guard let directory = settings.warcDirectory else { return nil }
        try BodyStore.makeDirectories(directory)
        let warc = WarcWriter(
            directory: directory, maxFileSize: settings.warcMaxFileSize, info: CrawlArchiver.info(settings: settings),
            level: settings.warcGzipLevel)
        do {
            let report = try await warc.recover(committed: try await store.warcCommittedEnds())
            for cut in report.truncated {
                logger.info("WARC \(cut.file): removed an incomplete record at the end (\(cut.from) → \(cut.to) bytes)")
            }
            for (file, end) in report.lost.sorted(by: { $0.key < $1.key }) {
                logger.warning("WARC \(file) ends at \(end) bytes, before records the database committed: they are fetched again")
            }
            let requeued = try await store.repairArchive(lost: report.lost)
            if requeued > 0 { logger.warning("\(requeued) fetched URLs had no WARC response record: queued again") }
        } catch {
            try? await warc.close()
            throw error
        }
        return warc
    }

    /// Plans, dispatches, sleeps until something changes; returns why the run ended.
    private func mainLoop(scheduler: Scheduler, pipeline: Pipeline) async -> String {
        await withDiscardingTaskGroup { group in
            var stopping = false
            while true {
                if !stopping && (stopRequested.load(ordering: .relaxed) || fatal.withLock({ $0 != nil })) {
                    stopping = true
                    scheduler.stopDispatching()
                }
                let plan = scheduler.plan(now: MonotonicClock.now)
                for action in plan.actions {
                    switch action {
                    case let .fetch(url):
                        pipeline.start(url)
                    case let .fetchRobots(hostID, origin):
                        group.addTask { await pipeline.fetchRobots(hostID: hostID, origin: origin) }
                    case let .skip(url, reason):
                        pipeline.skip(url, reason: reason)
                    }
                }
                if !plan.refill.isEmpty {
                    let requests = plan.refill
                    let generations = scheduler.generations(for: requests)
                    group.addTask { await pipeline.refill(requests, generations: generations) }
                }
                if plan.finished {
                    if fatal.withLock({ $0 != nil }) { return "error" }
                    if plan.endReason == "stopped" { return stopReason.withLock { $0 } ?? "signal" }
                    return plan.endReason
                }
                if stopping && fatal.withLock({ $0 != nil }) && scheduler.snapshot.inFlight == 0 {
                    return "error"  // results that can no longer be committed will never free their slots
                }
                await wakeup.wait(until: plan.wakeAt)
            }
        }
    }

    private func committed(_ batch: ResultBatch, _ receipt: BatchReceipt, scheduler: Scheduler,
                           robotsLoader: @escaping @Sendable (HostRecord) -> RobotsStatus) {
        let tally = BatchTally(batch.results)
        let fetched = tally.fetched
        let claimedHere = batch.results.count
        counters.withLock {
            $0.tally.add(tally)
            $0.newURLs += receipt.newURLs
            $0.queuedEstimate += receipt.newURLs - claimedHere
        }
        let retries = batch.results.compactMap { result in
            result.state == .queued ? result.nextAttemptAt.map { (hostID: result.hostID, at: $0) } : nil
        }
        scheduler.committed(
            results: batch.results.count + batch.robots.count, fetchSlots: fetched + batch.robots.count,
            fetched: fetched, receipt: receipt, robotsLoader: robotsLoader, retries: retries)
        wakeup.signal()
    }

    /// Records a fatal error (the first one wins) and stops the run.
    func fail(_ error: Error) {
        let first = fatal.withLock { current -> Bool in
            if current != nil { return false }
            current = error
            return true
        }
        if first { logger.error("stopping: \(error)") }
        wakeup.signal()
    }

    /// A transfer ended (its host slot is free). Normally the commit of its result wakes the loop;
    /// after a fatal error nothing may commit any more, so the loop, which ends once no transfer is
    /// in flight, is woken here instead.
    func transferEnded() {
        if fatal.withLock({ $0 != nil }) { wakeup.signal() }
    }

    private func schedulerLimits() -> SchedulerLimits {
        var limits = SchedulerLimits(
            concurrency: settings.concurrency, perHost: settings.perHost, delay: settings.delay,
            maxPages: settings.maxPages, readyPerHost: max(64, min(512, settings.perHost * 64)))
        limits.maxFetchesThisRun = budget.maxFetches
        limits.maxCrawlDelay = settings.maxCrawlDelay
        limits.maxPagesPerHost = settings.maxPagesPerHost
        return limits
    }

    private func fetcherConfiguration() -> FetcherConfiguration {
        var configuration = FetcherConfiguration(userAgent: settings.userAgent)
        configuration.timeout = settings.timeout
        configuration.connectTimeout = min(settings.connectTimeout, settings.timeout)
        configuration.lowSpeedTime = min(settings.timeout, settings.lowSpeedTime)
        configuration.maxBodyBytes = settings.maxBodyBytes
        configuration.maxConnections = settings.concurrency
        configuration.maxConnectionsPerHost = settings.perHost
        return configuration
    }

    /// Parse workers: one per core, at least one.
    static var workerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
}

/// Limits of one run (not stored with the job): the cron budget.
public struct RunBudget: Sendable {
    /// Stop starting fetches after this many seconds; in-flight ones finish (bounded by the timeout).
    public var maxDuration: Double?
    /// Stop after this many fetches in this run.
    public var maxFetches: Int?
    public init(maxDuration: Double? = nil, maxFetches: Int? = nil) {
        self.maxDuration = maxDuration
        self.maxFetches = maxFetches
    }
}

/// Run-level counters, updated on each commit.
struct RunCounters: Sendable {
    var tally = BatchTally()
    var newURLs = 0
    var queuedEstimate = 0
}

/// How a run ended and what it did.
public struct RunReport: Sendable {
    public var endReason: String
    public var fetched: Int
    public var errors: Int
    public var bytes: Int
    public var newURLs: Int
    /// URLs fetched successfully for the first time; revisits that changed; revisits that did not (304 or same hash); gone (404/410).
    public var newPages: Int
    public var changed: Int
    public var unchanged: Int
    public var gone: Int
    public var seconds: Double
    public var pagesPerSecond: Double { seconds > 0 ? Double(fetched) / seconds : 0 }

    init(counters: RunCounters, endReason: String, seconds: Double) {
        self.endReason = endReason
        fetched = counters.tally.fetched
        errors = counters.tally.errors
        bytes = counters.tally.bytes
        newURLs = counters.newURLs
        newPages = counters.tally.newPages
        changed = counters.tally.changed
        unchanged = counters.tally.unchanged
        gone = counters.tally.gone
        self.seconds = seconds
    }
}
