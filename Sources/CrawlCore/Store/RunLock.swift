import Foundation

/// One runner per database: an exclusive `flock` on `<db>.lock`, held for the whole run.
///
/// The kernel drops the lock when the holder exits, however it exits (kill -9 included), so a
/// stale lock cannot exist. The file records the holder's pid and start time for the message the
/// next runner prints. `crawl stats` never takes it. Create from any thread; release once.
public final class RunLock: Sendable {
    public let path: String
    private let descriptor: Int32

    public enum Failure: Error, CustomStringConvertible, Sendable {
        /// Another live run holds the database.
        case held(database: String, holder: String)
        case io(path: String, errno: Int32)

        public var description: String {
            switch self {
            case let .held(database, holder):
                return "\(database) is in use by another crawl run (\(holder)); try again later"
            case let .io(path, code):
                return "cannot lock \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Takes the lock for `databasePath`, or fails at once with ``Failure/held(database:holder:)``.
    public init(databasePath: String) throws(Failure) {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = Self.readHolder(fd)
            close(fd)
            if code == EWOULDBLOCK { throw .held(database: databasePath, holder: holder) }
            throw .io(path: path, errno: code)
        }
        descriptor = fd
        let started = ISO8601DateFormatter().string(from: Date())
        let record = "pid \(getpid()), started \(started)\n"
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// Drops the lock (closing the file also would).
    public func release() {
        close(descriptor)
    }

    private static func readHolder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return "holder unknown" }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "holder unknown" : text
    }
}
