import ArgumentParser
import CrawlCore
import Foundation

/// `crawl start URL...`: creates the job in `--db` and runs it.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Create a crawl job from seed URLs and run it.",
        discussion: "The job (seeds and settings) is stored in --db. If it already holds a job, use `crawl resume`.")

    @Argument(help: "Seed URLs (http or https). Their hosts are in scope.")
    var urls: [String]

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: CrawlOptions
    @OptionGroup var run: RunOptions

    func validate() throws {
        if urls.isEmpty { throw ValidationError("give at least one seed URL") }
        _ = try seeds()
        try options.validateRanges()
    }

    func seeds() throws -> [CrawlURL] {
        try urls.map { text in
            do {
                return try CrawlURL(parsing: text)
            } catch {
                throw ValidationError("invalid seed URL '\(text)': \(error)")
            }
        }
    }

    func run() async throws {
        let seeds = try seeds()
        var settings = CrawlSettings()
        settings.outputDirectory = CrawlOptions.absolutePath("crawl-data")
        settings.allowedHosts = []
        for seed in seeds where !settings.allowedHosts.contains(seed.host) { settings.allowedHosts.append(seed.host) }
        settings = options.applied(to: settings)
        let lock = try CommandSupport.lock(database: database.db)
        defer { lock.release() }
        let (logger, hangup) = try CommandSupport.makeLogger(options: options)
        defer { hangup?.cancel() }
        _ = try BodyStore(root: settings.outputDirectory)  // a bad --out fails before a job exists
        if let warc = settings.warcDirectory {
            try BodyStore.makeDirectories(warc)  // the same for --warc
            if let existing = WarcFileName.list(in: warc).first {
                throw WarcError.directoryInUse(path: warc, example: existing.name)
            }
        }
        let store = try await SQLiteJobStore(path: database.db, mode: .create)
        do {
            _ = try await store.createJob(seeds: seeds, settings: settings)
        } catch {
            await store.close()
            throw error
        }
        logger.info("job created in \(database.db): \(seeds.count) seed(s), hosts \(settings.allowedHosts.joined(separator: " "))")
        try await CommandSupport.runCrawl(
            store: store, settings: settings, command: "start", logger: logger, options: options, budget: run.budget)
    }
}
