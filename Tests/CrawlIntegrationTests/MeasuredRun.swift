import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command run to completion and reaped with `wait4`, so its resource usage is known: the peak
/// resident set size is the kernel's own high-water mark for the process, not a sample.
///
/// Started with `posix_spawn` through `env -C DIR` (which `exec`s the command in the same process,
/// so what is measured is the command itself), stdout and stderr to files, stdin from /dev/null.
/// Waiting polls `wait4(WNOHANG)`, so any task may await it.
struct MeasuredRun: CustomStringConvertible {
    let result: CommandResult
    /// `ru_maxrss` of the process: its peak resident set size, in KiB.
    let maxRSSKilobytes: Int

    var maxRSSMegabytes: Double { Double(maxRSSKilobytes) / 1024 }
    var description: String { "\(result)\npeak RSS \(String(format: "%.1f", maxRSSMegabytes)) MB" }

    /// Runs `executable` with `arguments` in `directory` (killed after `timeout` seconds); output
    /// goes to `<logDirectory>/<name>.stdout|.stderr`.
    static func run(_ executable: String, _ arguments: [String], in directory: String, logDirectory: String,
                    name: String, timeout: Double) async throws -> MeasuredRun {
        let stdoutPath = logDirectory + "/\(name).stdout", stderrPath = logDirectory + "/\(name).stderr"
        let argv = ["/usr/bin/env", "-C", directory, executable] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid: pid_t = 0
        let started = Date()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw SetupError("posix_spawn \(argv[0]): \(String(cString: strerror(spawned)))") }

        var status: Int32 = 0
        var usage = rusage()
        var reaped = false
        let deadline = started.addingTimeInterval(timeout)
        while Date() < deadline {
            let waited = wait4(pid, &status, WNOHANG, &usage)
            if waited == pid { reaped = true; break }
            if waited < 0 && errno != EINTR { throw SetupError("wait4: \(String(cString: strerror(errno)))") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var exit: ProcessExit?
        if !reaped {
            kill(pid, SIGKILL)
            _ = wait4(pid, &status, 0, &usage)
        } else {
            // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
            exit = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
        }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let commandLine = ([executable] + arguments).map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let result = CommandResult(
            exit: exit, stdout: read(stdoutPath), stderr: read(stderrPath),
            seconds: Date().timeIntervalSince(started), commandLine: commandLine)
        return MeasuredRun(result: result, maxRSSKilobytes: Int(usage.ru_maxrss))
    }
}
