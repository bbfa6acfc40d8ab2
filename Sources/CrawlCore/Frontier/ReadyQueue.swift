/// A FIFO of claimed URLs for one host: appends at the back, removals at the front, O(1) each.
struct ReadyQueue {
    private var storage: [ClaimedURL] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: ClaimedURL? { isEmpty ? nil : storage[head] }

    mutating func append(_ url: ClaimedURL) {
        storage.append(url)
    }

    @discardableResult
    mutating func removeFirst() -> ClaimedURL {
        let url = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return url
    }

    mutating func removeAll() -> [ClaimedURL] {
        defer {
            storage.removeAll()
            head = 0
        }
        return Array(storage[head...])
    }
}
