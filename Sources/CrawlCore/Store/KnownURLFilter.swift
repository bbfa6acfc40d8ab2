/// A fixed-size, lossy memory of URLs known to be in the `urls` table, so that the writer can
/// skip the `INSERT OR IGNORE` (a unique-index probe on a text key) for links it has already
/// seen. Pages link the same navigation, parents and siblings over and over: on the bench site
/// nine in ten discovered links are already known, and probing SQLite for each of them was a
/// quarter of the crawl's CPU time.
///
/// This is a cache, not the seen-set: SQLite's unique index stays the only authority. A URL the
/// filter does not remember (never seen, or evicted) simply goes to SQLite as before. Memory is
/// fixed at `capacity` × 8 bytes whatever the frontier's size: each slot holds the 64-bit hash
/// of one URL, and a newer URL whose hash maps to the same slot replaces it (direct-mapped).
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

    /// Whether the URL with this key was added and not evicted since.
    func contains(_ key: UInt64) -> Bool {
        slots[Int(truncatingIfNeeded: key) & mask] == key
    }

    /// Remembers the URL with this key, evicting whichever shared its slot.
    mutating func insert(_ key: UInt64) {
        slots[Int(truncatingIfNeeded: key) & mask] = key
    }

    /// Forgets everything (after a rolled-back transaction).
    mutating func removeAll() {
        for index in slots.indices { slots[index] = 0 }
    }
}
