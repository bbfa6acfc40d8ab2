import ArgumentParser
import CrawlCore
import Foundation

/// `crawl`: a polite, resumable web crawler. The root command only groups the subcommands.
struct CrawlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crawl",
        abstract: "A polite, resumable web crawler: URLs and their states live in SQLite.",
        discussion: """
            Exit codes: 0 when the frontier is drained or a limit is reached, 1 on failure, 2 on a usage \
            error, 74 when the disk holding --out or the database is full (free space, then resume), 75 when \
            another run holds the database, 130/143 when stopped by SIGINT/SIGTERM.
            """,
        version: "0.1.0",
        subcommands: [StartCommand.self, ResumeCommand.self, StatsCommand.self, ExportCommand.self])
}

@main
enum Main {
    static func main() async {
        // A file size limit (`ulimit -f`) must surface as EFBIG, a clean stop with a clear error,
        // not as SIGXFSZ killing the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try CrawlCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Usage errors print one line and exit 2; other errors print one line and exit 1.
    static func exit(withError error: Error) -> Never {
        let code = CrawlCommand.exitCode(for: error)
        if code == .validationFailure {
            // One line: the reason. `crawl SUBCOMMAND --help` has the rest.
            let message = CrawlCommand.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid usage"
            FileHandle.standardError.write(Data("crawl: error: \(message)\n".utf8))
            Foundation.exit(2)
        }
        if CommandSupport.isDiskFull(error) {
            FileHandle.standardError.write(Data("crawl: error: \(error)\n".utf8))
            Foundation.exit(CommandSupport.diskFullExitCode)
        }
        if error is ExitCode || code == .success {  // --help, --version, or an exit code chosen by run()
            CrawlCommand.exit(withError: error)
        }
        FileHandle.standardError.write(Data("crawl: error: \(error)\n".utf8))
        Foundation.exit(1)
    }
}
