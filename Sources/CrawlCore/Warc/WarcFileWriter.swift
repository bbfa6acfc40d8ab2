import Foundation

/// The WARC files of one job as they are written: the open file, rotation at the size limit, a
/// `warcinfo` record at the start of every file.
///
/// Not thread-safe: ``WarcWriter`` keeps it behind its lock, and whoever holds the lock calls
/// ``append(_:)``; that returns once the group is written (write(2) returned), so a result queued
/// for its database commit after it never points at bytes that are not in the file.
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
    /// Encoded bytes placed but not written yet, in file order: a new file's warcinfo record, then
    /// the pieces of the group being appended (slices of the arrays that hold them).
    private var pending: [ArraySlice<UInt8>] = []
    private var lastSerial = 0
    private var failure: WarcError?

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

    /// Places `group` at the end of the current file and writes it: where it landed, once it is
    /// written. After a failure nothing more is written (every later call throws).
    func append(_ group: WarcRecordGroup) throws(WarcError) -> WarcPlacement {
        let placement = try place(group)
        try flush()
        return placement
    }

    /// Reserves the group's place at the end of the current file (rotating first if the group
    /// would take the file past the limit) and queues its bytes for the next write.
    func place(_ group: WarcRecordGroup) throws(WarcError) -> WarcPlacement {
        if let failure { throw .stopped(failure.description) }
        do throws(WarcError) {
            if let current = file, current.hasRecords, current.size + Int64(group.count) > configuration.maxFileSize {
                try closeFile()
            }
            if file == nil { try openNextFile() }
            let offset = file!.size
            pending += group.pieces
            file!.size += Int64(group.count)
            file!.hasRecords = true
            return WarcPlacement(file: file!.name, offset: offset, end: file!.size)
        } catch {
            failure = error
            throw error
        }
    }

    /// Writes every placed byte to the file (write(2): safe from a crash of the process once it
    /// returns).
    func flush() throws(WarcError) {
        if let failure { throw .stopped(failure.description) }
        do throws(WarcError) {
            try writePending()
        } catch {
            failure = error
            throw error
        }
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
        pending += group.pieces
        current.size += Int64(group.count)
        file = current
    }

    /// Writes ``pending`` with writev(2), as many pieces per call as it takes.
    private func writePending() throws(WarcError) {
        guard let current = file, !pending.isEmpty else { return }
        let code = Self.withBuffers(pending) { buffers in Self.writeAll(buffers, to: current.descriptor) }
        guard code == 0 else { throw .io(path: configuration.directory + "/" + current.name, operation: "write", errno: code) }
        pending.removeAll(keepingCapacity: true)
    }

    /// Pieces per writev(2) call: a group has a handful; Linux takes up to 1,024 (IOV_MAX).
    private static let piecesPerWrite = 64

    /// Writes every byte of `buffers` to `descriptor`, in order; 0, or the errno that stopped it.
    private static func writeAll(_ buffers: [UnsafeRawBufferPointer], to descriptor: Int32) -> Int32 {
        var vectors = buffers.filter { !$0.isEmpty }.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
        var first = 0
        while first < vectors.count {
            let count = Int32(min(vectors.count - first, Self.piecesPerWrite))
            var written = vectors.withUnsafeBufferPointer { writev(descriptor, $0.baseAddress! + first, count) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            // Past the pieces written whole, into the one written in part.
            while first < vectors.count && written >= vectors[first].iov_len {
                written -= vectors[first].iov_len
                first += 1
            }
            if written > 0 {
                vectors[first].iov_base += written
                vectors[first].iov_len -= written
            }
        }
        return 0
    }

    /// Calls `body` with raw views of every slice in `slices` (kept alive for the call).
    private static func withBuffers<R>(_ slices: [ArraySlice<UInt8>], _ body: ([UnsafeRawBufferPointer]) -> R) -> R {
        var views: [UnsafeRawBufferPointer] = []
        views.reserveCapacity(slices.count)
        func nest(_ index: Int) -> R {
            guard index < slices.count else { return body(views) }
            return slices[index].withUnsafeBytes { buffer in
                views.append(buffer)
                return nest(index + 1)
            }
        }
        return nest(0)
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
