/// Encodes WARC records into gzip members: digests (``WarcDigest``) of the block and payload,
/// the header, then one member per record. Reuses its zlib stream and digesters.
///
/// Not thread-safe: one per thread (each parse worker has one; so has ``WarcFileWriter``, for the
/// warcinfo records, used under its writer's lock).
public final class WarcRecordEncoder {
    /// The gzip level of every member when `--warc-gzip-level` is not given: 0, members stored
    /// uncompressed (still gzip, one member per record). Measured on the bench site (2 cores,
    /// 12k pages, 212 MB of HTML): level 0 costs 11% of the crawl's throughput, level 1 36–44%
    /// for files 2.7 times smaller; the budget for WARC output is 20% (README).
    public static let defaultLevel: Int32 = 0

    /// zlib's level: 0 stores, 1 is fastest, 9 smallest.
    public var level: Int32 { deflater.level }
    private let deflater: ZlibDeflateStream
    private let blockDigester = SHA256Digester()
    private let payloadDigester = SHA256Digester()
    /// For record ids without a system call each (they need to be unique, not secret).
    private var random = Xoshiro256StarStar()

    public init(level: Int32 = WarcRecordEncoder.defaultLevel) {
        deflater = ZlibDeflateStream(level: level)
    }

    /// A new `WARC-Record-ID`.
    public func newRecordID() -> String {
        WarcRecordID.make(using: &random)
    }

    /// Appends `record` to `group` as one gzip member; `primary` marks it as the record the
    /// crawl database tracks.
    public func append(_ record: WarcRecord, to group: inout WarcRecordGroup, primary: Bool = false) {
        for part in record.block { blockDigester.update(part) }
        let blockDigest = blockDigester.finishLabel()
        let payloadDigest: String?
        switch record.payload {
        case .none:
            payloadDigest = nil
        case let .given(digest):
            payloadDigest = digest
        case let .fromPart(first):
            for part in record.block.dropFirst(first) { payloadDigester.update(part) }
            payloadDigest = payloadDigester.finishLabel()
        }
        let header = record.header(blockDigest: blockDigest, payloadDigest: payloadDigest)
        let start = group.count
        if deflater.level == 0 {
            group.appendStoredMember([header[...]] + record.block.map { $0[...] } + [WarcRecord.trailer[...]])
        } else {
            withBuffers([header] + record.block + [WarcRecord.trailer]) { deflater.appendMember($0, to: &group.tail) }
        }
        if primary { group.primaryIndex = group.members.count }
        group.members.append(WarcRecordGroup.Member(
            type: record.type, recordID: record.id, offset: start, length: group.count - start,
            payloadDigest: payloadDigest, date: record.date))
    }

    /// Calls `body` with raw views of every array in `arrays` (kept alive for the call).
    private func withBuffers(_ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) -> Void) {
        var views: [UnsafeRawBufferPointer] = []
        views.reserveCapacity(arrays.count)
        func nest(_ index: Int) {
            guard index < arrays.count else { return body(views) }
            arrays[index].withUnsafeBytes { buffer in
                views.append(buffer)
                nest(index + 1)
            }
        }
        nest(0)
    }
}
