import Foundation
import Testing

@testable import CrawlCore

/// WARC files on disk: placement and rotation, reading members back, and the repair a run does
/// after a crash (a partial record at the tail, records the database knows but the file lost).
@Suite("WARC files: writing, reading, recovery")
struct WarcFileTests {
    let info = [WarcInfoField("software", "crawl-test")]

    /// The group of one fetch: request, response (the primary record) with a body of `size` bytes.
    func fetchGroup(_ url: String, size: Int = 2000) -> WarcRecordGroup {
        let encoder = WarcRecordEncoder()
        var group = WarcRecordGroup()
        encoder.append(WarcRecord(type: "request", date: 1, targetURI: url, contentType: WarcRecord.httpRequestType,
                                  block: [Array("GET / HTTP/1.1\r\n\r\n".utf8)]), to: &group)
        var generator = SystemRandomNumberGenerator()
        let body = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }  // incompressible
        var response = WarcRecord(type: "response", date: 2, targetURI: url, contentType: WarcRecord.httpResponseType,
                                  block: [Array("HTTP/1.1 200 OK\r\n\r\n".utf8), body])
        response.payload = .fromPart(1)
        encoder.append(response, to: &group, primary: true)
        return group
    }

    func writer(_ directory: String, maxSize: Int64 = 1 << 30) -> WarcFileWriter {
        WarcFileWriter(configuration: .init(directory: directory, maxFileSize: maxSize, info: info, host: "testhost"))
    }

    func members(_ path: String) throws -> [WarcMemberReader.Member] {
        let reader = try WarcMemberReader(path: path)
        var members: [WarcMemberReader.Member] = []
        while case let .member(member) = try reader.next() { members.append(member) }
        return members
    }

    func types(_ path: String) throws -> [String] {
        try members(path).map { WarcRecordHead($0.head)?.type ?? "?" }
    }

    @Test func groupsArePlacedInOrderAndFilesRotateAtTheLimit() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let files = writer(directory.path, maxSize: 12_000)
        var placements: [WarcPlacement] = []
        for index in 0..<10 { placements.append(try files.place(fetchGroup("http://a.test/\(index)"))) }
        try files.close()

        let names = WarcFileName.list(in: directory.path)
        #expect(names.map(\.serial) == Array(1...names.count) && names.count > 2, "\(names.map(\.name))")
        #expect(Set(placements.map(\.file)) == Set(names.map(\.name)))
        for name in names {
            let path = directory.path + "/" + name.name
            let found = try members(path)
            #expect(try types(path).first == "warcinfo", "\(name.name) opens with warcinfo")
            #expect(found.last?.end == (try WarcRecovery.fileSize(path)))
            let here = placements.filter { $0.file == name.name }
            // Every placement starts at a member boundary and ends at one.
            for placement in here {
                #expect(found.contains { $0.offset == placement.offset } && found.contains { $0.end == placement.end })
            }
            #expect(try WarcRecovery.fileSize(path) <= 12_000 || here.count == 1)
            let warcinfo = try #require(WarcRecordHead(found[0].head))
            #expect(warcinfo.fields["warc-filename"] == name.name)
        }
    }

    @Test func aPartialRecordAndADanglingRequestAreCutFromTheNewestFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let files = writer(directory.path)
        _ = try files.place(fetchGroup("http://a.test/1"))
        let second = try files.place(fetchGroup("http://a.test/2"))
        let third = try files.place(fetchGroup("http://a.test/3"))
        try files.close()
        let name = second.file
        let path = directory.path + "/" + name
        // Cut inside the third group's response: its request is complete but alone.
        let cut = third.end - 40
        #expect(truncate(path, off_t(cut)) == 0)

        let report = try WarcRecovery.run(directory: directory.path, committed: [name: second.end])
        #expect(report.lost.isEmpty)
        #expect(report.truncated.count == 1 && report.truncated.first?.from == cut && report.truncated.first?.to == third.offset)
        #expect(report.newest?.name == name && report.newest?.size == third.offset)
        #expect(report.lastSerial == 1)
        #expect(try types(path) == ["warcinfo", "request", "response", "request", "response"])

        // The writer continues the repaired file after its last record.
        let resumed = writer(directory.path)
        try resumed.resume(lastSerial: report.lastSerial, continuing: name, size: third.offset)
        let fourth = try resumed.place(fetchGroup("http://a.test/4"))
        try resumed.close()
        #expect(fourth.file == name && fourth.offset == third.offset)
        #expect(try types(path).count == 7)
    }

    @Test func bytesThatAreNotRecordsAreCut() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let files = writer(directory.path)
        let first = try files.place(fetchGroup("http://a.test/1"))
        try files.close()
        let path = directory.path + "/" + first.file
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("this is not gzip".utf8))
        handle.closeFile()
        let report = try WarcRecovery.run(directory: directory.path, committed: [:])
        #expect(report.newest?.size == first.end)
        #expect(try WarcRecovery.fileSize(path) == first.end)
    }

    @Test func filesShorterThanWhatWasCommittedAreReportedLost() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let files = writer(directory.path, maxSize: 8_000)
        var placements: [WarcPlacement] = []
        for index in 0..<6 { placements.append(try files.place(fetchGroup("http://a.test/\(index)"))) }
        try files.close()
        let names = WarcFileName.list(in: directory.path).map(\.name)
        #expect(names.count >= 3)
        var committed: [String: Int64] = [:]
        for placement in placements { committed[placement.file] = max(committed[placement.file] ?? 0, placement.end) }

        // An older file lost its last group (cut in its middle); another one is gone.
        let damaged = names[0]
        let damagedGroups = placements.filter { $0.file == damaged }
        let lastGroup = try #require(damagedGroups.last)
        #expect(truncate(directory.path + "/" + damaged, off_t(lastGroup.offset + 100)) == 0)
        unlink(directory.path + "/" + names[1])

        let report = try WarcRecovery.run(directory: directory.path, committed: committed)
        #expect(report.lost[damaged] == lastGroup.offset)
        #expect(report.lost[names[1]] == 0)
        #expect(report.lost.count == 2)
        #expect(try WarcRecovery.fileSize(directory.path + "/" + damaged) == lastGroup.offset)
        #expect(report.lastSerial == names.count)
        #expect(report.newest?.name == names.last)
    }

    @Test func readerReportsTruncatedAndCorruptMembers() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let group = fetchGroup("http://a.test/1", size: 300_000)
        let path = directory.path + "/x.warc.gz"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(group.bytes.dropLast(3))))
        let reader = try WarcMemberReader(path: path)
        guard case let .member(first) = try reader.next() else { Issue.record("no first member"); return }
        #expect(first.length == Int64(group.members[0].length))
        guard case let .truncated(offset) = try reader.next() else { Issue.record("not truncated"); return }
        #expect(offset == Int64(group.members[1].offset))

        #expect(FileManager.default.createFile(atPath: path, contents: Data(group.bytes + [0x1F, 0x8B, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3])))
        let again = try WarcMemberReader(path: path)
        _ = try again.next()
        guard case let .member(second) = try again.next() else { Issue.record("no second member"); return }
        #expect(second.inflatedLength > 300_000 && second.head.count == 32 * 1024, "the head is bounded")
        guard case .corrupt = try again.next() else { Issue.record("not corrupt"); return }
    }
}
