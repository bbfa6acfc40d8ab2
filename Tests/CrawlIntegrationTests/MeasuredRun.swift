import Foundation

/// A command run to completion with its resource usage: the peak resident set size is the
/// kernel's own high-water mark for the process (`wait4`'s rusage, see ``ChildProcess``), not a
/// sample.
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
        let child = try ChildProcess(
            executable: executable, arguments: arguments, directory: directory, logDirectory: logDirectory, name: name)
        let result = await child.result(timeout: timeout)
        return MeasuredRun(result: result, maxRSSKilobytes: child.maxRSSKilobytes ?? 0)
    }
}
