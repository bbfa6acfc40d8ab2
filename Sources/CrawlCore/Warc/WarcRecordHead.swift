/// The header of a WARC record read back from its first bytes: the named fields and where the
/// block begins; for an `application/http` block, the HTTP status and Content-Type as well.
/// Pure; callable from any thread.
struct WarcRecordHead {
    /// Field names lower-cased; the first value of each.
    var fields: [String: String] = [:]
    /// Offset of the block within the bytes parsed.
    var blockStart: Int

    /// Parses `bytes` (a record's start); nil unless they begin with a WARC version line and
    /// hold the whole header section.
    init?(_ bytes: [UInt8]) {
        guard bytes.starts(with: Array("WARC/1.".utf8)), let end = Self.headerEnd(bytes) else { return nil }
        blockStart = end
        let text = String(decoding: bytes[..<end], as: UTF8.self)
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            if fields[name] == nil { fields[name] = String(line[line.index(after: colon)...].trimmingBlanks) }
        }
    }

    var type: String? { fields["warc-type"] }
    var recordID: String? { fields["warc-record-id"] }
    var targetURI: String? { fields["warc-target-uri"] }
    var date: String? { fields["warc-date"] }
    var payloadDigest: String? { fields["warc-payload-digest"] }

    /// Status code and Content-Type of an HTTP response block that starts at ``blockStart``.
    func httpResponse(in bytes: [UInt8]) -> (status: Int?, contentType: String?) {
        let block = bytes[blockStart...]
        guard let end = Self.headerEnd(Array(block.prefix(32 * 1024))) else {
            return (Self.status(ofLine: String(decoding: block.prefix(256), as: UTF8.self)), nil)
        }
        let text = String(decoding: block.prefix(end), as: UTF8.self)
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        let status = lines.next().map { Self.status(ofLine: String($0)) } ?? nil
        var contentType: String?
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == "content-type" else { continue }
            contentType = String(line[line.index(after: colon)...].trimmingBlanks)
            break
        }
        return (status, contentType)
    }

    /// `HTTP/1.1 200 OK` → 200.
    private static func status(ofLine line: String) -> Int? {
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1].prefix(3))
    }

    /// Offset after the first CRLF CRLF (or LF LF), or nil.
    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 10 {
                if bytes[index + 1] == 10 { return index + 2 }
                if bytes[index + 1] == 13, index + 2 < bytes.count, bytes[index + 2] == 10 { return index + 3 }
            }
            index += 1
        }
        return nil
    }
}
