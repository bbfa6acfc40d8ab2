import Foundation
import Synchronization

/// Bodies on disk, content-addressed: `ROOT/ab/cd/<sha256>` holds a body whose SHA-256 starts with
/// "abcd", so identical bodies are stored once. A body is written to `ROOT/tmp/`, then renamed into
/// place, so a file under its hash is always complete. Callable from any thread (worker threads).
public final class BodyStore: Sendable {
    public let root: String
    private let tmpDirectory: String
    /// The `ab/cd` directories made so far, so that each is made once, not once per body.
    private let directories = DirectorySet()
    /// Cleared once the filesystem refuses `O_TMPFILE`.
    /// Linking one needs `/proc/self/fd`.
    private let anonymousFiles: Atomic<Bool>
    /// Names the fallback path's temp files (with the process ID) without a syscall.
    private let temporaryCounter = Atomic<UInt64>(0)
    private static let processID = getpid()

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case io(path: String, errno: Int32)
        public var description: String {
            switch self {
            case let .io(path, code): return "cannot write to \(path): \(String(cString: strerror(code)))"
            }
        }
        /// True when the disk is full or over quota: the run must stop, not fail the URL.
        public var isDiskFull: Bool {
            if case let .io(_, code) = self { return code == ENOSPC || code == EDQUOT || code == EFBIG }
            return false
        }
    }

    /// Creates the output directories if needed; fails with a one-line reason if it cannot.
    public convenience init(root: String) throws(Failure) {
        try self.init(root: root, anonymousFiles: true)
    }

    /// `anonymousFiles: false` forces the named-temp-file path (tests).
    init(root: String, anonymousFiles: Bool) throws(Failure) {
        self.root = root
        self.anonymousFiles = Atomic(anonymousFiles && access("/proc/self/fd", F_OK) == 0)
        self.tmpDirectory = root + "/tmp"
        try Self.makeDirectories(tmpDirectory)
    }

    /// `mkdir -p`, then checks that `path` is a writable directory. Any thread.
    public static func makeDirectories(_ path: String) throws(Failure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw .io(path: prefix, errno: errno) }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .io(path: path, errno: ENOTDIR)
        }
        guard access(path, W_OK) == 0 else { throw .io(path: path, errno: errno) }
    }

    /// Removes temp files left by an interrupted run. Call before any worker writes.
    public func removeTemporaryFiles() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: tmpDirectory) else { return }
        for name in names { unlink(tmpDirectory + "/" + name) }
    }

    /// Stores `body` under its hash and returns the path relative to ``root``.
    ///
    /// The body is written to an anonymous file (`O_TMPFILE`) that is linked under its name only
    /// once complete, so a kill leaves nothing behind and an existing identical body is kept
    /// (the link fails with EEXIST). Where the filesystem has no `O_TMPFILE`, a named temp file
    /// in `ROOT/tmp/` is renamed into place instead.
    ///
    /// `hash` must be a SHA-256 digest in lowercase hex (``ContentHash``): it is the only name
    /// written, so no part of a URL ever names a file and nothing can point outside ``root``.
    public func store(_ body: UnsafeRawBufferPointer, hash: String) throws(Failure) -> String {
        let utf8 = Array(hash.utf8)
        precondition(utf8.count == 64 && utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) },
                     "BodyStore.store needs a lowercase hex SHA-256, not \(hash.prefix(80))")
        let level1 = String(decoding: utf8[0..<2], as: UTF8.self)
        let level2 = String(decoding: utf8[2..<4], as: UTF8.self)
        let relative = "\(level1)/\(level2)/\(hash)"
        let final = root + "/" + relative
        let directory = root + "/" + level1 + "/" + level2
        if !directories.contains(prefix: utf8) {
            // A failure names its own errno: a full disk refuses the directory (ENOSPC), and the
            // open that would follow could only say ENOENT.
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                guard errno == ENOENT else { throw .io(path: directory, errno: errno) }
                let parent = root + "/" + level1
                if mkdir(parent, 0o755) != 0 && errno != EEXIST { throw .io(path: parent, errno: errno) }
                if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw .io(path: directory, errno: errno) }
            }
            directories.insert(prefix: utf8)
        }
        if anonymousFiles.load(ordering: .relaxed) {
            let fd = open(directory, __O_TMPFILE | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o644)
            if fd >= 0 {
                defer { close(fd) }
                try Self.writeAll(body, to: fd, path: final)
                if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, final, AT_SYMLINK_FOLLOW) != 0 && errno != EEXIST {
                    throw .io(path: final, errno: errno)
                }
                return relative
            }
            guard errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL else { throw .io(path: directory, errno: errno) }
            anonymousFiles.store(false, ordering: .relaxed)
        }
        if access(final, F_OK) == 0 { return relative }  // identical body stored already
        let temporary = "\(tmpDirectory)/\(hash).\(Self.processID).\(temporaryCounter.add(1, ordering: .relaxed).oldValue)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, errno: errno) }
        do {
            try Self.writeAll(body, to: fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        if close(fd) != 0 {
            let code = errno
            unlink(temporary)
            throw .io(path: temporary, errno: code)
        }
        if rename(temporary, final) != 0 {
            let code = errno
            unlink(temporary)
            throw .io(path: final, errno: code)
        }
        return relative
    }

    private static func writeAll(_ body: UnsafeRawBufferPointer, to fd: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < body.count {
            let written = write(fd, body.baseAddress! + offset, body.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, errno: errno)
            }
            offset += written
        }
    }
}

/// Which of the 65,536 two-level directories `ab/cd` exist: one bit each (8 KB).
/// Callable from any thread.
private final class DirectorySet: Sendable {
    private let bits = Mutex<[UInt64]>([UInt64](repeating: 0, count: 1024))

    /// The directory's index from the first four hex digits of `hash`.
    private static func index(_ hash: [UInt8]) -> Int {
        var value = 0
        for byte in hash.prefix(4) {
            let digit = byte <= UInt8(ascii: "9") ? byte &- UInt8(ascii: "0") : (byte | 0x20) &- UInt8(ascii: "a") &+ 10
            value = value << 4 | Int(digit & 0xF)
        }
        return value
    }

    func contains(prefix hash: [UInt8]) -> Bool {
        let index = Self.index(hash)
        return bits.withLock { $0[index >> 6] & (1 << UInt64(index & 63)) != 0 }
    }

    func insert(prefix hash: [UInt8]) {
        let index = Self.index(hash)
        bits.withLock { $0[index >> 6] |= 1 << UInt64(index & 63) }
    }
}
