import Foundation

/// Tests/Fixtures/polite_server.py, running: the routes of a ``PoliteScenario`` served on a few
/// 127.0.0.x addresses and one shared port, and its request log. Stop it with ``stop()`` (in a `defer`).
final class PoliteServer: Sendable {
    let process: ChildProcess
    let port: Int
    let hosts: [String]
    let logPath: String
    let scenarioPath: String

    private struct StartupLine: Decodable {
        let port: Int
        let hosts: [String]
    }

    /// Writes `scenario`, starts the server on `hosts` in `directory` and waits for its startup
    /// line (at most 20 s). Placeholders such as `{origin}` and `{port}` in the scenario are
    /// filled in by the server, so routes may name the port before it is known.
    init(hosts: [String], scenario: PoliteScenario, in directory: String) async throws {
        logPath = directory + "/polite-requests.jsonl"
        scenarioPath = directory + "/scenario.json"
        try Self.write(scenario, to: scenarioPath)
        let arguments = ["--hosts", hosts.joined(separator: ","), "--port", "0", "--scenario", scenarioPath, "--log", logPath]
        let (process, startup) = try await ChildProcess.startFixtureServer(
            "polite_server.py", arguments, in: directory, name: "polite-server", within: 20
        ) { line in try JSONDecoder().decode(StartupLine.self, from: line) }
        self.port = startup.port
        self.hosts = startup.hosts
        self.process = process
    }

    func stop() {
        process.terminate()
    }

    /// `http://ADDR:PORT` of `host` (an address this server listens on).
    func origin(_ host: String) -> String { "http://\(host):\(port)" }

    /// `--allow-host ADDR:PORT` for each of `hosts`.
    func allow(_ hosts: [String]) -> [String] {
        hosts.flatMap { ["--allow-host", "\($0):\(port)"] }
    }

    /// Replaces the scenario: written beside, then renamed over the file, so the server never
    /// reads half of it. Applies from the server's next request.
    func update(_ scenario: PoliteScenario) throws {
        try Self.write(scenario, to: scenarioPath)
    }

    private static func write(_ scenario: PoliteScenario, to path: String) throws {
        let temporary = path + ".tmp"
        try JSONEncoder().encode(scenario).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw SetupError("cannot rename \(temporary): \(String(cString: strerror(errno)))")
        }
    }

    /// Every request logged so far, in arrival order (a line still being written is skipped).
    func requests() -> [PoliteRequest] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        let decoder = JSONDecoder()
        var requests: [PoliteRequest] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let request = try? decoder.decode(PoliteRequest.self, from: Data(line)) { requests.append(request) }
        }
        return requests.sorted { $0.t0 < $1.t0 }
    }

    /// The requests that arrived on `host`, in arrival order.
    func requests(on host: String) -> [PoliteRequest] {
        requests().filter { $0.addr == host }
    }

    /// Waits until the request log has not grown for `quiet` seconds (at most 5 s in all): a
    /// request is logged after its answer, which may come after the crawler has exited.
    func settle(quiet: Double = 0.2) async {
        await IntegrationEnvironment.waitUntilStill(logPath, quiet: quiet, seconds: 5, poll: .milliseconds(25))
    }
}

/// One line of polite_server.py's request log.
struct PoliteRequest: Decodable, Sendable, CustomStringConvertible {
    /// Unix seconds: the request's start (its connection's accept for the first request on a
    /// connection, else when its request line was read); its response written (or given up).
    let t0: Double
    let t1: Double
    /// When its request line was read: before the answer was sent (t1 may come after the
    /// client already has the answer, so "answered no later than" compares with this).
    let readAt: Double
    let addr: String
    let port: Int
    let method: String
    /// The request-target exactly as sent.
    let target: String
    /// The path, percent-decoded.
    let path: String
    /// This request's number among those for its address and target (1-based).
    let n: Int
    /// 0 when no response was sent (a reset or close action).
    let status: Int
    let headers: [String: String]
    let error: String?

    enum CodingKeys: String, CodingKey {
        case t0, t1, readAt = "read_at", addr, port, method, target, path, n, status, headers, error
    }

    var url: String { "http://\(addr):\(port)\(target)" }
    var isRobots: Bool { target == "/robots.txt" }

    var description: String {
        String(format: "%.3f–%.3f %@ %@ → %d", t0, t1, addr, target, status)
    }
}

extension [PoliteRequest] {
    /// How many requests had each target.
    var countsByTarget: [String: Int] {
        reduce(into: [:]) { $0[$1.target, default: 0] += 1 }
    }

    /// The requests for `target`, in arrival order.
    func to(_ target: String) -> [PoliteRequest] { filter { $0.target == target } }

    /// Seconds between consecutive request starts, with the two requests (the list in arrival order).
    var startGaps: [(gap: Double, from: PoliteRequest, to: PoliteRequest)] {
        zip(self, dropFirst()).map { ($1.t0 - $0.t0, $0, $1) }
    }

    /// A short listing for failure messages.
    var listing: String {
        let lines = map(\.description)
        return lines.count <= 40 ? lines.joined(separator: "\n")
            : (lines.prefix(40) + ["… \(lines.count - 40) more"]).joined(separator: "\n")
    }
}
