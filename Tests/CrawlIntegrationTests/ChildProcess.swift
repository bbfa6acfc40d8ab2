import Foundation

/// How a child process ended.
enum ProcessExit: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    var description: String {
        switch self {
        case let .exited(code): return "exit \(code)"
        case let .signaled(signal): return "killed by signal \(signal)"
        }
    }
}

/// A child process whose stdout and stderr go to files in a scratch directory (no pipes to drain,
/// nothing that blocks a cooperative thread). Waiting polls, so any task may wait on it; how long
/// the process ran is taken from Foundation's termination handler, which runs on a thread of its
/// own, so a cooperative pool kept busy by other tests does not lengthen it.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is configured and launched in init and afterwards only read
    // (pid, state) or signalled; `exit` is guarded by `lock` and written by Foundation's termination handler.
    private let process = Process()
    private let lock = NSLock()
    private var exit: (status: ProcessExit, at: Date)?
    /// When the process was launched (wall clock, comparable with a fixture server's log times).
    let launchedAt: Date
    let stdoutPath: String
    let stderrPath: String
    let commandLine: String

    /// Launches `executable` with `arguments` in `directory`; output goes to `<directory>/<name>.stdout|.stderr`.
    init(executable: String, arguments: [String], directory: String, name: String) throws {
        stdoutPath = directory + "/\(name).stdout"
        stderrPath = directory + "/\(name).stderr"
        commandLine = ([executable] + arguments).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        launchedAt = Date()
        process.terminationHandler = { [weak self] finished in
            let result: ProcessExit = finished.terminationReason == .uncaughtSignal
                ? .signaled(finished.terminationStatus) : .exited(finished.terminationStatus)
            let now = Date()
            self?.lock.withLock { self?.exit = (result, now) }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// The exit, once the process has ended.
    var exited: ProcessExit? { lock.withLock { exit?.status } }

    /// Seconds from launch to exit; nil while the process runs.
    var runSeconds: Double? { lock.withLock { exit.map { $0.at.timeIntervalSince(launchedAt) } } }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until the process ends or `seconds` pass; nil on timeout.
    func wait(seconds: Double) async -> ProcessExit? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let exit = exited { return exit }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exited
    }

    /// Sends `signal` if the process is still running.
    func send(_ signal: Int32) {
        if exited == nil { kill(pid, signal) }
    }

    /// SIGKILL, then waits (briefly) for the process to be reaped.
    func killNow() async -> ProcessExit? {
        send(SIGKILL)
        return await wait(seconds: 10)
    }

    /// SIGKILL without waiting: for `defer` blocks, which cannot await.
    func terminate() {
        send(SIGKILL)
    }
}

/// What a finished run of a command produced.
struct CommandResult: CustomStringConvertible {
    let exit: ProcessExit?  // nil: killed after the time limit
    let stdout: String
    let stderr: String
    /// From launch to exit (``ChildProcess/runSeconds``), or the time limit if it was killed.
    let seconds: Double
    let commandLine: String

    var code: Int32? {
        if case let .exited(code)? = exit { return code }
        return nil
    }

    /// stderr without trailing empty lines, split into its lines.
    var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    var description: String {
        let tail = stderr.split(separator: "\n").suffix(15).joined(separator: "\n")
        return "\(commandLine)\n→ \(exit.map(\.description) ?? "timed out") after \(String(format: "%.1f", seconds)) s\nstderr (tail):\n\(tail)"
    }
}

extension ChildProcess {
    /// Runs a command to completion (SIGKILL after `timeout` seconds) and collects its output.
    static func run(_ executable: String, _ arguments: [String], in directory: String, name: String,
                    timeout: Double) async throws -> CommandResult {
        let child = try ChildProcess(executable: executable, arguments: arguments, directory: directory, name: name)
        var exit = await child.wait(seconds: timeout)
        if exit == nil {
            _ = await child.killNow()
            exit = nil
        }
        return CommandResult(
            exit: exit, stdout: child.stdout, stderr: child.stderr,
            seconds: child.runSeconds ?? timeout, commandLine: child.commandLine)
    }
}

extension ChildProcess {
    /// The first line the process prints on stdout (a server's startup line), waited for at most
    /// `seconds`. If the process ends first or stays silent, it is terminated and this throws.
    func firstStdoutLine(within seconds: Double, script: String) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = stdout
            if let newline = text.firstIndex(of: "\n") { return String(text[..<newline]) }
            if let exit = exited {
                throw SetupError("\(script) ended (\(exit)) before it was ready: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        terminate()
        throw SetupError("\(script) printed no startup line within \(Int(seconds)) s: \(stderr)")
    }
}
