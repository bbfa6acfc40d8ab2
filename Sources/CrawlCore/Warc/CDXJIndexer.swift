/// CDXJ index lines of WARC files, the form pywb reads: `SURT TIMESTAMP {json}` per response,
/// revisit or resource record, the JSON holding url, mime, status, digest, length, offset and
/// filename (all strings). `crawl export --format cdxj` sorts them (pywb binary-searches the index).
///
/// Callable from any thread; each call reads its own file.
public enum CDXJIndexer {
    /// Reads `path` and calls `emit` with the line of every indexed record, in file order.
    /// `filename` is what the lines name (the file's name within the WARC directory). Stops at
    /// a partial or unreadable record with ``WarcError/unreadable(path:offset:detail:)``.
    public static func index(path: String, filename: String, emit: (String) throws -> Void) throws {
        let reader = try WarcMemberReader(path: path, headLimit: 16 * 1024)
        while true {
            switch try reader.next() {
            case let .member(member):
                guard let head = WarcRecordHead(member.head) else {
                    throw WarcError.unreadable(path: path, offset: member.offset, detail: "not a WARC record")
                }
                if let line = line(head, member: member, filename: filename) { try emit(line) }
            case .end:
                return
            case let .truncated(offset):
                throw WarcError.unreadable(path: path, offset: offset, detail: "the file ends inside a record")
            case let .corrupt(offset):
                throw WarcError.unreadable(path: path, offset: offset, detail: "not a gzip member")
            }
        }
    }

    /// The line of one record, or nil for a record type that is not indexed.
    static func line(_ head: WarcRecordHead, member: WarcMemberReader.Member, filename: String) -> String? {
        guard let type = head.type, ["response", "revisit", "resource"].contains(type),
              let uri = head.targetURI, let date = head.date.flatMap(WarcDate.parse)
        else { return nil }
        var mime = "unk"
        var status: Int?
        if type == "resource" {
            mime = head.fields["content-type"].map(mediaType) ?? mime
        } else {
            let http = head.httpResponse(in: member.head)
            status = http.status
            if type == "revisit" {
                mime = "warc/revisit"
            } else if let contentType = http.contentType {
                mime = mediaType(contentType)
            }
        }
        var digest = head.payloadDigest ?? "-"
        if let colon = digest.firstIndex(of: ":") { digest = String(digest[digest.index(after: colon)...]) }
        var json: [UInt8] = []
        let pairs: [(String, String)] = [
            ("url", uri), ("mime", mime), ("status", status.map(String.init) ?? "-"), ("digest", digest),
            ("length", String(member.length)), ("offset", String(member.offset)), ("filename", filename),
        ]
        json.append(UInt8(ascii: "{"))
        for (index, pair) in pairs.enumerated() {
            if index > 0 { json.append(contentsOf: Array(", ".utf8)) }
            JSONText.appendQuoted(pair.0, to: &json)
            json.append(contentsOf: Array(": ".utf8))
            JSONText.appendQuoted(pair.1, to: &json)
        }
        json.append(UInt8(ascii: "}"))
        return SURT.key(uri) + " " + WarcDate.timestamp14(date) + " " + String(decoding: json, as: UTF8.self)
    }

    /// `text/html; charset=utf-8` → `text/html`.
    private static func mediaType(_ contentType: String) -> String {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingBlanks.lowercased() } ?? ""
        return media.isEmpty ? "unk" : media
    }
}
