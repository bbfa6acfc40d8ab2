import Foundation

/// Repairs a job's WARC directory when a run starts, after whatever ended the last one
/// (kill -9 included): the newest file loses a partial record at its tail (and a request record
/// left without its response), and a file shorter than what the database recorded as committed
/// (data lost below the process: an OS crash, a file cut or removed by hand) is cut back to its
/// last intact record and reported, so that the database can drop the lost records and the crawl
/// fetch those URLs again.
///
/// Runs on the WARC writer's thread before anything is written.
enum WarcRecovery {
    /// What recovery found and did.
    struct Report: Sendable {
        /// Files whose database-recorded records go past their intact data: name → intact end.
        var lost: [String: Int64] = [:]
        /// The newest file, repaired, which the writer continues: name and size.
        var newest: (name: String, size: Int64)?
        /// The highest serial in use; the next file gets one more.
        var lastSerial = 0
        /// Tails cut off: file, size before, size after.
        var truncated: [(file: String, from: Int64, to: Int64)] = []
    }

    /// Repairs `directory`; `committed` holds, per file name, the end of the last record group
    /// the database committed in it.
    static func run(directory: String, committed: [String: Int64]) throws(WarcError) -> Report {
        var report = Report()
        let onDisk = WarcFileName.list(in: directory)
        let known = committed.keys.compactMap(WarcFileName.init(parsing:))
        report.lastSerial = (onDisk + known).map(\.serial).max() ?? 0
        let newest = onDisk.last?.name
        var names = Set(onDisk.map(\.name))
        names.formUnion(committed.keys)
        for name in names.sorted() {
            let path = directory + "/" + name
            let size = try fileSize(path)
            let committedEnd = committed[name] ?? 0
            guard name == newest || size < committedEnd else { continue }
            guard size > 0 else {
                if committedEnd > 0 { report.lost[name] = 0 }
                continue
            }
            let end = try intactEnd(path: path, from: size >= committedEnd ? committedEnd : 0)
            if end < size {
                guard truncate(path, off_t(end)) == 0 else { throw .io(path: path, operation: "truncate", errno: errno) }
                report.truncated.append((name, size, end))
            }
            if end < committedEnd { report.lost[name] = end }
            if name == newest { report.newest = (name, end) }
        }
        return report
    }

    /// The end of the last intact record from `offset` (a record boundary) on: the file's tail
    /// past it is a partial record, bytes that are not a record, or request records whose
    /// response never made it.
    static func intactEnd(path: String, from offset: Int64) throws(WarcError) -> Int64 {
        let reader = try WarcMemberReader(path: path, from: offset, headLimit: 4096)
        var end = offset
        scan: while true {
            switch try reader.next() {
            case let .member(member):
                guard let head = WarcRecordHead(member.head) else { break scan }
                if head.type != "request" { end = member.end }
            case .end, .truncated, .corrupt:
                break scan
            }
        }
        return end
    }

    /// Size of the file at `path`; 0 if it does not exist.
    static func fileSize(_ path: String) throws(WarcError) -> Int64 {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return 0 }
            throw .io(path: path, operation: "stat", errno: errno)
        }
        return Int64(info.st_size)
    }
}
