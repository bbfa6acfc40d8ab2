import Testing

@testable import CrawlCore

/// The records ``CrawlArchiver`` makes of one fetch: where the payload digest comes from, and when
/// a recrawl gets a revisit (digests of older jobs in another algorithm included).
@Suite("WARC records of a fetch")
struct CrawlArchiverTests {
    static let url = "http://a.test/page.html"
    static let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 23\r\n\r\n".utf8)
    static let body = Array("<html>same bytes</html>".utf8)

    /// A 200 of `body` as the fetcher captures it; `raw`: the body as received when it differs.
    static func response(status: Int = 200, body: [UInt8] = body, raw: [UInt8]? = nil) -> FetchResponse {
        var response = FetchResponse(url: url, status: status, contentType: "text/html", body: body, primaryIP: "127.0.0.1")
        response.exchange = CapturedExchange(
            requestHead: Array("GET /page.html HTTP/1.1\r\nHost: a.test\r\n\r\n".utf8), responseHead: head, rawBody: raw,
            sentAt: 1_700_000_000)
        return response
    }

    static func result(_ outcome: FetchOutcome, hash: String?) -> URLResult {
        var result = URLResult(urlID: 1, hostID: 1, state: .done)
        result.outcome = outcome
        result.contentHash = hash
        return result
    }

    static func previous(digest: String?) -> PreviousFetch {
        PreviousFetch(status: 200, contentHash: ContentHash.sha256Hex(body), etag: nil, lastModified: nil,
                      archivedResponse: ArchivedResponse(recordID: "<urn:uuid:first>", date: 1_600_000_000, payloadDigest: digest))
    }

    /// The primary record of `group`, parsed.
    static func primary(_ group: WarcRecordGroup) throws -> (fields: [String: [String]], block: [UInt8]) {
        let member = try #require(group.primary)
        let inflated = inflateMember(group.bytes[member.offset..<(member.offset + member.length)])
        return try #require(parseRecord(inflated.content))
    }

    static func records(_ response: FetchResponse, _ result: URLResult?, previous: PreviousFetch? = nil) throws -> WarcRecordGroup {
        try #require(CrawlArchiver.records(url: url, response: response, result: result, previous: previous,
                                           encoder: WarcRecordEncoder()))
    }

    @Test func aBodyReceivedAsStoredTakesItsContentHashAsPayloadDigest() throws {
        let group = try Self.records(Self.response(), Self.result(.new, hash: ContentHash.sha256Hex(Self.body)))
        let record = try Self.primary(group)
        #expect(record.fields["WARC-Type"] == ["response"])
        #expect(record.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: Self.body)])
        #expect(record.fields["WARC-Block-Digest"] == [WarcDigest.label(of: Self.head + Self.body)])
        #expect(group.primary?.payloadDigest == WarcDigest.label(of: Self.body))

        // The digest is taken from the result, not hashed again: a (made-up) other hash shows through.
        let other = ContentHash.sha256Hex(Array("something else".utf8))
        let reused = try Self.primary(Self.records(Self.response(), Self.result(.new, hash: other)))
        #expect(reused.fields["WARC-Payload-Digest"] == [try #require(WarcDigest.label(sha256Hex: other))])
    }

    @Test func aBodyReceivedEncodedIsHashedAsReceived() throws {
        let raw = Array("17\r\n<html>same bytes</html>\r\n0\r\n\r\n".utf8)
        let group = try Self.records(Self.response(raw: raw), Self.result(.new, hash: ContentHash.sha256Hex(Self.body)))
        let record = try Self.primary(group)
        #expect(record.block == Self.head + raw)
        #expect(record.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: raw)])
        #expect(record.fields["WARC-Block-Digest"] == [WarcDigest.label(of: Self.head + raw)])
    }

    @Test func withoutAContentHashThePayloadIsHashed() throws {
        let notFound = Array("gone".utf8)
        let record = try Self.primary(Self.records(Self.response(status: 404, body: notFound), Self.result(.error, hash: nil)))
        #expect(record.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: notFound)])
        let robots = try Self.primary(Self.records(Self.response(), nil))
        #expect(robots.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: Self.body)])
    }

    @Test func anUnchangedBodyIsARevisitOfTheResponseWithTheSameDigest() throws {
        let hash = ContentHash.sha256Hex(Self.body)
        let previous = Self.previous(digest: WarcDigest.label(of: Self.body))
        let record = try Self.primary(Self.records(Self.response(), Self.result(.unchanged, hash: hash), previous: previous))
        #expect(record.fields["WARC-Type"] == ["revisit"])
        #expect(record.fields["WARC-Profile"] == [WarcRecord.profileIdenticalPayload])
        #expect(record.fields["WARC-Refers-To"] == ["<urn:uuid:first>"])
        #expect(record.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: Self.body)])
        #expect(record.block == Self.head)

        // Same decoded body, other bytes as received (now chunked): a full response.
        let raw = Array("17\r\n<html>same bytes</html>\r\n0\r\n\r\n".utf8)
        let chunked = try Self.primary(Self.records(Self.response(raw: raw), Self.result(.unchanged, hash: hash), previous: previous))
        #expect(chunked.fields["WARC-Type"] == ["response"])
    }

    @Test func aDigestOfAnOlderJobInSHA1GetsAFullResponse() throws {
        let sha1 = Self.previous(digest: "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5")
        let hash = ContentHash.sha256Hex(Self.body)
        let unchanged = try Self.primary(Self.records(Self.response(), Self.result(.unchanged, hash: hash), previous: sha1))
        #expect(unchanged.fields["WARC-Type"] == ["response"])
        #expect(unchanged.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: Self.body)])
        #expect(unchanged.block == Self.head + Self.body)

        // A 304 has no body to write: a revisit still, naming no digest of the other algorithm.
        let notModified = Self.response(status: 304, body: [])
        let revisit = try Self.primary(Self.records(notModified, Self.result(.notModified, hash: nil), previous: sha1))
        #expect(revisit.fields["WARC-Type"] == ["revisit"])
        #expect(revisit.fields["WARC-Profile"] == [WarcRecord.profileServerNotModified])
        #expect(revisit.fields["WARC-Payload-Digest"] == nil)
        let current = try Self.primary(Self.records(
            notModified, Self.result(.notModified, hash: nil), previous: Self.previous(digest: WarcDigest.label(of: Self.body))))
        #expect(current.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: Self.body)])
    }
}
