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
