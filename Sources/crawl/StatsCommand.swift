import ArgumentParser
import CrawlCore
import Foundation

/// `crawl stats`: counts from the database; needs no lock and works while a run is going.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what the job in --db has done: URLs by state, status and error, what is due, run history.",
        discussion: "Reads through its own read-only connection: no lock, safe while a crawl runs.")

    @OptionGroup var database: DatabaseOptions

    @Flag(name: .long, help: "Print one JSON object (keys documented in README.md).")
    var json = false

    @Flag(name: .long, help: "Add a per-host table: fetched, errors, queued, robots, backoff.")
    var hosts = false

    @Option(name: .long, help: "How many recent runs to list.")
    var runs: Int = 10

    func validate() throws {
        if runs < 0 { throw ValidationError("--runs must not be negative") }
    }

    func run() async throws {
        let stats = try SQLiteJobStore.readStats(path: database.db, historyLimit: runs, withHosts: hosts)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(stats) + Data("\n".utf8))
        } else {
            print(StatsRenderer.render(stats))
        }
    }
}

/// The human form of `crawl stats`.
enum StatsRenderer {
    static func render(_ stats: CrawlStats) -> String {
        let u = stats.urls
        var lines = [
            "urls      total \(u.total)  queued \(u.queued)  in_flight \(u.inFlight)  done \(u.done)  failed \(u.failed)  skipped \(u.skipped)",
            "status    " + list(stats.status, numeric: true),
            "errors    " + list(stats.errors, numeric: false),
            "skipped   " + list(stats.skipped, numeric: false),
            "bytes     \(stats.bytes) (\(ByteCount.format(stats.bytes)))",
            "hosts     \(stats.hosts)",
            "due       queued now \(stats.due.queuedNow)  revisit now \(stats.due.revisitNow)  "
                + "within 1h \(stats.due.revisitNextHour)  within 1d \(stats.due.revisitNextDay)",
            "runs      \(stats.runs)",
        ]
        if !stats.runHistory.isEmpty {
            lines.append("")
            lines.append(row(["run", "command", "started (UTC)", "seconds", "ended", "fetched", "new", "changed", "unchanged", "gone", "errors", "pages/s"]))
            for run in stats.runHistory {
                lines.append(row([
                    "#\(run.id)", run.command, timestamp(run.startedAt), run.durationSeconds.map { String(format: "%.1f", $0) } ?? "-",
                    run.endReason ?? "running", "\(run.fetched)", "\(run.newPages)", "\(run.changed)", "\(run.unchanged)",
                    "\(run.gone)", "\(run.errors)", run.pagesPerSecond.map { String(format: "%.1f", $0) } ?? "-",
                ]))
            }
        }
        if let hosts = stats.hostTable {
            lines.append("")
            lines.append(row(["host", "fetched", "errors", "queued", "robots", "backoff ms", "error streak", "sitemaps"], first: 32))
            for host in hosts {
                lines.append(row([host.origin, "\(host.fetched)", "\(host.errors)", "\(host.queued)", host.robots,
                                  "\(host.backoffMS)", "\(host.errorStreak)", "\(host.sitemaps.count)"], first: 32))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ cells: [String], first: Int = 6) -> String {
        cells.enumerated().map { index, cell in
            let width = index == 0 ? first : (index == 2 && first == 6 ? 19 : max(8, cell.count))
            return cell.padding(toLength: max(width, cell.count), withPad: " ", startingAt: 0)
        }.joined(separator: " ").trimmingCharacters(in: .whitespaces)
    }

    private static func timestamp(_ seconds: Double) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    private static func list(_ counts: [String: Int], numeric: Bool) -> String {
        if counts.isEmpty { return "-" }
        let keys = counts.keys.sorted { numeric ? (Int($0) ?? 0) < (Int($1) ?? 0) : counts[$0]! > counts[$1]! }
        return keys.map { "\($0): \(counts[$0]!)" }.joined(separator: "  ")
    }
}
