import ArgumentParser
import CrawlCore
import Foundation

/// `crawl export`: the URL table as JSON lines or CSV, or a CDXJ index of the job's WARC files,
/// on stdout. Reads without a lock, like `stats`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the URL table (jsonl, csv) or a CDXJ index of the WARC files (cdxj) to stdout.",
        discussion: """
            jsonl and csv stream the URL table in constant memory, one row per URL in discovery order. \
            cdxj reads every WARC file of the job (--warc) and writes one sorted line per response and \
            revisit record, the index pywb reads. Safe while a crawl runs.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "jsonl, csv or cdxj.")
    var format: String

    @Option(name: .long, help: "Only URLs in this state (repeatable or comma-separated: queued, in_flight, done, failed, skipped).")
    var state: [String] = []

    @Option(name: .long, help: "Columns, comma-separated, in order (jsonl, csv). Default: \(URLTableExport.Field.defaults.map(\.rawValue).joined(separator: ",")). Also: id, kind, redirect_to, attempts, etag, last_modified, discovered_at.")
    var fields: String?

    func validate() throws {
        guard format == "cdxj" || URLTableExport.Format(rawValue: format) != nil else {
            throw ValidationError("--format takes jsonl, csv or cdxj, not '\(format)'")
        }
        if format == "cdxj" && (!state.isEmpty || fields != nil) {
            throw ValidationError("--state and --fields apply to jsonl and csv, not cdxj")
        }
        _ = try states()
        _ = try fieldList()
    }

    func states() throws -> [URLState] {
        try state.flatMap { $0.split(separator: ",") }.map { name in
            guard let state = URLState(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--state takes queued, in_flight, done, failed or skipped, not '\(name)'")
            }
            return state
        }
    }

    func fieldList() throws -> [URLTableExport.Field] {
        guard let fields else { return URLTableExport.Field.defaults }
        let list = try fields.split(separator: ",").map { name in
            guard let field = URLTableExport.Field(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                let known = URLTableExport.Field.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--fields: unknown column '\(name)' (known: \(known))")
            }
            return field
        }
        if list.isEmpty { throw ValidationError("--fields needs at least one column") }
        return list
    }

    func run() throws {
        let output = StandardOutput()
        if format == "cdxj" {
            try exportCDXJ(to: output)
        } else {
            var export = URLTableExport(format: URLTableExport.Format(rawValue: format)!)
            export.fields = try fieldList()
            export.states = try states()
            try export.run(path: database.db) { try output.write($0) }
        }
    }

    /// Indexes every WARC file of the job, in serial order, then writes the lines sorted.
    private func exportCDXJ(to output: StandardOutput) throws {
        let settings = try SQLiteJobStore.readSettings(path: database.db)
        guard let directory = settings.warcDirectory else {
            throw ValidationError("the job in \(database.db) writes no WARC files (start it with --warc DIR)")
        }
        let sorter = try ExternalLineSorter()
        for file in WarcFileName.list(in: directory) {
            try CDXJIndexer.index(path: directory + "/" + file.name, filename: file.name) { try sorter.add($0) }
        }
        var buffer: [UInt8] = []
        try sorter.sorted { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(10)
            if buffer.count >= 64 * 1024 {
                try buffer.withUnsafeBytes { try output.write($0) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try buffer.withUnsafeBytes { try output.write($0) }
    }
}

/// Whole writes to file descriptor 1. A reader that went away (`| head`) ends the command quietly.
struct StandardOutput {
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { throw ExitCode.success }
                throw StandardOutputError(code: errno)
            }
            offset += written
        }
    }

    struct StandardOutputError: Error, CustomStringConvertible {
        let code: Int32
        var description: String { "cannot write to stdout: \(String(cString: strerror(code)))" }
    }
}
