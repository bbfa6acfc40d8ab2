import Foundation

/// Tests/Fixtures/site_server.py, running: a deterministic site on 127.0.0.<firstIP>… and one
/// shared port, its manifest, and its request log. Stop it with ``stop()`` (in a `defer`).
final class FixtureServer: Sendable {
    let process: ChildProcess
    let port: Int
    let hosts: [String]
    let seed: String
    let manifest: SiteManifest
    let logPath: String
    /// The `--mutations` file the server re-reads on every request (see FixtureServer+Mutations).
    let mutationsPath: String

    struct Options: Sendable {
        var hosts = 2
        var firstIP: Int
        var pages = 20
        var images = 6
        /// Text paragraphs per page: about 290 bytes each (page weight).
        var paragraphs = 4
        var delayMS = 0
        var slowSleep = 0.2
        var seedRandom = 1
    }

    struct StartupLine: Decodable {
        let port: Int
        let hosts: [String]
        let seed: String
    }

    /// Starts the server in `directory` and waits for its startup line (at most 20 s).
    init(_ options: Options, in directory: String) async throws {
        logPath = directory + "/requests.jsonl"
        let manifestPath = directory + "/manifest.json"
        mutationsPath = directory + "/mutations.json"
        let arguments = [
            "--hosts", "\(options.hosts)", "--first-ip", "\(options.firstIP)", "--port", "0",
            "--pages", "\(options.pages)", "--images", "\(options.images)",
            "--paragraphs", "\(options.paragraphs)", "--delay-ms", "\(options.delayMS)",
            "--slow-sleep", "\(options.slowSleep)", "--seed-random", "\(options.seedRandom)",
            "--log", logPath, "--manifest", manifestPath, "--mutations", mutationsPath,
        ]
        let (process, (startup, manifest)) = try await ChildProcess.startFixtureServer(
            "site_server.py", arguments, in: directory, name: "site-server", within: 20
        ) { line in (try JSONDecoder().decode(StartupLine.self, from: line), try SiteManifest.load(manifestPath)) }
        self.process = process
        self.port = startup.port
        self.hosts = startup.hosts
        self.seed = startup.seed
        self.manifest = manifest
    }

    func stop() {
        process.terminate()
    }

    /// `--allow-host` for every served host but the seed's.
    var allowOtherHosts: [String] {
        hosts.dropFirst().flatMap { ["--allow-host", $0] }
    }

    /// Every request logged so far (a line still being written is skipped).
    func requests() -> [LoggedRequest] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        let decoder = JSONDecoder()
        var requests: [LoggedRequest] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let request = try? decoder.decode(LoggedRequest.self, from: Data(line)) { requests.append(request) }
        }
        return requests
    }

    /// How many requests the log holds (cheap: counts newlines with memchr, since it is polled
    /// every few milliseconds and debug builds make a per-byte loop slow).
    func requestCount() -> Int {
        guard let data = FileManager.default.contents(atPath: logPath) else { return 0 }
        return data.withUnsafeBytes { raw -> Int in
            guard var cursor = raw.baseAddress else { return 0 }
            let end = cursor + raw.count
            var lines = 0
            while cursor < end, let newline = memchr(cursor, Int32(UInt8(ascii: "\n")), end - cursor) {
                lines += 1
                cursor = UnsafeRawPointer(newline) + 1
            }
            return lines
        }
    }

    /// Sends SIGKILL to `process` as soon as the log holds `count` requests. The log is watched
    /// from a thread of its own, so a cooperative pool kept busy by other tests cannot delay the
    /// kill while the crawl runs on. Returns the count when the signal went, or, if the process
    /// ended by itself or `seconds` passed first, the count then (and nothing is sent).
    func kill(_ process: ChildProcess, atRequests count: Int, seconds: Double) async -> Int {
        await withCheckedContinuation { continuation in
            let watcher = Thread { [self] in
                let deadline = Date().addingTimeInterval(seconds)
                var now = requestCount()
                while now < count && process.exited == nil && Date() < deadline {
                    usleep(2_000)
                    now = requestCount()
                }
                if now >= count { process.send(SIGKILL) }
                continuation.resume(returning: now)
            }
            watcher.start()
        }
    }

    /// Waits until the log holds at least `count` requests, or `process` ends, or `seconds` pass.
    /// Returns the count reached.
    func waitForRequests(_ count: Int, while process: ChildProcess, seconds: Double) async -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let now = requestCount()
            if now >= count || process.exited != nil { return now }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return requestCount()
    }
}
