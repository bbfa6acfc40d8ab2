import Foundation
@testable import CrawlCore

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "crawl-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

func makeURL(_ string: String) -> CrawlURL {
    // Test inputs are literals known to be valid.
    try! CrawlURL(parsing: string)
}

func link(_ string: String, depth: Int = 1, kind: URLKind = .page) -> DiscoveredLink {
    let url = makeURL(string)
    return DiscoveredLink(url: url.string, origin: url.origin, kind: kind, depth: depth)
}

/// Runs `body` with a fresh store holding one job (seed `http://a.test/`) and the database's
/// path; closes the store afterwards, also when `body` throws.
func withStore(_ body: (SQLiteJobStore, String) async throws -> Void) async throws {
    let directory = TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.path + "/job.db"
    let store = try await SQLiteJobStore(path: path, mode: .create)
    _ = try await store.createJob(seeds: [makeURL("http://a.test/")], settings: CrawlSettings())
    do {
        try await body(store, path)
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}
