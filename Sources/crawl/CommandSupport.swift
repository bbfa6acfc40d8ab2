import ArgumentParser
import CrawlCore
import Foundation
import Logging

/// What `start` and `resume` share: logging, signals, running the crawler, the summary line.
enum CommandSupport {
    static func makeLogger(quiet: Bool) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = quiet ? .warning : .info
            return handler
        }
        return Logger(label: "crawl")
    }

    /// Runs the crawl; SIGINT/SIGTERM stop it gracefully (a second signal exits at once).
    static func runCrawl(store: SQLiteJobStore, settings: CrawlSettings, command: String, logger: Logger, quiet: Bool) async throws {
        let crawler = Crawler(
            store: store, settings: settings, command: command, logger: logger,
            progress: quiet ? .none : .automatic)
        let signals = SignalHandler { signal in
            logger.warning("received signal \(signal): finishing in-flight transfers (send it again to stop at once)")
            crawler.requestStop()
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
        logger.info("""
            run ended (\(report.endReason)): fetched \(report.fetched), new URLs \(report.newURLs), errors \(report.errors), \
            \(report.bytes) bytes in \(String(format: "%.2f", report.seconds)) s (\(String(format: "%.1f", report.pagesPerSecond)) pages/s)
            """)
        if let received = signals.received { throw ExitCode(128 + received) }
    }
}

/// SIGINT and SIGTERM: the first calls `onFirst`; the second exits the process at once (the store
/// is safe at any instant, as after kill -9).
final class SignalHandler: @unchecked Sendable {
    // @unchecked Sendable: `sources` is set once in init and only read in cancel(); `firstSignal` is atomic.
    private var sources: [DispatchSourceSignal] = []
    private let firstSignal = ManagedAtomicInt()

    init(onFirst: @escaping @Sendable (Int32) -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [firstSignal] in
                if firstSignal.exchange(signalNumber) != 0 {
                    _exit(128 + signalNumber)
                }
                onFirst(signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    var received: Int32? {
        let value = firstSignal.load()
        return value == 0 ? nil : value
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

/// A tiny lock-protected integer (DispatchSource handlers are not in Swift concurrency).
final class ManagedAtomicInt: @unchecked Sendable {
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
