import Foundation

/// Bodies on disk, content-addressed: `ROOT/ab/cd/<sha256>` holds a body whose SHA-256 starts with
/// "abcd", so identical bodies are stored once. A body is written to `ROOT/tmp/`, then renamed into
/// place, so a file under its hash is always complete. Callable from any thread (worker threads).
public final class BodyStore: Sendable {
    public let root: String
    private let tmpDirectory: String

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
    public init(root: String) throws(Failure) {
        self.root = root
        self.tmpDirectory = root + "/tmp"
        try Self.makeDirectories(tmpDirectory)
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws(Failure) {
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
    public func store(_ body: UnsafeRawBufferPointer, hash: String) throws(Failure) -> String {
        let utf8 = Array(hash.utf8)
        let level1 = String(decoding: utf8[0..<2], as: UTF8.self)
        let level2 = String(decoding: utf8[2..<4], as: UTF8.self)
        let relative = "\(level1)/\(level2)/\(hash)"
        let final = root + "/" + relative
        if access(final, F_OK) == 0 { return relative }  // identical body stored already
        let directory = root + "/" + level1 + "/" + level2
        if mkdir(directory, 0o755) != 0 && errno == ENOENT {
            mkdir(root + "/" + level1, 0o755)
            mkdir(directory, 0o755)
        }
        let temporary = "\(tmpDirectory)/\(hash).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, errno: errno) }
        var offset = 0
        while offset < body.count {
            let written = write(fd, body.baseAddress! + offset, body.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                unlink(temporary)
                throw .io(path: temporary, errno: code)
            }
            offset += written
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
}
