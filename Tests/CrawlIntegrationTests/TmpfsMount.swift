import Foundation
import Testing

/// A tmpfs of a few hundred KiB mounted on a scratch folder: a disk that fills up. Mounting needs
/// root (CAP_SYS_ADMIN); where it is not permitted, ``mount(at:kilobytes:)`` cancels the test
/// (a skip, with the reason). Unmount it with ``unmount()`` before the scratch folder is removed.
struct TmpfsMount {
    let path: String
    /// Where the output of `mount` goes (a scratch folder outside the mount).
    let logDirectory: String

    /// Mounts a tmpfs of `kilobytes` KiB on `path` (created if needed), or cancels the test.
    static func mount(at path: String, kilobytes: Int, logDirectory: String) async throws -> TmpfsMount {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try await run(["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0755", "tmpfs", path], in: logDirectory)
        if result.code != 0 {
            try Test.cancel("a tmpfs cannot be mounted here (needs root): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return TmpfsMount(path: path, logDirectory: logDirectory)
    }

    /// Frees space the way an operator would: the same file system, grown to `kilobytes` KiB.
    func grow(to kilobytes: Int) async throws {
        let result = try await Self.run(["-o", "remount,size=\(kilobytes)k", path], in: logDirectory)
        guard result.code == 0 else { throw SetupError("remount of \(path) failed: \(result)") }
    }

    /// Lazy unmount: succeeds even if a killed process still holds a file there.
    func unmount() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/umount")
        process.arguments = ["-l", path]
        try? process.run()
        process.waitUntilExit()
    }

    private static func run(_ arguments: [String], in directory: String) async throws -> CommandResult {
        try await ChildProcess.run("/bin/mount", arguments, in: directory, name: "mount-\(UUID().uuidString.prefix(8))", timeout: 30)
    }
}
