import Testing

@testable import CrawlCore

@Suite("CDXJ index")
struct CDXJTests {
    /// Expected keys from the reference `surt` library (python, surt.surt(url) with its defaults).
    @Test(arguments: [
        ("http://127.0.0.11:8088/p/1.html?b=2&a=1", "11,0,0,127:8088)/p/1.html?a=1&b=2"),
        ("http://www.Example.com/A/B/?Z=1&a=2&", "com,example)/a/b?&a=2&z=1"),
        ("https://example.com:443/", "com,example)/"),
        ("http://example.com:8080/x/", "com,example:8080)/x"),
        ("http://Example.com/%C3%A9t%C3%A9-1.html", "com,example)/%c3%a9t%c3%a9-1.html"),
        ("http://example.com", "com,example)/"),
        ("http://www2.example.com/a#frag", "com,example)/a"),
        ("http://example.com/a?", "com,example)/a"),
        ("http://example.com/a?b&a=", "com,example)/a?a=&b"),
        ("http://sub.example.co.uk/path;jsessionid=123?x=1", "uk,co,example,sub)/path;jsessionid=123?x=1"),
        ("http://user:pw@example.com:80/", "com,example)/"),
    ])
    func surtKeysMatchTheReferenceLibrary(url: String, key: String) {
        #expect(SURT.key(url) == key)
    }

    @Test func responseAndRevisitRecordsBecomeLines() throws {
        let encoder = WarcRecordEncoder()
        var group = WarcRecordGroup()
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: Text/HTML; charset=utf-8\r\n\r\n".utf8)
        var response = WarcRecord(type: "response", date: 1_700_000_000, targetURI: "http://www.a.test/P?b=1&a=2",
                                  contentType: WarcRecord.httpResponseType, block: [head, Array("<p>hi</p>".utf8)])
        response.payload = .fromPart(1)
        encoder.append(response, to: &group, primary: true)
        var revisit = WarcRecord(type: "revisit", date: 1_700_000_100, targetURI: "http://www.a.test/P?b=1&a=2",
                                 contentType: WarcRecord.httpResponseType, block: [Array("HTTP/1.1 304 Not Modified\r\n\r\n".utf8)])
        revisit.payload = .given(try #require(group.members[0].payloadDigest))
        encoder.append(revisit, to: &group)
        encoder.append(WarcRecord(type: "request", date: 1_700_000_000, targetURI: "http://a.test/", block: [[]]), to: &group)

        var lines: [String] = []
        for member in group.members {
            let content = inflateMember(group.bytes[member.offset...]).content
            let fake = WarcMemberReader.Member(offset: Int64(member.offset), length: Int64(member.length), head: content,
                                               inflatedLength: Int64(content.count))
            if let head = WarcRecordHead(content), let line = CDXJIndexer.line(head, member: fake, filename: "f.warc.gz") {
                lines.append(line)
            }
        }
        let label = try #require(group.members[0].payloadDigest)
        #expect(label.hasPrefix("sha256:"))
        let digest = String(label.dropFirst("sha256:".count))
        #expect(lines == [
            "test,a)/p?a=2&b=1 20231114221320 {\"url\": \"http://www.a.test/P?b=1&a=2\", \"mime\": \"text/html\", \"status\": \"200\", "
                + "\"digest\": \"\(digest)\", \"length\": \"\(group.members[0].length)\", \"offset\": \"0\", \"filename\": \"f.warc.gz\"}",
            "test,a)/p?a=2&b=1 20231114221500 {\"url\": \"http://www.a.test/P?b=1&a=2\", \"mime\": \"warc/revisit\", \"status\": \"304\", "
                + "\"digest\": \"\(digest)\", \"length\": \"\(group.members[1].length)\", \"offset\": \"\(group.members[1].offset)\", "
                + "\"filename\": \"f.warc.gz\"}",
        ])
    }

    @Test func linesSortBytewiseWithBoundedMemory() throws {
        let sorter = try ExternalLineSorter()
        var expected: [String] = []
        var generator = SystemRandomNumberGenerator()
        for index in 0..<120_000 {
            let line = "k\(UInt32.random(in: 0...UInt32.max, using: &generator)) \(index)"
            expected.append(line)
            try sorter.add(line)
        }
        try sorter.add("Z upper-case sorts before lower-case")
        expected.append("Z upper-case sorts before lower-case")
        var sorted: [String] = []
        try sorter.sorted { sorted.append($0) }
        #expect(sorted == expected.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}
