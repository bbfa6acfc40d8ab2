import Foundation
import Testing

/// What the run-level tests (lock, budgets, signals, recrawl, log file) read back after a run.
enum RunChecks {
    /// `runs.end_reason` of every run, oldest first ("NULL" for a run still going).
    static func endReasons(_ db: String) throws -> [String] {
        try CrawlDatabase.column(db, "SELECT coalesce(end_reason, 'NULL') FROM runs ORDER BY id")
    }

    /// `crawl stats --json`'s `run_history[0]` (the newest run).
    static func latestRun(_ stats: [String: Any]) throws -> [String: Any] {
        guard let history = stats["run_history"] as? [[String: Any]], let latest = history.first else {
            throw SetupError("crawl stats --json has no run_history: \(stats.keys.sorted())")
        }
        return latest
    }

    /// The figures of the one summary line every run logs:
    /// "run ended (<reason>): fetched N, new N, changed N, unchanged N, gone N, errors N, ...".
    struct Summary: Equatable, CustomStringConvertible {
        var reason: String
        var fetched, new, changed, unchanged, gone, errors: Int

        /// The summary line among `lines`; nil if there is none.
        init?(in lines: [String]) {
            guard let line = lines.last(where: { $0.contains("run ended (") }) else { return nil }
            let pattern = #/run ended \((\w+)\): fetched (\d+), new (\d+), changed (\d+), unchanged (\d+), gone (\d+), errors (\d+)/#
            guard let match = line.firstMatch(of: pattern) else { return nil }
            reason = String(match.1)
            fetched = Int(match.2)!
            new = Int(match.3)!
            changed = Int(match.4)!
            unchanged = Int(match.5)!
            gone = Int(match.6)!
            errors = Int(match.7)!
        }

        /// The same figures from a `run_history` entry of `crawl stats --json`.
        init(run: [String: Any]) {
            reason = run["end_reason"] as? String ?? "NULL"
            fetched = run.int("fetched") ?? -1
            new = run.int("new") ?? -1
            changed = run.int("changed") ?? -1
            unchanged = run.int("unchanged") ?? -1
            gone = run.int("gone") ?? -1
            errors = run.int("errors") ?? -1
        }

        var description: String {
            "\(reason): fetched \(fetched), new \(new), changed \(changed), unchanged \(unchanged), gone \(gone), errors \(errors)"
        }
    }

    /// Lines of a text file (empty if it does not exist).
    static func lines(of path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// URLs the server answered in `requests` (robots.txt and answers the client never took
    /// excluded) whose row is neither done nor failed: fetched, but the result was not committed.
    static func uncommitted(_ requests: [LoggedRequest], rows: [String: URLRow]) -> [String] {
        requests.filter { !$0.isRobots && $0.error == nil }.map(\.url).filter { url in
            guard let row = rows[url] else { return true }
            return row.state != "done" && row.state != "failed"
        }.sorted()
    }
}
