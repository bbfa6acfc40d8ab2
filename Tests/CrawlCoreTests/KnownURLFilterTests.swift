import Testing
@testable import CrawlCore

@Suite("KnownURLFilter: a fixed-size cache of URLs with rows")
struct KnownURLFilterTests {
    @Test func remembersWhatWasInsertedAndNothingElse() {
        var filter = KnownURLFilter(capacity: 1 << 10)
        let a = KnownURLFilter.key("http://a.test/1")
        let b = KnownURLFilter.key("http://a.test/2")
        #expect(!filter.contains(a))
        filter.insert(a)
        #expect(filter.contains(a))
        #expect(!filter.contains(b))
    }

    @Test func aURLSharingASlotEvictsTheOlderOne() {
        var filter = KnownURLFilter(capacity: 1)
        let a = KnownURLFilter.key("http://a.test/1")
        let b = KnownURLFilter.key("http://a.test/2")
        filter.insert(a)
        filter.insert(b)
        #expect(filter.contains(b))
        #expect(!filter.contains(a))
    }

    @Test func removeAllForgetsEverything() {
        var filter = KnownURLFilter(capacity: 1 << 4)
        let keys = (0..<8).map { KnownURLFilter.key("http://a.test/\($0)") }
        for key in keys { filter.insert(key) }
        filter.removeAll()
        #expect(keys.allSatisfy { !filter.contains($0) })
    }

    @Test func keysAreNeverTheEmptyMarker() {
        #expect((0..<1000).allSatisfy { KnownURLFilter.key("http://a.test/\($0)") != 0 })
    }
}
