import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Captures what the process writes to fd 2 while a closure runs, for tests that check a C
/// library prints nothing.
///
/// fd 2 belongs to the whole test process and Swift Testing runs tests in parallel, so:
/// - captures are serialized by one process-wide lock. Two overlapping captures would each save
///   the other's redirection, and the later restore would leave fd 2 pointing at a deleted file
///   for the rest of the run, swallowing the test report.
/// - what was captured is written back to the real fd 2 afterwards, so the output other tests
///   (and Swift Testing itself) produced during the window is delayed, not lost.
/// Callers must look for their library's own message patterns, since other tests' output shows
/// up too.
enum StandardErrorCapture {
    private static let lock = NSLock()

    /// Runs `body` with fd 2 redirected to a scratch file; returns what was written there.
    /// Any test thread may call it; concurrent callers wait for each other.
    static func run(_ body: () throws -> Void) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("stderr-capture-\(UUID().uuidString)").path
        let capture = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard capture >= 0 else { throw CocoaError(.fileWriteUnknown) }
        unlink(path)
        defer { close(capture) }
        let saved = dup(2)
        guard saved >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(saved) }
        fflush(nil)
        dup2(capture, 2)
        let result = Result { try body() }
        fflush(nil)
        dup2(saved, 2)
        let captured = Self.contents(of: capture)
        _ = captured.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        try result.get()
        return String(decoding: captured, as: UTF8.self)
    }

    /// Everything in the file open at `fd`, read from its start.
    private static func contents(of fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
            offset += off_t(count)
        }
        return bytes
    }
}
