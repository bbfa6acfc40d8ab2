/// The records of one fetch, encoded (each its own gzip member) and concatenated, ready to be
/// appended to a WARC file as one piece. Built on a parse worker by ``WarcRecordEncoder``, then
/// written by the same worker. A plain value.
///
/// Its bytes are ``pieces``: the encoder's own buffers (headers, framing, compressed members),
/// and, in a stored member (level 0), the large parts of a block as the slices they are: a
/// response body is shared with the response, never copied into the group.
public struct WarcRecordGroup: Sendable {
    /// One encoded record.
    public struct Member: Sendable, Equatable {
        public var type: String
        public var recordID: String
        /// Where its gzip member starts within the group's bytes.
        public var offset: Int
        public var length: Int
        /// `WARC-Payload-Digest`, if the record has one.
        public var payloadDigest: String?
        public var date: Double
    }

    public internal(set) var members: [Member] = []
    /// The index in ``members`` of the record the crawl database tracks (the response or revisit).
    public var primaryIndex: Int?
    /// Pieces complete before ``tail``, and their bytes.
    private var sealed: [ArraySlice<UInt8>] = []
    private var sealedCount = 0
    /// The bytes being added to (the encoder appends here), after ``sealed``.
    var tail: [UInt8] = []

    public init() {}

    public var primary: Member? { primaryIndex.map { members[$0] } }

    /// Bytes in the group.
    public var count: Int { sealedCount + tail.count }

    /// The group's bytes in order, as slices of the arrays that hold them.
    public var pieces: [ArraySlice<UInt8>] { tail.isEmpty ? sealed : sealed + [tail[...]] }

    /// The group's bytes copied into one array (for readers and tests; writing uses ``pieces``).
    public var bytes: [UInt8] { Array(pieces.joined()) }

    /// Appends `slice` without copying it: the group keeps a reference to its array.
    mutating func share(_ slice: ArraySlice<UInt8>) {
        guard !slice.isEmpty else { return }
        if !tail.isEmpty {
            sealedCount += tail.count
            sealed.append(tail[...])
            tail = []
        }
        sealedCount += slice.count
        sealed.append(slice)
    }
}

/// Where a group landed: its file and offsets. Made under the WARC writer's lock.
public struct WarcPlacement: Sendable, Equatable {
    /// The file's name within the WARC directory.
    public var file: String
    /// Offset of the group's first record.
    public var offset: Int64
    /// Offset just after the group's last record.
    public var end: Int64
}

/// What the crawl database keeps of an archived response or revisit: enough to find it again
/// (file, offset, length) and for a later revisit record to refer to it.
public struct ArchivedRecord: Sendable, Equatable {
    public var file: String
    public var offset: Int64
    public var length: Int64
    /// Offset after the last record of the fetch's group (the database's committed end of the file).
    public var groupEnd: Int64
    /// "response" or "revisit".
    public var type: String
    public var recordID: String
    /// WARC-Date, Unix seconds.
    public var date: Double
    public var payloadDigest: String?

    public init(file: String, offset: Int64, length: Int64, groupEnd: Int64, type: String, recordID: String,
                date: Double, payloadDigest: String?) {
        self.file = file
        self.offset = offset
        self.length = length
        self.groupEnd = groupEnd
        self.type = type
        self.recordID = recordID
        self.date = date
        self.payloadDigest = payloadDigest
    }

    /// The primary record of `group`, placed at `placement`; nil if the group has none.
    public init?(group: WarcRecordGroup, placement: WarcPlacement) {
        guard let primary = group.primary else { return nil }
        self.init(file: placement.file, offset: placement.offset + Int64(primary.offset), length: Int64(primary.length),
                  groupEnd: placement.end, type: primary.type, recordID: primary.recordID, date: primary.date,
                  payloadDigest: primary.payloadDigest)
    }
}
