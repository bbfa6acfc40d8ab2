import ArgumentParser
import CrawlCore
import Foundation

/// `crawl stats`: counts from the database; needs no lock and works while a run is going.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what the job in --db has done: URLs by state, status and error, bytes, hosts, last run.")

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Print one JSON object (keys documented in README.md).")
    var json = false

    func run() async throws {
        let stats = try SQLiteJobStore.readStats(path: database.db)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(stats) + Data("\n".utf8))
        } else {
            print(Self.render(stats))
        }
    }

    static func render(_ stats: CrawlStats) -> String {
        let u = stats.urls
        var lines = [
            "urls      total \(u.total)  queued \(u.queued)  in_flight \(u.inFlight)  done \(u.done)  failed \(u.failed)  skipped \(u.skipped)",
            "status    " + Self.list(stats.status, numeric: true),
            "errors    " + Self.list(stats.errors, numeric: false),
            "skipped   " + Self.list(stats.skipped, numeric: false),
            "bytes     \(stats.bytes)",
            "hosts     \(stats.hosts)",
            "runs      \(stats.runs)",
        ]
        if let run = stats.lastRun {
            var line = "last run  #\(run.id) \(run.command), \(run.endReason ?? "running")"
            if let duration = run.durationSeconds { line += String(format: ", %.2f s", duration) }
            line += ", fetched \(run.fetched), new URLs \(run.newURLs), errors \(run.errors)"
            if let rate = run.pagesPerSecond { line += String(format: ", %.1f pages/s", rate) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private static func list(_ counts: [String: Int], numeric: Bool) -> String {
        if counts.isEmpty { return "-" }
        let keys = counts.keys.sorted { numeric ? (Int($0) ?? 0) < (Int($1) ?? 0) : counts[$0]! > counts[$1]! }
        return keys.map { "\($0): \(counts[$0]!)" }.joined(separator: "  ")
    }
}
