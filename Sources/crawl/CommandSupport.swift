import ArgumentParser
import CrawlCore
import Foundation
import Logging

/// What `start` and `resume` share: the run lock, logging, signals, running the crawler, the
/// summary line.
enum CommandSupport {
    /// EX_TEMPFAIL: another run holds the database; cron wrappers read it as "try later".
    static let lockedExitCode: Int32 = 75
    /// EX_IOERR: the disk holding `--out` or the database is full, over quota, or at the file size
    /// limit. The run stopped cleanly and lost nothing; `crawl resume` continues once space is freed.
    static let diskFullExitCode: Int32 = 74

    /// Whether `error` means "no space left" (ENOSPC, EDQUOT, EFBIG, SQLITE_FULL) rather than a bug
    /// or a bad input.
    static func isDiskFull(_ error: Error) -> Bool {
        switch error {
        case let error as CrawlError: return error.isDiskFull
        case let error as StoreError: return error.isDiskFull
        case let error as BodyStore.Failure: return error.isDiskFull
        case let error as WarcError: return error.isDiskFull
        default: return false
        }
    }

    /// Takes the database's run lock, or prints who holds it and exits 75.
    static func lock(database: String) throws -> RunLock {
        do {
            return try RunLock(databasePath: database)
        } catch .held(let db, let holder) {
            FileHandle.standardError.write(Data("crawl: \(RunLock.Failure.held(database: db, holder: holder))\n".utf8))
            throw ExitCode(lockedExitCode)
        } catch {
            throw error
        }
    }

    /// Logs to stderr, or to `--log-file` (reopened on SIGHUP). `--quiet` keeps warnings, errors
    /// and the summary line (logged at `notice`).
    static func makeLogger(options: CrawlOptions) throws -> (Logger, SignalHandler?) {
        let level: Logger.Level = options.quiet ? .notice : .info
        var hangup: SignalHandler?
        if let path = options.logFile {
            let file = try LogFile(path: CrawlOptions.absolutePath(path))
            LoggingSystem.bootstrap { label in
                var handler = FileLogHandler(file: file, label: label)
                handler.logLevel = level
                return handler
            }
            hangup = SignalHandler(signals: [SIGHUP]) { _ in try? file.reopen() }
        } else {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        return (Logger(label: "crawl"), hangup)
    }

    /// Runs the crawl; SIGINT/SIGTERM stop it gracefully (a second signal exits at once).
    static func runCrawl(store: SQLiteJobStore, settings: CrawlSettings, command: String, logger: Logger,
                         options: CrawlOptions, budget: RunBudget) async throws {
        let progress: ProgressMode = options.quiet ? .none : (options.logFile != nil ? .logLines(every: 5) : .automatic)
        let crawler = Crawler(
            store: store, settings: settings, command: command, logger: logger, progress: progress, budget: budget)
        let firstSignal = Atomic32()
        let signals = SignalHandler(signals: [SIGINT, SIGTERM]) { signal in
            if firstSignal.exchange(signal) != 0 { _exit(128 + signal) }
            logger.warning("received signal \(signal): finishing in-flight transfers (send it again to stop at once)")
            crawler.requestStop(reason: "signal")
        }
        defer { signals.cancel() }
        let report: RunReport
        do {
            report = try await crawler.run()
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        logger.notice("\(summary(report))")
        let received = firstSignal.load()
        if received != 0 { throw ExitCode(128 + received) }
    }

    /// The one line a run ends with (also what cron mails).
    static func summary(_ report: RunReport) -> String {
        String(
            format: "run ended (%@): fetched %d, new %d, changed %d, unchanged %d, gone %d, errors %d, new URLs %d, %@ in %.2f s (%.1f pages/s)",
            report.endReason, report.fetched, report.newPages, report.changed, report.unchanged, report.gone, report.errors,
            report.newURLs, ByteCount.format(report.bytes), report.seconds, report.pagesPerSecond)
    }
}

/// Handles the given signals on a dispatch queue (outside Swift concurrency) until cancelled.
final class SignalHandler: @unchecked Sendable {
    // @unchecked Sendable: `sources` is set once in init and only read in cancel().
    private var sources: [DispatchSourceSignal] = []

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A lock-protected Int32 for dispatch-source handlers.
final class Atomic32: @unchecked Sendable {
    // @unchecked Sendable: `value` is only accessed with `lock` held.
    private let lock = NSLock()
    private var value: Int32 = 0

    func exchange(_ newValue: Int32) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        let old = value
        value = newValue
        return old
    }

    func load() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
