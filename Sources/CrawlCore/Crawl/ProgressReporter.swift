import Foundation
import Logging
import Synchronization

/// How a run shows progress.
public enum ProgressMode: Sendable {
    /// A status line rewritten in place on stderr (a terminal).
    case statusLine
    /// A log line every few seconds (cron, pipes, files).
    case logLines(every: Double)
    case none

    /// The status line on a terminal, log lines otherwise.
    public static var automatic: ProgressMode {
        isatty(STDERR_FILENO) != 0 ? .statusLine : .logLines(every: 5)
    }
}

/// Prints progress until stopped: fetched, queued, rate, errors.
final class ProgressReporter: Sendable {
    let mode: ProgressMode
    let logger: Logger
    private let stopped = Atomic<Bool>(false)

    init(mode: ProgressMode, logger: Logger) {
        self.mode = mode
        self.logger = logger
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func run(crawler: Crawler, scheduler: Scheduler, startedAt: Double) async {
        let interval: Double
        switch mode {
        case .none: return
        case .statusLine: interval = 1
        case let .logLines(every): interval = every
        }
        var lastFetched = 0
        var lastTime = startedAt
        while !stopped.load(ordering: .relaxed) {
            var slept = 0.0
            while slept < interval && !stopped.load(ordering: .relaxed) {
                try? await Task.sleep(nanoseconds: 100_000_000)
                slept += 0.1
            }
            let now = MonotonicClock.now
            let counters = crawler.counters.withLock { $0 }
            let snapshot = scheduler.snapshot
            let rate = Double(counters.tally.fetched - lastFetched) / max(0.001, now - lastTime)
            lastFetched = counters.tally.fetched
            lastTime = now
            let line = String(
                format: "fetched %d  queued %d  in flight %d  %.0f/s  errors %d  %@",
                counters.tally.fetched, max(0, counters.queuedEstimate), snapshot.inFlight, rate, counters.tally.errors,
                ByteCount.format(counters.tally.bytes))
            if stopped.load(ordering: .relaxed) { break }
            switch mode {
            case .statusLine:
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            case .logLines:
                logger.info("\(line)")
            case .none:
                break
            }
        }
        if case .statusLine = mode { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
