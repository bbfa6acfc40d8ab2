/// Encodes WARC records into gzip members: digests (SHA-1, base32) of the block and payload,
/// the header, then one member per record. Reuses its zlib stream and digesters.
///
/// Not thread-safe: one per thread (each parse worker has one; so has the writer thread).
public final class WarcRecordEncoder {
    /// The gzip level of every member (see README: chosen by measurement on the bench site).
    public static let defaultLevel: Int32 = 1

    private let deflater: ZlibDeflateStream
    private let blockDigester = SHA1Digester()
    private let payloadDigester = SHA1Digester()

    public init(level: Int32 = WarcRecordEncoder.defaultLevel) {
        deflater = ZlibDeflateStream(level: level)
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
        let start = group.bytes.count
        let parts = [header] + record.block + [WarcRecord.trailer]
        withBuffers(parts) { deflater.appendMember($0, to: &group.bytes) }
        if primary { group.primaryIndex = group.members.count }
        group.members.append(WarcRecordGroup.Member(
            type: record.type, recordID: record.id, offset: start, length: group.bytes.count - start,
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
