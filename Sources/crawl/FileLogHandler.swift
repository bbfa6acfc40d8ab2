import Foundation
import Logging

/// The log destination of `--log-file`: appended to, and reopened on SIGHUP so that logrotate can
/// move the file away. Shared by every logger of the process.
final class LogFile: @unchecked Sendable {
    // @unchecked Sendable: `descriptor` is only read or replaced with `lock` held.
    let path: String
    private let lock = NSLock()
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = -1
        try reopen()
    }

    /// Opens the path again (after logrotate renamed the old file).
    func reopen() throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ValidationFailure(message: "cannot open log file \(path): \(String(cString: strerror(errno)))") }
        lock.lock()
        let old = descriptor
        descriptor = fd
        lock.unlock()
        if old >= 0 { close(old) }
    }

    func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        _ = line.withCString { Foundation.write(descriptor, $0, strlen($0)) }
    }

    struct ValidationFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// A swift-log handler writing one line per message to a ``LogFile``.
struct FileLogHandler: LogHandler {
    let file: LogFile
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let time = ISO8601DateFormatter().string(from: Date())
        file.write("\(time) \(event.level) \(label): \(event.message)\n")
    }
}
