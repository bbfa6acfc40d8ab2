import Synchronization

/// The WARC output of a crawl run: the files (``WarcFileWriter``) behind a lock. Record groups are
/// encoded on the parse workers, and each worker appends its own: under the lock, the group is
/// placed at the end of the current file and written there, so groups land in the file in the
/// order they took the lock, and a group is in the file (write(2) returned) before
/// ``append(_:)`` returns and its result goes to the database writer. No thread of its own on
/// that path: handing every group to a writer thread cost a wake-up and two context switches per
/// fetch, more CPU than the write itself.
///
/// ``append(_:)`` blocks on file I/O: call it from a parse worker (or another thread off Swift's
/// cooperative pool). ``recover(committed:)`` and ``close()`` are async and do their I/O on a
/// thread of the writer's.
public final class WarcWriter: Sendable {
    private let files: Mutex<WarcFileWriter>
    /// Where recovery and close run (they scan files and sync): off the cooperative pool.
    private let thread: BlockingThreadPool<Void>
    public let directory: String

    /// Nothing is opened until ``recover(committed:)`` and the first group.
    public init(directory: String, maxFileSize: Int64, info: [WarcInfoField], level: Int32 = WarcRecordEncoder.defaultLevel) {
        self.directory = directory
        var configuration = WarcFileWriter.Configuration(directory: directory, maxFileSize: maxFileSize, info: info)
        configuration.level = level
        files = Mutex(WarcFileWriter(configuration: configuration))
        thread = BlockingThreadPool(name: "crawl-warc", count: 1) { () }
    }

    /// Repairs the directory (see ``WarcRecovery``) and sets the writer to continue the newest
    /// file. `committed`: per file, the end of the last group the database committed. Call once,
    /// before the first ``append(_:)``.
    func recover(committed: [String: Int64]) async throws -> WarcRecovery.Report {
        try await thread.run { [self] _ in
            let report = try WarcRecovery.run(directory: directory, committed: committed)
            try files.withLock { files throws(WarcError) in
                try files.resume(lastSerial: report.lastSerial, continuing: report.newest?.name, size: report.newest?.size ?? 0)
            }
            return report
        }
    }

    /// Appends `group` to the current file (rotating files at the size limit) and writes it:
    /// where it landed, or why it could not be (after a failure, nothing more is written).
    /// Blocks on the lock and the write.
    public func append(_ group: WarcRecordGroup) -> Result<WarcPlacement, WarcError> {
        files.withLock { files in
            do throws(WarcError) {
                return .success(try files.append(group))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Syncs and closes the current file, and stops the writer's thread.
    public func close() async throws {
        defer { thread.shutdown() }
        try await thread.run { [self] _ in
            try files.withLock { files throws(WarcError) in try files.close() }
        }
    }
}
