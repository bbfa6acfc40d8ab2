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

    func validate() throws {
        try options.validateRanges()
    }

    func run() async throws {
        let logger = CommandSupport.makeLogger(quiet: options.quiet)
        let store = try await SQLiteJobStore(path: database.db, mode: .open)
        let settings: CrawlSettings
        do {
            let job = try await store.loadJob()
            settings = options.applied(to: job.settings)
            if let message = settings.validationError() { throw ValidationError(message) }
            if settings != job.settings { try await store.updateSettings(settings) }
        } catch {
            await store.close()
            throw error
        }
        try await CommandSupport.runCrawl(store: store, settings: settings, command: "resume", logger: logger, quiet: options.quiet)
    }
}
