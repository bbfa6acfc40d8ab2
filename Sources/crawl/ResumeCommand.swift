import ArgumentParser
import CrawlCore
import Foundation

/// `crawl resume`: continues the job stored in `--db`.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue the crawl job stored in --db.",
        discussion: """
            URLs left in flight by an interrupted run (Ctrl-C, crash, kill -9) are queued again; nothing \
            done is fetched again. Options given here replace the stored ones for this and later runs.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: CrawlOptions
    @OptionGroup var run: RunOptions

    func validate() throws {
        try options.validateRanges()
    }

    func run() async throws {
        // No job here: say so without leaving a lock file behind.
        guard FileManager.default.fileExists(atPath: database.db) else { throw StoreError.noJob(path: database.db) }
        let lock = try CommandSupport.lock(database: database.db)
        defer { lock.release() }
        let (logger, hangup) = try CommandSupport.makeLogger(options: options)
        defer { hangup?.cancel() }
        let store = try await SQLiteJobStore(path: database.db, mode: .open)
        let settings: CrawlSettings
        do {
            let job = try await store.loadJob()
            settings = options.applied(to: job.settings)
            if settings.warcDirectory != job.settings.warcDirectory {
                throw ValidationError(job.settings.warcDirectory.map { "--warc is set when a job starts; this job writes WARC files to \($0)" }
                    ?? "--warc is set when a job starts; this job writes no WARC files (start a new job with --warc)")
            }
            if let message = settings.validationError() { throw ValidationError(message) }
            if settings != job.settings { try await store.updateSettings(settings) }
        } catch {
            await store.close()
            throw error
        }
        try await CommandSupport.runCrawl(
            store: store, settings: settings, command: "resume", logger: logger, options: options, budget: run.budget)
    }
}
