import Foundation
import Synchronization

/// Bodies on disk, content-addressed: `ROOT/ab/<sha256>` holds a body whose SHA-256 starts with
/// "ab" (`ROOT/ab/cd/<sha256>` in jobs created before, see ``BodyLayout``), so identical bodies are
/// stored once. A body is written to an anonymous file that is linked under its name only once
/// complete, so a file under its hash is always complete. Callable from any thread (worker threads).
///
/// Paths are resolved from a descriptor of `ROOT` (`mkdirat`, `openat`, `linkat`), not walked
/// from `/` for every body: on the bench site the path walks were a fifth of the store's cost.
public final class BodyStore: Sendable {
    public let root: String
    private let tmpDirectory: String
    /// `ROOT`, opened once (`O_PATH`): every body's directory and file are named relative to it.
    private let rootDescriptor: Int32
    /// `/proc/self/fd`, opened once (`O_PATH`), to link an anonymous file by its descriptor
    /// number; -1 when anonymous files are off.
    private let descriptorDirectory: Int32
    /// How bodies are spread over directories.
    public let layout: BodyLayout
    /// The body directories made so far, so that each is made once, not once per body.
    private let directories = DirectorySet()
    /// Cleared once the filesystem refuses `O_TMPFILE`.
    private let anonymousFiles: Atomic<Bool>
    /// Names the fallback path's temp files (with the process ID) without a syscall.
    private let temporaryCounter = Atomic<UInt64>(0)
    private static let processID = getpid()
    /// `ab/cd/` and 64 hex digits: the longest relative path.
    private static let relativePathLength = 70

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
    public convenience init(root: String, layout: BodyLayout = .oneLevel) throws(Failure) {
        try self.init(root: root, layout: layout, anonymousFiles: true)
    }

    /// `anonymousFiles: false` forces the named-temp-file path (tests).
    init(root: String, layout: BodyLayout = .oneLevel, anonymousFiles: Bool) throws(Failure) {
        self.root = root
        self.layout = layout
        self.tmpDirectory = root + "/tmp"
        try Self.makeDirectories(tmpDirectory)
        rootDescriptor = open(root, __O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard rootDescriptor >= 0 else { throw .io(path: root, errno: errno) }
        // Linking an anonymous file needs `/proc/self/fd`.
        descriptorDirectory = anonymousFiles ? open("/proc/self/fd", __O_PATH | O_DIRECTORY | O_CLOEXEC) : -1
        self.anonymousFiles = Atomic(descriptorDirectory >= 0)
    }

    deinit {
        close(rootDescriptor)
        if descriptorDirectory >= 0 { close(descriptorDirectory) }
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
        let relative = Self.relativePath(forHash: hash, layout: layout)
        // "ab/<hash>" (or "ab/cd/<hash>") as a C string; its directories are the same bytes cut
        // short by a NUL.
        let stored: Result<Void, Failure> = withUnsafeTemporaryAllocation(of: CChar.self, capacity: Self.relativePathLength + 1) {
            path in
            var index = 0
            for byte in relative.utf8 {
                path[index] = CChar(bitPattern: byte)
                index += 1
            }
            path[index] = 0
            do throws(Failure) {
                try store(body, relativePath: path.baseAddress!)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try stored.get()
        return relative
    }

    /// ``store(_:hash:)`` once the path is laid out: `path` is `ab/<hash>` or `ab/cd/<hash>`, and
    /// NUL-terminated.
    private func store(_ body: UnsafeRawBufferPointer, relativePath path: UnsafeMutablePointer<CChar>) throws(Failure) {
        let directoryLength = layout.directoryLength
        let directoryIndex = DirectorySet.index(UnsafeRawPointer(path), directoryLength: directoryLength)
        if !directories.contains(directoryIndex) {
            // A failure names its own errno: a full disk refuses the directory (ENOSPC), and the
            // open that would follow could only say ENOENT.
            try withPrefix(path, length: directoryLength) { directory throws(Failure) in
                if mkdirat(rootDescriptor, directory, 0o755) != 0 && errno != EEXIST {
                    guard errno == ENOENT, layout == .twoLevels else { throw failure(directory, errno) }
                    try withPrefix(path, length: 2) { parent throws(Failure) in
                        if mkdirat(rootDescriptor, parent, 0o755) != 0 && errno != EEXIST { throw failure(parent, errno) }
                    }
                    if mkdirat(rootDescriptor, directory, 0o755) != 0 && errno != EEXIST { throw failure(directory, errno) }
                }
            }
            directories.insert(directoryIndex)
        }
        if anonymousFiles.load(ordering: .relaxed) {
            let fd = try withPrefix(path, length: directoryLength) { directory throws(Failure) -> Int32 in
                let fd = openat(rootDescriptor, directory, __O_TMPFILE | O_DIRECTORY | O_WRONLY | O_CLOEXEC, 0o644)
                if fd < 0 && !(errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) { throw failure(directory, errno) }
                return fd
            }
            if fd >= 0 {
                defer { close(fd) }
                try Self.writeAll(body, to: fd, path: root + "/" + String(cString: path))
                // "/proc/self/fd/N", relative to the descriptor directory: just "N".
                var number = fd
                let linked = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 12) { digits in
                    var end = digits.count - 1
                    digits[end] = 0
                    repeat {
                        end -= 1
                        digits[end] = CChar(UInt8(ascii: "0") + UInt8(number % 10))
                        number /= 10
                    } while number > 0
                    return linkat(descriptorDirectory, digits.baseAddress! + end, rootDescriptor, path, AT_SYMLINK_FOLLOW)
                }
                if linked != 0 && errno != EEXIST { throw failure(path, errno) }
                return
            }
            anonymousFiles.store(false, ordering: .relaxed)
        }
        try storeThroughTemporaryFile(body, relativePath: String(cString: path))
    }

    /// Where there is no `O_TMPFILE`: a named temp file in `ROOT/tmp/`, renamed into place.
    private func storeThroughTemporaryFile(_ body: UnsafeRawBufferPointer, relativePath relative: String) throws(Failure) {
        let final = root + "/" + relative
        if access(final, F_OK) == 0 { return }  // identical body stored already
        let hash = relative.utf8.suffix(64)
        let temporary = "\(tmpDirectory)/\(String(hash)!).\(Self.processID).\(temporaryCounter.add(1, ordering: .relaxed).oldValue)"
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
    }

    /// `ab/<hash>` (or `ab/cd/<hash>`) for a lowercase hex SHA-256 digest; traps on anything else.
    static func relativePath(forHash hash: String, layout: BodyLayout = .oneLevel) -> String {
        let digits = hash.utf8
        precondition(digits.count == 64 && digits.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) },
                     "BodyStore.store needs a lowercase hex SHA-256, not \(hash.prefix(80))")
        // The hash after the directories; each directory is the next two of its leading digits.
        let prefix = layout.directoryLength + 1
        return String(unsafeUninitializedCapacity: relativePathLength) { out in
            var index = prefix
            for digit in digits {
                out[index] = digit
                index += 1
            }
            var digit = prefix
            for start in stride(from: 0, to: prefix, by: 3) {
                (out[start], out[start + 1], out[start + 2]) = (out[digit], out[digit + 1], UInt8(ascii: "/"))
                digit += 2
            }
            return index
        }
    }

