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

    @Test(arguments: [true, false], [BodyLayout.oneLevel, .twoLevels])
    func storesUnderTheHashOnceAndLeavesNoTempFiles(anonymousFiles: Bool, layout: BodyLayout) throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try BodyStore(root: directory.path + "/out", layout: layout, anonymousFiles: anonymousFiles)
        let body = Array("<html>hello</html>".utf8)
        let hash = ContentHash.sha256Hex(body)
        let first = try body.withUnsafeBytes { try store.store($0, hash: hash) }
        let again = try body.withUnsafeBytes { try store.store($0, hash: hash) }
        let prefix = layout == .oneLevel
            ? String(hash.prefix(2)) : String(hash.prefix(2)) + "/" + String(hash.dropFirst(2).prefix(2))
        #expect(first == "\(prefix)/\(hash)")
        #expect(again == first)
        #expect(FileManager.default.contents(atPath: directory.path + "/out/" + first) == Data(body))
        #expect(files(under: directory.path + "/out") == [first])
    }

    @Test(arguments: [BodyLayout.oneLevel, .twoLevels])
    func manyBodiesShareTheirDirectories(layout: BodyLayout) throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let store = try BodyStore(root: directory.path + "/out", layout: layout)
        var stored: [String] = []
        for index in 0..<300 {
            let body = Array("body \(index)".utf8)
            stored.append(try body.withUnsafeBytes { try store.store($0, hash: ContentHash.sha256Hex(body)) })
        }
        #expect(files(under: directory.path + "/out") == stored.sorted())
        // Each body sits `layout.rawValue` directories deep, named by its hash's leading digits.
        #expect(stored.allSatisfy { path in
            let parts = path.split(separator: "/").map(String.init)
            return parts.count == layout.rawValue + 1 && parts.last!.hasPrefix(parts.dropLast().joined())
        })
    }

    @Test func jobsStoredWithoutALayoutKeepTheTwoLevelOne() throws {
        var settings = CrawlSettings()
        #expect(settings.bodyLayout == .oneLevel)
        let stored = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(CrawlSettings.self, from: stored).bodyLayout == .oneLevel)
        // Settings written before the key existed: the bodies those jobs stored are two levels deep.
        var object = try #require(try JSONSerialization.jsonObject(with: stored) as? [String: Any])
        object.removeValue(forKey: "bodyLayout")
        let legacy = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(CrawlSettings.self, from: legacy).bodyLayout == .twoLevels)
        settings.bodyLayout = .twoLevels
        #expect(try JSONDecoder().decode(CrawlSettings.self, from: JSONEncoder().encode(settings)).bodyLayout == .twoLevels)
    }
}
