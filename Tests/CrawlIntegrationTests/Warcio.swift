import Foundation

/// warcio (PyPI), the reference WARC reader the WARC tests check the crawler's files with:
/// `warcio check` (every record parses, every digest verifies) and `warcio index`.
///
/// Found as `.build/warcio-venv` (what `make deps` makes), or importable by python3; else
/// installed once, on first use, into `.build/warcio-venv`. The WARC tests skip only when that
/// installation fails because PyPI cannot be reached.
enum Warcio {
    enum Availability: Sendable {
        /// The command that runs warcio's CLI.
        case ready([String])
        /// pip could not reach PyPI: the tests that need warcio skip, saying so.
        case offline(String)
        /// Anything else: the tests fail with this.
        case broken(String)
    }

    static let venv = IntegrationEnvironment.packageRoot + "/.build/warcio-venv"

    private static let setup = Task<Availability, Never> { await locateOrInstall() }

    static var availability: Availability { get async { await setup.value } }

    /// False only when warcio is missing and PyPI is unreachable (the trait that skips the WARC tests).
    static func reachable() async -> Bool {
        if case .offline = await availability { return false }
        return true
    }

    /// The warcio command, or a setup error naming what failed.
    static func command() async throws -> [String] {
        switch await availability {
        case let .ready(command): return command
        case let .offline(reason), let .broken(reason): throw SetupError("warcio unavailable: \(reason)")
        }
    }

    private static func locateOrInstall() async -> Availability {
        let python = venv + "/bin/python"
        if await succeeds([python, "-c", "import warcio"]) { return .ready([python, "-m", "warcio.cli"]) }
        if await succeeds([IntegrationEnvironment.env, "python3", "-c", "import warcio"]) {
            return .ready([IntegrationEnvironment.env, "python3", "-m", "warcio.cli"])
        }
        let created = try? await run([IntegrationEnvironment.env, "python3", "-m", "venv", venv], timeout: 120)
        guard created?.code == 0 else { return .broken("python3 -m venv \(venv) failed: \(created?.stderr ?? "did not run")") }
        let install = try? await run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "warcio"], timeout: 300)
        if install?.code == 0, await succeeds([python, "-c", "import warcio"]) { return .ready([python, "-m", "warcio.cli"]) }
        let output = (install?.stderr ?? "") + (install?.stdout ?? "")
        let offlineSigns = ["Failed to establish a new connection", "Temporary failure in name resolution", "Network is unreachable",
                            "No matching distribution found", "Could not find a version", "Max retries exceeded", "timed out"]
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? "no output"
        if offlineSigns.contains(where: output.contains) { return .offline("pip cannot reach PyPI (\(lastLine))") }
        return .broken("pip install warcio failed: \(lastLine)")
    }

    private static func succeeds(_ command: [String]) async -> Bool {
        guard FileManager.default.isExecutableFile(atPath: command[0]) else { return false }
        return (try? await run(command, timeout: 60))?.code == 0
    }

    private static func run(_ command: [String], timeout: Double) async throws -> CommandResult {
        let directory = NSTemporaryDirectory()
        return try await ChildProcess.run(command[0], Array(command.dropFirst()), in: directory,
                                          name: "warcio-setup-\(UUID().uuidString.prefix(8))", timeout: timeout)
    }

    /// Runs a warcio subcommand on files; its output and exit.
    static func run(_ arguments: [String], in directory: String) async throws -> CommandResult {
        let command = try await command()
        return try await ChildProcess.run(command[0], Array(command.dropFirst()) + arguments, in: directory,
                                          name: "warcio-\(UUID().uuidString.prefix(8))", timeout: 300)
    }

    /// `warcio index` of `files`: every record with the fields the tests look at.
    static func index(_ files: [String], in directory: String) async throws -> [IndexedRecord] {
        let fields = IndexedRecord.CodingKeys.allCases.map(\.rawValue).joined(separator: ",")
        let result = try await run(["index", "-f", fields] + files, in: directory)
        guard result.code == 0 else { throw SetupError("warcio index failed: \(result)") }
        let decoder = JSONDecoder()
        return try result.stdout.split(separator: "\n").map { try decoder.decode(IndexedRecord.self, from: Data($0.utf8)) }
    }
}

/// One record as `warcio index` reports it.
struct IndexedRecord: Decodable, Sendable {
    let type: String
    let id: String
    let target: String?
    let concurrentTo: String?
    let status: String?
    let profile: String?
    let refersTo: String?
    let payloadDigest: String?
    let offset: String
    let length: String
    let filename: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type = "warc-type", id = "warc-record-id", target = "warc-target-uri", concurrentTo = "warc-concurrent-to"
        case status = "http:status", profile = "warc-profile", refersTo = "warc-refers-to"
        case payloadDigest = "warc-payload-digest", offset, length, filename
    }
}

/// The WARC files of a job directory, the order they were written in.
func warcFiles(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
        .filter { $0.hasSuffix(".warc.gz") }
        .sorted { ($0.split(separator: "-").dropFirst(2).first ?? "") < ($1.split(separator: "-").dropFirst(2).first ?? "") }
}
