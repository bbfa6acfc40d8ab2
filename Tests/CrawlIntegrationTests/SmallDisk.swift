import Foundation
import Testing

/// A file system of a few MiB mounted on a scratch folder: a disk that fills up. Either a tmpfs
/// (grown later with ``grow(toKilobytes:)``, the way an operator adds space) or an ext4 image on a
/// loop device, which also runs out of inodes and refuses new directories like a real disk.
/// Mounting needs root (CAP_SYS_ADMIN); where it is not permitted, the factory methods cancel
/// the test (a skip, with the reason). Unmount with ``unmount()`` before the scratch folder goes.
struct SmallDisk {
    let path: String
    /// Where the output of `mount` goes (a scratch folder outside the mount).
    let logDirectory: String

    /// A tmpfs of `kilobytes` KiB on `path` (created if needed), or the test is cancelled.
    static func tmpfs(at path: String, kilobytes: Int, logDirectory: String) async throws -> SmallDisk {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try await run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0755", "tmpfs", path], in: logDirectory)
        if mounted.code != 0 { try Test.cancel("a tmpfs cannot be mounted here (needs root): \(mounted.stderr.trimmed)") }
        return SmallDisk(path: path, logDirectory: logDirectory)
    }

    /// An ext4 file system of `megabytes` MiB (no blocks reserved for root) in `path`.img,
    /// loop-mounted on `path`, or the test is cancelled.
    static func ext4(at path: String, megabytes: Int, logDirectory: String) async throws -> SmallDisk {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let image = path + ".img"
        guard FileManager.default.createFile(atPath: image, contents: nil),
              let handle = FileHandle(forWritingAtPath: image)
        else { throw SetupError("cannot create \(image)") }
        try handle.truncate(atOffset: UInt64(megabytes) << 20)
        try handle.close()
        let made = try await run("/sbin/mkfs.ext4", ["-q", "-F", "-m", "0", image], in: logDirectory)
        if made.code != 0 { try Test.cancel("mkfs.ext4 is not usable here: \(made.stderr.trimmed)") }
        let mounted = try await run("/bin/mount", ["-o", "loop", image, path], in: logDirectory)
        if mounted.code != 0 { try Test.cancel("a loop device cannot be mounted here (needs root): \(mounted.stderr.trimmed)") }
        return SmallDisk(path: path, logDirectory: logDirectory)
    }

    /// A tmpfs grown to `kilobytes` KiB: space freed without touching what is stored.
    func grow(toKilobytes kilobytes: Int) async throws {
        let result = try await Self.run("/bin/mount", ["-o", "remount,size=\(kilobytes)k", path], in: logDirectory)
        guard result.code == 0 else { throw SetupError("remount of \(path) failed: \(result)") }
    }

    /// Fills the disk to the last block with the file `path`/filler; deleting it frees the space
    /// again. Returns its path.
    func fill() throws -> String {
        let filler = path + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SetupError("cannot create \(filler): errno \(errno)") }
        defer { close(fd) }
        for size in [1 << 16, 1 << 12, 1 << 9] {
            let chunk = [UInt8](repeating: 0, count: size)
            while write(fd, chunk, size) == size {}  // until ENOSPC (or a short write at the end)
        }
        return filler
    }

    /// Deletes what ``fill()`` wrote and fsyncs the folder it was in, the way an operator frees
    /// space: ext4 returns the blocks of a deleted file only when the journal transaction of the
    /// `unlink` commits (every few seconds, or at that fsync), and a resume started the instant
    /// after the `unlink` could still meet ENOSPC.
    func free(_ filler: String) throws {
        try FileManager.default.removeItem(atPath: filler)
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw SetupError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw SetupError("fsync \(path): errno \(errno)") }
    }

    /// Lazy unmount: succeeds even if a killed process still holds a file there; a loop device
    /// is released with it.
    func unmount() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        try? process.run()
        process.waitUntilExit()
    }

    private static func run(_ executable: String, _ arguments: [String], in directory: String) async throws -> CommandResult {
        let name = URL(fileURLWithPath: executable).lastPathComponent + "-" + UUID().uuidString.prefix(8)
        return try await ChildProcess.run(executable, arguments, in: directory, name: name, timeout: 60)
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
