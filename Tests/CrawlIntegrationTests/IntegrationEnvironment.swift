import Foundation

/// Where the integration tests find the `crawl` binary, the fixture server and a scratch directory.
enum IntegrationEnvironment {
    /// The package root: three levels above this file (Tests/CrawlIntegrationTests/<file>).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Waits until the file at `path` has not changed size for `quiet` seconds (at most `seconds`
    /// in all), looking every `poll`: a server's request log, whose lines are written when each
    /// exchange ends.
    static func waitUntilStill(_ path: String, quiet: Double, seconds: Double, poll: Duration) async {
        let deadline = Date().addingTimeInterval(seconds)
        var size = -1
        var stableSince = Date()
        while Date() < deadline {
            let now = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            if now != size {
                size = now
                stableSince = Date()
            } else if Date().timeIntervalSince(stableSince) >= quiet {
                return
            }
            try? await Task.sleep(for: poll)
        }
    }

    /// The `crawl` binary: `$CRAWL_BIN`, else `crawl` beside the test bundle (the same build
    /// directory), else `.build/debug/crawl` in the package.
    static func crawlBinary() throws -> String {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["CRAWL_BIN"], !path.isEmpty {
            guard fm.isExecutableFile(atPath: path) else { throw SetupError("CRAWL_BIN=\(path) is not an executable file") }
            return path
        }
        var candidates: [String] = []
        if let first = ProcessInfo.processInfo.arguments.first {
            var url = URL(fileURLWithPath: first).resolvingSymlinksInPath()
            url.deleteLastPathComponent()
            candidates.append(url.path + "/crawl")
            // On some platforms the bundle's executable sits deeper (…/X.xctest/Contents/MacOS/X).
            for _ in 0..<3 {
                url.deleteLastPathComponent()
                candidates.append(url.path + "/crawl")
            }
        }
        candidates.append(packageRoot + "/.build/debug/crawl")
        for path in candidates where fm.isExecutableFile(atPath: path) {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue { return path }
        }
        throw SetupError("no crawl binary (tried \(candidates.joined(separator: ", "))); build it or set CRAWL_BIN")
    }

    /// python3 through env, so PATH decides (pyenv shims, /usr/bin).
    static let env = "/usr/bin/env"
}

/// A failure to set up a test (missing binary, server that does not start): not a crawler bug.
struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh directory for one test, removed by `remove()` unless `KEEP_CRAWL_TEST_DIRS` is set.
struct ScratchDirectory {
    let path: String

    init(_ name: String) throws {
        path = NSTemporaryDirectory() + "crawl-integration-\(name)-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        if ProcessInfo.processInfo.environment["KEEP_CRAWL_TEST_DIRS"] != nil { return }
        try? FileManager.default.removeItem(atPath: path)
    }

    var db: String { path + "/crawl.db" }
    var out: String { path + "/out" }
}

/// Runs `crawl` with arguments, in a scratch directory.
struct CrawlRunner {
    let binary: String
    let directory: String
    private static let counter = Counter()

    init(directory: String) throws {
        binary = try IntegrationEnvironment.crawlBinary()
        self.directory = directory
    }

    /// Runs to completion (killed after `timeout` seconds).
    func run(_ arguments: [String], timeout: Double = 60) async throws -> CommandResult {
        try await ChildProcess.run(binary, arguments, in: directory, name: "crawl-\(Self.counter.next())", timeout: timeout)
    }

    /// Starts without waiting (for kill tests).
    func launch(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(executable: binary, arguments: arguments, directory: directory, name: "crawl-\(Self.counter.next())")
    }

    final class Counter: @unchecked Sendable {
        // @unchecked Sendable: `value` is only touched with `lock` held.
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}
