import Foundation

/// The WARC files of one job as they are written: the open file, the bytes placed but not yet
/// written, rotation at the size limit, a `warcinfo` record at the start of every file.
///
/// Owned by the one writer thread of ``WarcWriter``; every method runs there. Groups are placed
/// into a buffer and written in one `write(2)` when the thread has nothing else to place (or the
/// buffer is large): group commit, so writes grow with the load. A group's completion runs only
/// after its bytes are written; the crawl queues a result for its database commit from there, so
/// a committed row never points at bytes that are not in the file.
final class WarcFileWriter {
    /// Where and how files are written. A plain value.
    struct Configuration: Sendable {
        var directory: String
        /// A file is closed, and the next one begun, before a group would take it past this size
        /// (a group larger than the limit gets a file of its own).
        var maxFileSize: Int64
        /// The `warcinfo` fields of every file (software, format, user agent, robots policy, …).
        var info: [WarcInfoField]
        /// The gzip level of the warcinfo records (the others come encoded).
        var level: Int32 = WarcRecordEncoder.defaultLevel
        var host: String = WarcFileName.localHost
        /// Placed bytes are written once this many are waiting, even while more groups queue up.
        var writeThreshold = 8 << 20
    }

    private struct OpenFile {
        var descriptor: Int32
        var name: String
        /// Bytes in the file, placed ones included.
        var size: Int64
        /// True once a record other than warcinfo is in the file.
        var hasRecords: Bool
    }

    private let configuration: Configuration
    private let encoder: WarcRecordEncoder
    private var file: OpenFile?
    /// Encoded groups placed but not written yet, in file order (written as they are: no copy
    /// into one buffer), and how many bytes they hold.
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var lastSerial = 0
    private var failure: WarcError?
    /// Groups placed but not yet written, with what to call once they are.
    private var waiting: [(placement: WarcPlacement, completion: Completion)] = []

    typealias Completion = @Sendable (Result<WarcPlacement, WarcError>) -> Void

    init(configuration: Configuration) {
        self.configuration = configuration
        encoder = WarcRecordEncoder(level: configuration.level)
    }

    deinit {
        if let file { Foundation.close(file.descriptor) }
    }

    /// Continues after ``WarcRecovery``: the next file gets `lastSerial + 1`; `name` (the
    /// newest file, repaired) is appended to if given and not full.
    func resume(lastSerial: Int, continuing name: String?, size: Int64) throws(WarcError) {
        self.lastSerial = lastSerial
        guard let name, size < configuration.maxFileSize else { return }
        let path = configuration.directory + "/" + name
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard descriptor >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        file = OpenFile(descriptor: descriptor, name: name, size: size, hasRecords: size > 0)
        if size == 0 { placeWarcinfo() }
    }

    /// Places `group` and calls `completion` once its bytes are written (or with the error that
    /// stopped the writer): with this call when `idle` (no other group waits to be placed) or the
    /// buffer is large, else with a later one. Completions run in placement order.
    func place(_ group: WarcRecordGroup, idle: Bool, completion: @escaping Completion) {
        do throws(WarcError) {
            waiting.append((try place(group), completion))
            if idle || pendingBytes >= configuration.writeThreshold { try flush() }
        } catch {
            completion(.failure(error))
        }
    }

    /// Reserves the group's place at the end of the current file (rotating first if the group
    /// would take the file past the limit) and queues its bytes for the next write.
    func place(_ group: WarcRecordGroup) throws(WarcError) -> WarcPlacement {
        if let failure { throw .stopped(failure.description) }
        do throws(WarcError) {
            if let current = file, current.hasRecords, current.size + Int64(group.bytes.count) > configuration.maxFileSize {
                try closeFile()
            }
            if file == nil { try openNextFile() }
            let offset = file!.size
            pending.append(group.bytes)
            pendingBytes += group.bytes.count
            file!.size += Int64(group.bytes.count)
            file!.hasRecords = true
            return WarcPlacement(file: file!.name, offset: offset, end: file!.size)
        } catch {
            failure = error
            throw error
        }
    }

    /// Writes every placed byte to the file (write(2): safe from a crash of the process once it
    /// returns), then runs the completions of the groups written.
    func flush() throws(WarcError) {
        let written = waiting
        waiting = []
        do throws(WarcError) {
            if let failure { throw .stopped(failure.description) }
            try writePending()
        } catch {
            failure = error
            for group in written { group.completion(.failure(error)) }
            throw error
        }
        for group in written { group.completion(.success(group.placement)) }
    }

    /// Writes what is placed, syncs and closes the file. Idempotent.
    func close() throws(WarcError) {
        try flush()
        try closeFile()
    }

    private func openNextFile() throws(WarcError) {
        lastSerial += 1
        let name = WarcFileName(serial: lastSerial, at: MonotonicClock.wallNow, host: configuration.host).name
        let path = configuration.directory + "/" + name
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        file = OpenFile(descriptor: descriptor, name: name, size: 0, hasRecords: false)
        placeWarcinfo()
    }

    /// The `warcinfo` record that opens every file.
    private func placeWarcinfo() {
        guard var current = file else { return }
        var record = WarcRecord(
            type: "warcinfo", date: MonotonicClock.wallNow, contentType: WarcRecord.warcFieldsType,
            block: [WarcRecord.warcFields(configuration.info.map { ($0.name, $0.value) })])
        record.fields = [("WARC-Filename", current.name)]
        var group = WarcRecordGroup()
        encoder.append(record, to: &group)
        pending.append(group.bytes)
        pendingBytes += group.bytes.count
        current.size += Int64(group.bytes.count)
        file = current
    }

    private func writePending() throws(WarcError) {
        guard let current = file, !pending.isEmpty else { return }
        let path = configuration.directory + "/" + current.name
        for bytes in pending {
            let result: Int32 = bytes.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(current.descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += written
                }
                return 0
            }
            guard result == 0 else { throw .io(path: path, operation: "write", errno: result) }
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    private func closeFile() throws(WarcError) {
        guard let current = file else { return }
        try writePending()
        let path = configuration.directory + "/" + current.name
        file = nil
        if fsync(current.descriptor) != 0 {
            let code = errno
            Foundation.close(current.descriptor)
            throw .io(path: path, operation: "sync", errno: code)
        }
        if Foundation.close(current.descriptor) != 0 { throw .io(path: path, operation: "close", errno: errno) }
    }
}

/// One `name: value` line of a `warcinfo` record.
public struct WarcInfoField: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
