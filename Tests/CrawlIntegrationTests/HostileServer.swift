import Foundation

/// Tests/Fixtures/hostile_server.py, running: the hostile site on four 127.0.0.x addresses and
/// one shared port, its manifest (what a correct crawler must do) and its request log. Stop it
/// with ``stop()`` (in a `defer`).
final class HostileServer: Sendable {
    let process: ChildProcess
    let port: Int
    let hosts: [String]
    let manifest: HostileManifest
    let logPath: String

    private struct StartupLine: Decodable {
        let port: Int
        let hosts: [String]
    }

    /// Starts the server in `directory` on `hosts` (main, space, cal, pages) and waits for its
    /// startup line (at most 30 s: it builds the gzip bomb's blocks first). `extra` is passed on
    /// (`--good N`, `--image-bytes N`, ...).
    init(hosts: [String], in directory: String, extra: [String] = []) async throws {
        logPath = directory + "/hostile-requests.jsonl"
        let manifestPath = directory + "/hostile-manifest.json"
        let arguments = ["--hosts", hosts.joined(separator: ","), "--port", "0", "--log", logPath, "--manifest", manifestPath] + extra
        let (process, (startup, manifest)) = try await ChildProcess.startFixtureServer(
            "hostile_server.py", arguments, in: directory, name: "hostile-server", within: 30
        ) { line in
            (try JSONDecoder().decode(StartupLine.self, from: line),
             try JSONDecoder().decode(HostileManifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifestPath))))
        }
        self.process = process
        port = startup.port
        self.hosts = startup.hosts
        self.manifest = manifest
    }

    func stop() {
        process.terminate()
    }

    /// `--allow-host ADDR:PORT` for every host but the seed's.
    var allowOtherHosts: [String] {
        hosts.dropFirst().flatMap { ["--allow-host", "\($0):\(port)"] }
    }

    /// Every exchange logged so far (a line still being written is skipped).
    func requests() -> [HostileRequest] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(HostileRequest.self, from: Data($0)) }
    }

    /// Waits until every connection the crawler opened has been logged: the server logs an
    /// exchange when it ends, and a dripping or hanging answer ends only once it notices that
    /// the client left (within a second). Returns when the log has not grown for `quiet` seconds
    /// (at most `seconds` in all).
    func settle(quiet: Double = 1.5, seconds: Double = 15) async {
        await IntegrationEnvironment.waitUntilStill(logPath, quiet: quiet, seconds: seconds, poll: .milliseconds(50))
    }
}

/// One line of hostile_server.py's log: one connection's exchange.
struct HostileRequest: Decodable, Sendable {
    let t0: Double
    let t1: Double
    let addr: String
    let port: Int
    /// The raw request-target, or nil when the first line was not an HTTP request.
    let target: String?
    let method: String?
    /// The first bytes of a connection that did not speak HTTP ("" when it sent nothing).
    let raw: String?
    let route: String?
    let status: Int
    /// Body bytes written (whole or partial).
    let bytes: Int
    /// "complete", "client_gone", "reset", "closed", "not_http" or "silent".
    let end: String

    var origin: String { "http://\(addr):\(port)" }
    var url: String? { target.map { origin + $0 } }
    var isRobots: Bool { target == "/robots.txt" }
}
