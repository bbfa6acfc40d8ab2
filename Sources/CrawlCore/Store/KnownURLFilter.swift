/// A fixed-size, lossy memory of URLs known to be in the `urls` table, so that the writer can
/// skip the `INSERT OR IGNORE` (a unique-index probe on a text key) for links it has already
/// seen. Pages link the same navigation, parents and siblings over and over: on the bench site
/// nine in ten discovered links are already known, and probing SQLite for each of them was a
/// quarter of the crawl's CPU time.
///
/// This is a cache, not the seen-set: SQLite's unique index stays the only authority. A URL the
/// filter does not remember (never seen, or evicted) simply goes to SQLite as before. Memory is
/// fixed at `capacity` × 8 bytes whatever the frontier's size: each slot holds the 64-bit hash
/// of one URL. A hash picks a set of four adjacent slots (32 bytes, one cache line), and a new
/// URL takes a free slot of its set, else evicts one of the four, chosen by other bits of its hash.
///
/// Four ways, not one: with one slot per hash, two URLs sharing a slot evict each other every time
/// either is linked again, and each such miss is an SQLite probe. `INSERT OR IGNORE`s per crawl,
/// one way → four: bench site (12.4k URLs in 262k slots) 16.4k → 12.7k, the ideal; 10× site
/// (119k URLs) 417k → 163k, which took its SQLite time from 8.4 s to 5.2 s.
///
/// A false "known" needs two distinct URLs with equal 64-bit hashes, about 2⁻⁶⁴ per lookup;
/// the hash is SipHash with a per-process random key (Swift's `Hasher`), so no page can aim
/// for a collision.
///
/// Not thread-safe: the store's writer thread owns it. Entries must be added only for URLs in
/// committed rows: ``SQLiteJobStore`` adds them after its transaction commits and
/// ``removeAll()``s on a failed one.
struct KnownURLFilter {
    private var slots: [UInt64]
    private let mask: Int
    /// What ``prefetch(_:)`` read, kept so that its loads are not optimized away.
    private var prefetched: UInt64 = 0

    /// A filter of `capacity` slots, rounded up to a power of two.
    init(capacity: Int) {
        var size = 1
        while size < max(capacity, 1) { size <<= 1 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// The key for `url`: never 0, which marks an empty slot. Made where a link is found and
    /// carried in ``DiscoveredLink/urlKey``; the page's links are deduped by it as well (two
    /// distinct URLs of one page share a key with odds of about 2⁻⁶⁴).
    static func key(_ url: String) -> UInt64 {
        let hash = UInt64(bitPattern: Int64(url.hashValue))
        return hash == 0 ? 1 : hash
    }

    /// Slots per set.
    private static let ways = 4

    /// The first slot of the key's set.
    @inline(__always)
    private func setStart(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: key) & mask & ~(Self.ways - 1)
    }

    /// Whether the URL with this key was added and not evicted since.
    func contains(_ key: UInt64) -> Bool {
        let start = setStart(key)
        for index in start..<min(start + Self.ways, slots.count) where slots[index] == key { return true }
        return false
    }

    /// Reads the sets of `keys` in one pass, before the lookups that follow. The filter is larger
    /// than the CPU caches and its sets are random: each lookup is a cache miss, and interleaved
    /// with SQLite's work they come one at a time. Here the loads are independent and overlap.
    mutating func prefetch(_ keys: some Sequence<UInt64>) {
        var folded: UInt64 = 0
        slots.withUnsafeBufferPointer { slots in
            for key in keys { folded |= slots[setStart(key)] }
        }
        prefetched = folded
    }

    /// Remembers the URL with this key: in a free slot of its set, else in place of one of the set's
    /// URLs (picked by the key's top bits, so a set's victims vary).
    mutating func insert(_ key: UInt64) {
        let start = setStart(key)
        let end = min(start + Self.ways, slots.count)
        for index in start..<end {
            if slots[index] == key { return }
            if slots[index] == 0 {
                slots[index] = key
                return
            }
        }
        slots[start + Int(key >> 62) % (end - start)] = key
    }

    /// Forgets everything (after a rolled-back transaction).
    mutating func removeAll() {
        for index in slots.indices { slots[index] = 0 }
    }
}
