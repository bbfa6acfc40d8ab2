#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every failure of WARC writing, recovery and reading, with the file it concerns.
public enum WarcError: Error, Sendable, CustomStringConvertible {
    /// A system call on a WARC file or directory failed (errno).
    case io(path: String, operation: String, errno: Int32)
    /// A WARC file holds bytes that are not gzip members of WARC records (from `offset` on).
    case unreadable(path: String, offset: Int64, detail: String)
    /// The directory holds WARC files of this naming scheme already (`start` needs it free).
    case directoryInUse(path: String, example: String)
    /// A write failed earlier; nothing more is written.
    case stopped(String)

    public var description: String {
        switch self {
        case let .io(path, operation, code):
            return "WARC \(operation) \(path): \(String(cString: strerror(code)))"
        case let .unreadable(path, offset, detail):
            return "WARC file \(path) is unreadable at offset \(offset): \(detail)"
        case let .directoryInUse(path, example):
            return "--warc \(path) already holds WARC files (\(example)); give each job its own directory"
        case let .stopped(reason):
            return "WARC writing stopped after an earlier failure: \(reason)"
        }
    }

    /// True when the disk is full or over quota.
    public var isDiskFull: Bool {
        if case let .io(_, _, code) = self { return code == ENOSPC || code == EDQUOT || code == EFBIG }
        return false
    }
}
