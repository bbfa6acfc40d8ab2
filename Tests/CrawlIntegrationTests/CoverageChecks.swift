import Foundation
import Testing

@testable import CrawlCore

/// A short, readable list for expectation messages.
func sample(_ items: [String], _ limit: Int = 8) -> String {
    items.isEmpty ? "none" : "\(items.count): " + items.prefix(limit).joined(separator: ", ") + (items.count > limit ? ", …" : "")
}

/// The checks shared by every crawl that must cover the whole site.
enum CoverageChecks {
    /// Every URL of `once` requested exactly once, nothing of `never` requested, nothing else
    /// requested but URLs of `optional` (at most once).
    static func expectRequests(
        _ audit: CrawlAudit, once: Set<String>, never: Set<String>, optional: Set<String> = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(audit.notRequested(once).isEmpty, "never requested: \(sample(audit.notRequested(once)))",
                sourceLocation: sourceLocation)
        #expect(audit.requestedMoreThanOnce(once).isEmpty,
                "requested more than once: \(sample(audit.requestedMoreThanOnce(once)))", sourceLocation: sourceLocation)
        #expect(audit.requested(never).isEmpty, "must never be requested: \(sample(audit.requested(never)))",
                sourceLocation: sourceLocation)
        #expect(audit.requestedMoreThanOnce(optional).isEmpty,
                "requested more than once: \(sample(audit.requestedMoreThanOnce(optional)))", sourceLocation: sourceLocation)
        let outside = audit.outside(once.union(never).union(optional))
        #expect(outside.isEmpty, "requested but not in the manifest: \(sample(outside))", sourceLocation: sourceLocation)
    }

    /// The rows a crawl of the whole site leaves (robots obeyed, images fetched): every page,
    /// image and slow URL done 200; redirects done 301 with their target; missing failed 404;
    /// disallowed skipped for robots; no other row on the served hosts; nothing queued or in flight.
    static func expectRows(
        _ rows: [String: URLRow], manifest: SiteManifest, robotsObeyed: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var fetched200 = manifest.category("page").union(manifest.category("image")).union(manifest.category("slow"))
        if !robotsObeyed { fetched200.formUnion(manifest.category("disallowed")) }
        var wrong: [String] = []
        for url in fetched200 {
            guard let row = rows[url] else { wrong.append("\(url): no row"); continue }
            if row.state != "done" || row.status != 200 {
                wrong.append("\(url): \(row.state) \(row.status.map(String.init) ?? "-") \(row.errorKind ?? "")")
            }
        }
        for url in manifest.category("redirect") {
            guard let row = rows[url] else { wrong.append("\(url): no row"); continue }
            if row.state != "done" || row.status != 301 || row.redirectTo != manifest.redirects[url] {
                wrong.append("\(url): \(row.state) \(row.status.map(String.init) ?? "-") → \(row.redirectTo ?? "nil")")
            }
        }
        for url in manifest.category("missing") {
            guard let row = rows[url] else { wrong.append("\(url): no row"); continue }
            if row.state != "failed" || row.status != 404 {
                wrong.append("\(url): \(row.state) \(row.status.map(String.init) ?? "-") (want failed 404)")
            }
        }
        if robotsObeyed {
            for url in manifest.category("disallowed") {
                guard let row = rows[url] else { wrong.append("\(url): no row"); continue }
                if row.state != "skipped" || row.errorKind != "robots" {
                    wrong.append("\(url): \(row.state) \(row.errorKind ?? "") (want skipped robots)")
                }
            }
        }
        for url in manifest.category("image") where rows[url].map({ $0.kind != "image" }) ?? false {
            wrong.append("\(url): kind \(rows[url]!.kind) (want image)")
        }
        #expect(wrong.isEmpty, "rows not as expected: \(sample(wrong.sorted()))", sourceLocation: sourceLocation)

        let expected = fetched200.union(manifest.category("redirect")).union(manifest.category("missing"))
            .union(manifest.category("disallowed"))
        let extra = rows.keys.filter { url in
            !expected.contains(url) && manifest.origins.contains(where: { url.hasPrefix($0 + "/") })
        }.sorted()
        #expect(extra.isEmpty, "rows for URLs the site does not link: \(sample(extra))", sourceLocation: sourceLocation)
        let unfinished = rows.values.filter { $0.state == "queued" || $0.state == "in_flight" }.map { "\($0.url) \($0.state)" }
        #expect(unfinished.isEmpty, "rows left unfinished: \(sample(unfinished.sorted()))", sourceLocation: sourceLocation)
    }

    /// Every done 200 row has its body under `out` at `body_path`, whose SHA-256 is `content_hash`
    /// and the server's own hash of what it sent; no temp file is left in `out/tmp`.
    static func expectBodies(
        _ rows: [String: URLRow], out: String, manifest: SiteManifest,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var wrong: [String] = []
        var checked = 0
        for row in rows.values where row.state == "done" && row.status == 200 {
            guard let bodyPath = row.bodyPath, let hash = row.contentHash else {
                wrong.append("\(row.url): no body_path/content_hash")
                continue
            }
            guard let data = FileManager.default.contents(atPath: out + "/" + bodyPath) else {
                wrong.append("\(row.url): \(bodyPath) missing under --out")
                continue
            }
            checked += 1
            let onDisk = ContentHash.sha256Hex([UInt8](data))
            if onDisk != hash { wrong.append("\(row.url): file hash \(onDisk.prefix(12)) ≠ content_hash \(hash.prefix(12))") }
            if let served = manifest.sha256[row.url], served != hash {
                wrong.append("\(row.url): content_hash \(hash.prefix(12)) ≠ served \(served.prefix(12))")
            }
            if row.bytes != data.count { wrong.append("\(row.url): bytes \(row.bytes ?? -1) ≠ file size \(data.count)") }
        }
        #expect(checked > 0, "no done 200 rows to check", sourceLocation: sourceLocation)
        #expect(wrong.isEmpty, "bodies: \(sample(wrong.sorted()))", sourceLocation: sourceLocation)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: out + "/tmp")) ?? []
        #expect(leftovers.isEmpty, "files left in --out/tmp: \(sample(leftovers))", sourceLocation: sourceLocation)
    }

    /// `crawl stats --db D --json`, parsed.
    static func stats(_ runner: CrawlRunner, db: String) async throws -> [String: Any] {
        try stats(from: try await runner.run(["stats", "--db", db, "--json"], timeout: 30))
    }

    /// The object a `crawl stats --json` run printed, or a SetupError.
    static func stats(from result: CommandResult) throws -> [String: Any] {
        guard result.code == 0 else { throw SetupError("crawl stats failed: \(result)") }
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw SetupError("crawl stats --json printed no object: \(result.stdout)")
        }
        return object
    }
}

extension [String: Any] {
    /// `object["a"]["b"]` as an Int (nil if absent or not a number).
    func int(_ keys: String...) -> Int? {
        var current: Any? = self
        for key in keys { current = (current as? [String: Any])?[key] }
        return (current as? NSNumber)?.intValue
    }
}
