/// The WARC output of a crawl run: one writer thread that owns the files (``WarcFileWriter``),
/// off Swift's cooperative pool. Record groups are encoded elsewhere (parse workers) and handed
/// over ready to append, so the thread only copies bytes, writes large buffers and rotates files.
///
/// Any task or thread may call every method. ``submit(_:then:)`` keeps submission order: groups
/// land in the file, and their callbacks run, in the order they were submitted; a callback runs
/// once its group is written to the file (writes are batched: see ``WarcFileWriter``).
public final class WarcWriter: Sendable {
    private let thread: BlockingThreadPool<WarcFileWriter>
    public let directory: String

    /// Starts the writer thread. Nothing is opened until ``recover(committed:)`` and the first group.
    public init(directory: String, maxFileSize: Int64, info: [WarcInfoField], level: Int32 = WarcRecordEncoder.defaultLevel) {
        self.directory = directory
        var configuration = WarcFileWriter.Configuration(directory: directory, maxFileSize: maxFileSize, info: info)
        configuration.level = level
        let fixed = configuration
        thread = BlockingThreadPool(name: "crawl-warc", count: 1) { WarcFileWriter(configuration: fixed) }
    }

    /// Repairs the directory (see ``WarcRecovery``) and sets the writer to continue the newest
    /// file. `committed`: per file, the end of the last group the database committed. Call once,
    /// before the first ``submit(_:then:)``.
    func recover(committed: [String: Int64]) async throws -> WarcRecovery.Report {
        let directory = self.directory
        return try await thread.run { writer in
            let report = try WarcRecovery.run(directory: directory, committed: committed)
            try writer.resume(lastSerial: report.lastSerial, continuing: report.newest?.name, size: report.newest?.size ?? 0)
            return report
        }
    }

    /// Appends `group` to the current file; `then` runs on the writer thread once the group is
    /// written (write(2) returned: a crash of the process no longer loses it), with where it
    /// landed, or with why it could not be.
    public func submit(_ group: WarcRecordGroup, then: @escaping @Sendable (Result<WarcPlacement, WarcError>) -> Void) {
        thread.submit { [thread] writer in writer.place(group, idle: thread.backlog == 0, completion: then) }
    }

    /// Writes every group submitted so far and runs their callbacks: a barrier.
    public func flush() async throws {
        try await thread.run { writer in try writer.flush() }
    }

    /// Writes what is left, syncs and closes the current file, and stops the thread.
    public func close() async throws {
        defer { thread.shutdown() }
        try await thread.run { writer in try writer.close() }
    }
}