    /// Runs `body` with `path` cut to its first `length` bytes (a NUL written there, then the
    /// byte put back).
    private func withPrefix<T>(_ path: UnsafeMutablePointer<CChar>, length: Int,
                               _ body: (UnsafePointer<CChar>) throws(Failure) -> T) throws(Failure) -> T {
        let saved = path[length]
        path[length] = 0
        defer { path[length] = saved }
        return try body(path)
    }

    /// The error for a failed call on `relative` (a path under ``root``), naming the full path.
    private func failure(_ relative: UnsafePointer<CChar>, _ code: Int32) -> Failure {
        .io(path: root + "/" + String(cString: relative), errno: code)
    }

    /// `path` names the file in the error, and is built only then.
    private static func writeAll(_ body: UnsafeRawBufferPointer, to fd: Int32, path: @autoclosure () -> String) throws(Failure) {
        var offset = 0
        while offset < body.count {
            let written = write(fd, body.baseAddress! + offset, body.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw .io(path: path(), errno: code)
            }
            offset += written
        }
    }
}

/// Which body directories exist: one bit each for the 256 `ab` or the 65,536 `ab/cd` (8 KB).
/// Callable from any thread.
private final class DirectorySet: Sendable {
    private let bits = Mutex<[UInt64]>([UInt64](repeating: 0, count: 1024))

    /// The directory's index from the hex digits of its relative path, `ab` or `ab/cd`
    /// (`directoryLength` bytes).
    static func index(_ path: UnsafeRawPointer, directoryLength: Int) -> Int {
        var value = 0
        for offset in 0..<directoryLength {
            let byte = path.load(fromByteOffset: offset, as: UInt8.self)
            if byte == UInt8(ascii: "/") { continue }
            value = value << 4 | Int(URLByteClass.hexValue(byte) ?? 0)
        }
        return value
    }

    func contains(_ index: Int) -> Bool {
        bits.withLock { $0[index >> 6] & (1 << UInt64(index & 63)) != 0 }
    }

    func insert(_ index: Int) {
        bits.withLock { $0[index >> 6] |= 1 << UInt64(index & 63) }
    }
}

/// How a job's bodies are spread over directories under `--out`. Stored with the job (in its
/// settings), so that a resumed job keeps the layout it began with.
public enum BodyLayout: Int, Sendable, Codable {
    /// `ab/<sha256>`: 256 directories, each made once (jobs created by this version). Git lays out
    /// loose objects the same way; a million bodies make about 3,900 files per directory.
    case oneLevel = 1
    /// `ab/cd/<sha256>`: 65,536 directories (jobs created before). Up to some 100,000 bodies nearly
    /// every body made a directory of its own: a syscall and an inode each (10,800 `mkdirat`,
    /// about 3% of the crawl's CPU, on the bench site).
    case twoLevels = 2

    /// Bytes of a body's directory path: `ab` (2) or `ab/cd` (5).
    var directoryLength: Int { rawValue * 3 - 1 }
}
