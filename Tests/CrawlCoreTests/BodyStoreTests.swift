import Foundation
import Testing

@testable import CrawlCore

@Suite("BodyStore: content-addressed bodies, complete or absent")
struct BodyStoreTests {
    private func files(under root: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    @Test(arguments: [true, false])
    func storesUnderTheHashOnceAndLeavesNoTempFiles(anonymousFiles: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try BodyStore(root: directory.path + "/out", anonymousFiles: anonymousFiles)
        let body = Array("<html>hello</html>".utf8)
        let hash = ContentHash.sha256Hex(body)
        let first = try body.withUnsafeBytes { try store.store($0, hash: hash) }
        let again = try body.withUnsafeBytes { try store.store($0, hash: hash) }
        let prefix = String(hash.prefix(2)) + "/" + String(hash.dropFirst(2).prefix(2))
        #expect(first == "\(prefix)/\(hash)")
        #expect(again == first)
        #expect(FileManager.default.contents(atPath: directory.path + "/out/" + first) == Data(body))
        #expect(files(under: directory.path + "/out") == [first])
    }

    @Test func manyBodiesShareTheirDirectories() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try BodyStore(root: directory.path + "/out")
        var stored: [String] = []
        for index in 0..<300 {
            let body = Array("body \(index)".utf8)
            stored.append(try body.withUnsafeBytes { try store.store($0, hash: ContentHash.sha256Hex(body)) })
        }
        #expect(files(under: directory.path + "/out") == stored.sorted())
    }
}
