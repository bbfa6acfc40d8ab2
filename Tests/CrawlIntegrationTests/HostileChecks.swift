import Foundation
import Testing

/// What a crawl of the hostile site must have done, read from its database rows and the server's
/// log, against the server's manifest. Each method records its own expectations.
struct HostileChecks {
    let manifest: HostileManifest
    let rows: [String: URLRow]
    let requests: [HostileRequest]

    /// Requests per URL (robots.txt included), from the server's log.
    private var requestCounts: [String: Int] {
        requests.reduce(into: [:]) { counts, request in
            if let url = request.url { counts[url, default: 0] += 1 }
        }
    }

    /// Every trap URL ends done, failed or skipped with the reason the manifest names.
    func expectEveryTrapEndedWithItsReason(sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, trap) in manifest.traps.sorted(by: { $0.key < $1.key }) {
            guard let row = rows[trap.url] else {
                Issue.record("\(name) (\(trap.what)): no row for \(Self.short(trap.url))", sourceLocation: sourceLocation)
                continue
            }
            let kind = row.errorKind ?? ""
            #expect(row.state == trap.state && trap.kinds.contains(kind), """
                \(name) (\(trap.what)): ended \(row.state)/\(kind.isEmpty ? "-" : kind), expected \
                \(trap.state)/\(trap.kinds.map { $0.isEmpty ? "-" : $0 }): \(row.error ?? "")
                """, sourceLocation: sourceLocation)
        }
    }

    /// The good pages beside the traps are all fetched, each exactly once.
    func expectGoodPagesFetchedOnce(sourceLocation: SourceLocation = #_sourceLocation) {
        let counts = requestCounts
        let notDone = manifest.good.filter { rows[$0]?.state != "done" }
        #expect(notDone.isEmpty, "good pages not done: \(Self.sample(notDone.map { "\($0) \(rows[$0]?.state ?? "no row")" }))",
                sourceLocation: sourceLocation)
        let notOnce = manifest.good.filter { counts[$0] != 1 }
        #expect(notOnce.isEmpty, "good pages not requested exactly once: \(Self.sample(notOnce.map { "\($0) ×\(counts[$0] ?? 0)" }))",
                sourceLocation: sourceLocation)
    }

    /// Only HTTP GETs reach the server (no ftp:, dict:, gopher: or other client ever connects),
    /// nothing too long is requested, and every hostile URL arrives as the server should see
    /// it: `%00` stays `%00`, a space is `%20`, a backslash `%5C`, dot segments are gone.
    func expectOnlyHTTPRequestsAsTheServerShouldSeeThem(sourceLocation: SourceLocation = #_sourceLocation) {
        let notHTTP = requests.filter { $0.target == nil || $0.method != "GET" }
        #expect(notHTTP.isEmpty, "connections that were not HTTP GETs: \(notHTTP.map { "\($0.addr) \($0.end) \($0.raw ?? "")" })",
                sourceLocation: sourceLocation)
        let counts = requestCounts
        let requested = manifest.never.filter { counts[$0] != nil }
        #expect(requested.isEmpty, "requested though it must never be: \(Self.sample(requested.map(Self.short)))",
                sourceLocation: sourceLocation)
        let main = manifest.hosts["main"] ?? ""
        for target in Set(manifest.targets.values).sorted() {
            #expect(counts[main + target] == 1,
                    "\(target) requested \(counts[main + target] ?? 0) times; targets seen under /u/ and /etc/: \(hostileTargets())",
                    sourceLocation: sourceLocation)
        }
    }

    private func hostileTargets() -> [String] {
        requests.compactMap(\.target).filter { ($0.hasPrefix("/u/") || $0.contains("passwd")) && $0.utf8.count < 200 }.sorted()
    }

    /// One URL written 20 equivalent ways is one row and one request.
    func expectOneURLSpelledTwentyWaysFetchedOnce(sourceLocation: SourceLocation = #_sourceLocation) {
        let target = manifest.spelled.target
        let main = manifest.hosts["main"] ?? ""
        #expect(manifest.spelled.spellings.count == 20, sourceLocation: sourceLocation)
        let hits = requests.filter { $0.origin == main && $0.target == target }.count
        #expect(hits == 1, "\(target) requested \(hits) times", sourceLocation: sourceLocation)
        let variants = rows.keys.filter { $0.hasPrefix(main) && $0.contains("page") && $0.contains("same") }
        #expect(variants == [main + target], "rows for the spelled URL: \(variants.sorted())", sourceLocation: sourceLocation)
    }

    /// The infinite space, the calendar and the pagination each stop at the per-host page cap:
    /// exactly `cap` requests there (robots.txt aside), and everything beyond is a skipped row
    /// that says why.
    func expectTrapHostsStoppedAtTheCap(_ cap: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, origin) in manifest.trapHosts.sorted(by: { $0.key < $1.key }) {
            let sent = requests.filter { $0.origin == origin && !$0.isRobots }.count
            #expect(sent == cap, "\(name): \(sent) requests, the cap is \(cap)", sourceLocation: sourceLocation)
            let hostRows = rows.values.filter { $0.url.hasPrefix(origin + "/") }
            let done = hostRows.filter { $0.state == "done" }.count
            let skipped = hostRows.filter { $0.state == "skipped" }
            let otherReasons = Set(skipped.compactMap(\.errorKind)).subtracting(["max_pages_per_host"])
            #expect(done == cap && !skipped.isEmpty && otherReasons.isEmpty, """
                \(name): \(done) done, \(skipped.count) skipped (other reasons: \(otherReasons.sorted())), \
                \(hostRows.count - done - skipped.count) in other states
                """, sourceLocation: sourceLocation)
        }
        let main = manifest.hosts["main"] ?? ""
        let capped = rows.values.filter { $0.url.hasPrefix(main + "/") && $0.errorKind == "max_pages_per_host" }.map(\.url)
        #expect(capped.isEmpty, "the main host reached the cap: \(Self.sample(capped))", sourceLocation: sourceLocation)
    }

    /// The oversized answers (a multi-GiB body, with and without a length; a gzip bomb; a
    /// 50 MB image) were cut: crawl hung up long before the server had sent them.
    func expectOversizedAnswersCutShort(sourceLocation: SourceLocation = #_sourceLocation) {
        for name in ["huge_length", "huge_stream", "gzip_bomb", "image_as_html"] {
            guard let url = manifest.traps[name]?.url else {
                Issue.record("no trap \(name) in the manifest", sourceLocation: sourceLocation)
                continue
            }
            let answers = requests.filter { $0.url == url }
            #expect(!answers.isEmpty && answers.allSatisfy { $0.end == "client_gone" }, """
                \(name): \(answers.map { "\($0.end), \($0.bytes) bytes sent" })
                """, sourceLocation: sourceLocation)
        }
    }

    /// A few items of a long list, for failure messages.
    static func sample(_ items: [String]) -> String {
        let sorted = items.sorted().map(short)
        return sorted.count <= 10 ? "\(sorted)" : "\(Array(sorted.prefix(10))) … \(sorted.count - 10) more"
    }

    /// URLs of 8 and 64 KiB are cut for messages.
    static func short(_ url: String) -> String {
        url.utf8.count <= 160 ? url : String(url.prefix(150)) + "…(\(url.utf8.count) bytes)"
    }
}
