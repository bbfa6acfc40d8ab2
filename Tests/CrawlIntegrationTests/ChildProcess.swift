import Foundation

#if canImport(Glibc)
import Glibc
#endif

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

/// A child process whose stdout and stderr go to files (no pipes to drain, nothing that blocks a
/// cooperative thread). Waiting polls, so any task may wait on it.
///
/// Started with `posix_spawn` through `env -C DIR` (which `exec`s the command in the same process,
/// so the pid is the command's own) and reaped by a thread of its own blocked in `wait4`: the exit,
/// its time and the kernel's resource usage are recorded the moment the process ends, whatever the
/// cooperative pool is doing. (Foundation's `Process` reports exits on dispatch's global queue,
/// the very threads that busy tests hold up: seen as a 10 s wait for a SIGKILLed child.)
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: everything but `ending` is set in init and never changes; `ending` is
    // guarded by `lock` and written once, by the reaper thread.
    let pid: pid_t
    /// When the process was launched (wall clock, comparable with a fixture server's log times).
    let launchedAt: Date
    let stdoutPath: String
    let stderrPath: String
    let commandLine: String
    private let lock = NSLock()
    private var ending: (exit: ProcessExit, at: Date, usage: rusage)?

    /// Launches `executable` with `arguments` in `directory`; output goes to
    /// `<logDirectory or directory>/<name>.stdout|.stderr`, stdin is /dev/null.
    init(executable: String, arguments: [String], directory: String, logDirectory: String? = nil, name: String) throws {
        let logs = logDirectory ?? directory
        stdoutPath = logs + "/\(name).stdout"
        stderrPath = logs + "/\(name).stderr"
        commandLine = ([executable] + arguments).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let argv = ["/usr/bin/env", "-C", directory, executable] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else is inherited: a descriptor another test holds open at this moment (a file
        // it fills, then deletes) would otherwise stay open in this child, and so stay allocated.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var spawnedPID: pid_t = 0
        launchedAt = Date()
        let spawned = posix_spawn(&spawnedPID, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw SetupError("posix_spawn \(commandLine): \(String(cString: strerror(spawned)))") }
        pid = spawnedPID
        let reaper = Thread { [self] in reap() }
        reaper.name = "reaper \(spawnedPID)"
        reaper.start()
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module does
    /// not import: looked up at run time, nil where the C library lacks it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np").map {
            unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }

    /// On the reaper thread: waits for the process to end and records how.
    private func reap() {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            if errno != EINTR { return }  // not our child any more: nothing to record
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
        let exit: ProcessExit = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        let now = Date()
        lock.withLock { ending = (exit, now, usage) }
    }

    /// The exit, once the process has ended.
    var exited: ProcessExit? { lock.withLock { ending?.exit } }

    /// Seconds from launch to exit; nil while the process runs.
    var runSeconds: Double? { lock.withLock { ending.map { $0.at.timeIntervalSince(launchedAt) } } }

    /// `ru_maxrss` of the ended process: its peak resident set size in KiB (the kernel's own
    /// high-water mark, not a sample); nil while it runs.
    var maxRSSKilobytes: Int? { lock.withLock { ending.map { Int($0.usage.ru_maxrss) } } }

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
        try await ChildProcess(executable: executable, arguments: arguments, directory: directory, name: name)
            .result(timeout: timeout)
    }

    /// Waits for the process to end (SIGKILL after `timeout` seconds) and collects its output.
    func result(timeout: Double) async -> CommandResult {
        var exit = await wait(seconds: timeout)
        if exit == nil {
            _ = await killNow()
            exit = nil
        }
        return CommandResult(exit: exit, stdout: stdout, stderr: stderr, seconds: runSeconds ?? timeout, commandLine: commandLine)
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

extension ChildProcess {
    /// Starts the fixture server `Tests/Fixtures/<script>` with python3 in `directory`, waits up to
    /// `seconds` for its startup line (one JSON object) and hands the line to `ready`, which reads
    /// what the caller needs from it (the port, a manifest). If the line never comes, or `ready`
    /// throws, the server is terminated and a SetupError names the script.
    static func startFixtureServer<Ready>(
        _ script: String, _ arguments: [String], in directory: String, name: String, within seconds: Double,
        ready: (Data) throws -> Ready
    ) async throws -> (ChildProcess, Ready) {
        let path = IntegrationEnvironment.packageRoot + "/Tests/Fixtures/" + script
        let process = try ChildProcess(
            executable: IntegrationEnvironment.env, arguments: ["python3", path] + arguments, directory: directory, name: name)
        let line = try await process.firstStdoutLine(within: seconds, script: script)
        do {
            return (process, try ready(Data(line.utf8)))
        } catch {
            process.terminate()
            throw SetupError("\(script) startup: \(error); line: \(line)")
        }
    }
}
