/// One WARC 1.1 record before it is encoded: its named fields and its block, given as parts
/// (for a response: the HTTP head as received, then the body as received) so that a body is
/// never copied to build it. A plain value; build it on any thread.
public struct WarcRecord: Sendable {
    /// `WARC-Type`: warcinfo, request, response, revisit, metadata, …
    public var type: String
    public var id: String
    /// `WARC-Date`, Unix seconds.
    public var date: Double
    public var targetURI: String?
    /// Further named fields, in order (WARC-IP-Address, WARC-Concurrent-To, WARC-Profile, …).
    public var fields: [(name: String, value: String)] = []
    public var contentType: String?
    /// The block: the concatenation of these parts.
    public var block: [[UInt8]]
    /// How `WARC-Payload-Digest` is found.
    public var payload: Payload = .none

    /// Where a record's payload digest comes from.
    public enum Payload: Sendable {
        /// No payload digest (warcinfo, request, metadata).
        case none
        /// The payload is the block's parts from this index on: digest computed.
        case fromPart(Int)
        /// Known already, a ``WarcDigest`` label given as is: a revisit names the payload digest of
        /// what it revisits; a response whose payload is the stored body has that body's SHA-256.
        case given(String)
    }

    public init(type: String, id: String = WarcRecordID.make(), date: Double, targetURI: String? = nil,
                contentType: String? = nil, block: [[UInt8]]) {
        self.type = type
        self.id = id
        self.date = date
        self.targetURI = targetURI
        self.contentType = contentType
        self.block = block
    }

    /// Bytes in the block.
    public var blockLength: Int { block.reduce(0) { $0 + $1.count } }

    /// The header section (version line through the empty line), with the digests given.
    func header(blockDigest: String, payloadDigest: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(640)
        bytes.append(contentsOf: "WARC/1.1\r\n".utf8)
        Self.appendField("WARC-Type", type, to: &bytes)
        Self.appendField("WARC-Record-ID", id, to: &bytes)
        bytes.append(contentsOf: "WARC-Date: ".utf8)
        WarcDate.append(date, to: &bytes)
        bytes.append(contentsOf: [13, 10])
        if let targetURI { Self.appendField("WARC-Target-URI", targetURI, to: &bytes) }
        for field in fields { Self.appendField(field.name, field.value, to: &bytes) }
        Self.appendField("WARC-Block-Digest", blockDigest, to: &bytes)
        if let payloadDigest { Self.appendField("WARC-Payload-Digest", payloadDigest, to: &bytes) }
        if let contentType { Self.appendField("Content-Type", contentType, to: &bytes) }
        Self.appendField("Content-Length", String(blockLength), to: &bytes)
        bytes.append(contentsOf: [13, 10])
        return bytes
    }

    /// `name: value` and CRLF. Values are single lines: CR and LF (never in what the crawler
    /// writes) become spaces.
    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: [58, 32])
        let start = bytes.count
        bytes.append(contentsOf: value.utf8)
        for index in start..<bytes.count where bytes[index] == 13 || bytes[index] == 10 { bytes[index] = 32 }
        bytes.append(contentsOf: [13, 10])
    }

    /// What ends every record: two CRLFs after the block.
    static let trailer: [UInt8] = Array("\r\n\r\n".utf8)

    /// `application/warc-fields` text from name/value pairs.
    public static func warcFields(_ pairs: [(String, String)]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (name, value) in pairs { appendField(name, value, to: &bytes) }
        return bytes
    }

    public static let httpRequestType = "application/http; msgtype=request"
    public static let httpResponseType = "application/http; msgtype=response"
    public static let warcFieldsType = "application/warc-fields"
    public static let profileIdenticalPayload = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    public static let profileServerNotModified = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
}
