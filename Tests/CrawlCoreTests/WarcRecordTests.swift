import Foundation
import Testing

@testable import CrawlCore

/// Inflates the gzip member at the start of `bytes`: its content and its compressed length.
func inflateMember(_ bytes: ArraySlice<UInt8>) -> (content: [UInt8], length: Int, complete: Bool) {
    let stream = ZlibInflateStream(format: .gzip)
    let input = Array(bytes)
    var output = [UInt8](repeating: 0, count: 1 << 20)
    var content: [UInt8] = []
    var used = 0
    while true {
        let step = input[used...].withUnsafeBytes { inputBytes in
            output.withUnsafeMutableBytes { stream.inflate(inputBytes, into: $0) }
        }
        used += step.consumed
        content += output[..<step.produced]
        switch step.status {
        case .streamEnd: return (content, used, true)
        case .progress: continue
        case .needsInput, .corrupt: return (content, used, false)
        }
    }
}

/// Splits a record's text into its header fields and block.
func parseRecord(_ content: [UInt8]) -> (fields: [String: [String]], block: [UInt8])? {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard let end = content.firstRange(of: separator) else { return nil }
    var fields: [String: [String]] = [:]
    for line in String(decoding: content[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n").dropFirst() {
        let parts = line.split(separator: ":", maxSplits: 1)
        fields[String(parts[0]), default: []].append(parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
    }
    guard content.suffix(4) == ArraySlice(separator) else { return nil }
    return (fields, Array(content[end.upperBound..<(content.count - 4)]))
}

@Suite("WARC records")
struct WarcRecordTests {
    @Test func base32MatchesRFC4648() {
        let vectors = ["": "", "f": "MY======", "fo": "MZXQ====", "foo": "MZXW6===", "foob": "MZXW6YQ=", "fooba": "MZXW6YTB",
                       "foobar": "MZXW6YTBOI======"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(Base32.decode("MZ1") == nil)
    }

    @Test func digestsAreSHA256Base32Labels() {
        let abc = "sha256:XJ4BNP4PAHH6UQKBIDPF3LRCEOYAGYNDSYLXVHFUCD7WD4QACWWQ===="
        let empty = "sha256:4OYMIQUY7QOBJGX36TEJS35ZEQT24QPEMSNZGTFESWMRW6CSXBKQ===="
        #expect(WarcDigest.label(of: Array("abc".utf8)) == abc)
        #expect(WarcDigest.label(of: []) == empty)
        let digester = SHA256Digester()
        digester.update(Array("a".utf8))
        digester.update(Array("bc".utf8))
        #expect(digester.finishLabel() == abc, "incremental = one-shot")
        #expect(digester.finishLabel() == empty, "finish starts over")
    }

    @Test func aContentHashBecomesTheSameLabel() {
        let body = Array("<html>same bytes</html>".utf8)
        #expect(WarcDigest.label(sha256Hex: ContentHash.sha256Hex(body)) == WarcDigest.label(of: body))
        #expect(WarcDigest.label(sha256Hex: "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")
                == WarcDigest.label(of: Array("abc".utf8)), "upper-case hex")
        for bad in ["", "ba78", String(repeating: "g", count: 64), String(repeating: "a", count: 63), String(repeating: "a", count: 66)] {
            #expect(WarcDigest.label(sha256Hex: bad) == nil, "\(bad)")
        }
        #expect(WarcDigest.isCurrent(WarcDigest.label(of: body)))
        #expect(!WarcDigest.isCurrent("sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5"))
        #expect(!WarcDigest.isCurrent("sha256"))
    }

    @Test(arguments: [Int32(0), 1, 6])
    func eachRecordIsOneGzipMemberWithItsHeaderDigestsAndBlock(level: Int32) throws {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".utf8)
        let body = Array(String(repeating: "payload ", count: 500).utf8)
        var response = WarcRecord(type: "response", date: 1_700_000_000.25, targetURI: "http://a.test/x",
                                  contentType: WarcRecord.httpResponseType, block: [head, body])
        response.fields = [("WARC-IP-Address", "127.0.0.1"), ("WARC-Concurrent-To", "<urn:uuid:1>")]
        response.payload = .fromPart(1)
        let request = WarcRecord(type: "request", date: 1_700_000_000, targetURI: "http://a.test/x",
                                 contentType: WarcRecord.httpRequestType, block: [Array("GET /x HTTP/1.1\r\n\r\n".utf8)])
        let encoder = WarcRecordEncoder(level: level)
        var group = WarcRecordGroup()
        encoder.append(request, to: &group)
        encoder.append(response, to: &group, primary: true)
        let stored = head.count + body.count + 300
        #expect(level == 0 ? group.members[1].length > stored : group.members[1].length < stored / 4, "level \(level)")
        #expect(group.members.map(\.type) == ["request", "response"])
        #expect(group.primary?.recordID == response.id)
        #expect(group.members[0].offset == 0 && group.members[1].offset == group.members[0].length)
        #expect(group.members[1].offset + group.members[1].length == group.bytes.count)

        for member in group.members {
            let slice = group.bytes[member.offset..<(member.offset + member.length)]
            #expect(slice.starts(with: [0x1F, 0x8B]), "\(member.type) starts a gzip member")
            let inflated = inflateMember(slice)
            #expect(inflated.complete && inflated.length == member.length, "\(member.type) is exactly one member")
            let record = try #require(parseRecord(inflated.content))
            #expect(String(decoding: inflated.content.prefix(10), as: UTF8.self) == "WARC/1.1\r\n")
            #expect(record.fields["WARC-Type"] == [member.type])
            #expect(record.fields["WARC-Record-ID"] == [member.recordID])
            #expect(record.fields["Content-Length"] == [String(record.block.count)])
            #expect(record.fields["WARC-Block-Digest"] == [WarcDigest.label(of: record.block)])
        }
        let responseText = try #require(parseRecord(inflateMember(group.bytes[group.members[1].offset...]).content))
        #expect(responseText.block == head + body)
        #expect(responseText.fields["WARC-Payload-Digest"] == [WarcDigest.label(of: body)])
        #expect(group.members[1].payloadDigest == WarcDigest.label(of: body))
        #expect(responseText.fields["WARC-Date"] == ["2023-11-14T22:13:20.250000Z"])
        #expect(responseText.fields["WARC-Target-URI"] == ["http://a.test/x"])
        #expect(responseText.fields["WARC-IP-Address"] == ["127.0.0.1"])
        #expect(responseText.fields["Content-Type"] == ["application/http; msgtype=response"])
        #expect(parseRecord(inflateMember(group.bytes[...]).content)?.fields["WARC-Payload-Digest"] == nil, "requests have no payload digest")
    }

    @Test func aStoredMemberSharesLargePartsAndFramesEveryByte() throws {
        var generator = SeededGenerator(state: 7)
        let body = (0..<150_000).map { _ in UInt8.random(in: 0...255, using: &generator) }  // three stored blocks
        let medium = Array(repeating: UInt8(ascii: "m"), count: WarcRecordGroup.shareThreshold)
        let head = Array("HTTP/1.1 200 OK\r\n\r\n".utf8)
        let cases: [[[UInt8]]] = [[head, body, [13, 10]], [head, [], medium, [], head], [[], []], [head]]
        for parts in cases {
            var group = WarcRecordGroup()
            group.tail = [1, 2, 3]  // what an earlier member left
            group.appendStoredMember(parts.map { $0[...] })
            let expected = parts.flatMap { $0 }
            #expect(group.count == group.bytes.count)
            let member = group.bytes[3...]
            let inflated = inflateMember(member)  // zlib checks the CRC-32 and the length
            #expect(inflated.complete && inflated.length == member.count, "\(parts.map(\.count))")
            #expect(inflated.content == expected, "\(parts.map(\.count))")
            for part in parts where part.count >= WarcRecordGroup.shareThreshold {
                let address = part.withUnsafeBytes { $0.baseAddress }
                #expect(group.pieces.contains { $0.withUnsafeBytes { $0.baseAddress } == address }, "a large part is shared, not copied")
            }
        }
    }

    @Test func recordIDsAreDistinctVersion4UUIDs() {
        let ids = (0..<200).map { _ in WarcRecordID.make() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(5) {
            #expect(id.hasPrefix("<urn:uuid:") && id.hasSuffix(">") && id.count == 47)
            #expect(Array(id.utf8)[24] == UInt8(ascii: "4"))
        }
    }

    @Test func datesFormatAndParse() {
        #expect(WarcDate.format(0) == "1970-01-01T00:00:00.000000Z")
        #expect(WarcDate.format(1_700_000_000.9999999) == "2023-11-14T22:13:21.000000Z", "rounding carries into the seconds")
        #expect(WarcDate.timestamp14(1_700_000_000.5) == "20231114221320")
        #expect(WarcDate.timestamp17(1_700_000_000.123) == "20231114221320123")
        #expect(WarcDate.parse("2023-11-14T22:13:20.250000Z") == 1_700_000_000.25)
        #expect(WarcDate.parse("2023-11-14T22:13:20Z") == 1_700_000_000)
        #expect(WarcDate.parse("yesterday") == nil)
    }

    @Test func fileNamesCarryTimestampSerialAndHost() {
        let name = WarcFileName(serial: 7, at: 1_700_000_000.123, host: "crawler 1/x")
        #expect(name.name == "crawl-20231114221320123-00007-crawler-1-x.warc.gz")
        #expect(WarcFileName(parsing: name.name) == name)
        #expect(WarcFileName(parsing: "crawl-20231114221320123-123456-a-b.warc.gz")?.serial == 123456)
        for other in ["crawl-2023-00001-h.warc.gz", "other-20231114221320123-00001-h.warc.gz", "crawl-20231114221320123-00001-h.warc"] {
            #expect(WarcFileName(parsing: other) == nil, "\(other)")
        }
    }

    @Test func sizesParse() {
        #expect(ByteCount.parse("4096") == 4096)
        #expect(ByteCount.parse("1G") == 1_000_000_000)
        #expect(ByteCount.parse("500MB") == 500_000_000)
        #expect(ByteCount.parse("2GiB") == 2_147_483_648)
        #expect(ByteCount.parse("1.5k") == 1500)
        for bad in ["", "G", "-1M", "lots", "1e30"] { #expect(ByteCount.parse(bad) == nil, "\(bad)") }
    }
}
