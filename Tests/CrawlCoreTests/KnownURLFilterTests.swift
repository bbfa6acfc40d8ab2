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

    @Test func aFullSetEvictsOneOfItsURLsForANewOne() {
        var filter = KnownURLFilter(capacity: 4)  // one set of four slots
        let keys = (0..<5).map { KnownURLFilter.key("http://a.test/\($0)") }
        for key in keys.prefix(4) { filter.insert(key) }
        #expect(keys.prefix(4).allSatisfy { filter.contains($0) })
        filter.insert(keys[4])
        #expect(filter.contains(keys[4]))
        #expect(keys.prefix(4).filter { filter.contains($0) }.count == 3)
    }

    /// Four URLs whose hashes pick the very same slot are all remembered: with one slot per hash
    /// they evicted each other, and each miss cost an SQLite probe when the URL was linked again.
    @Test func urlsWhoseHashesPickTheSameSlotAreAllRemembered() {
        var filter = KnownURLFilter(capacity: 1 << 10)
        var bySlot: [UInt64: [UInt64]] = [:]
        var index = 0
        while bySlot.values.allSatisfy({ $0.count < 4 }) {
            let key = KnownURLFilter.key("http://a.test/\(index)")
            bySlot[key & UInt64((1 << 10) - 1), default: []].append(key)
            index += 1
        }
        let crowded = bySlot.values.first { $0.count == 4 }!
        for key in crowded { filter.insert(key) }
        #expect(crowded.allSatisfy { filter.contains($0) })
    }

    @Test func aSmallFilterStillWorks() {
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
