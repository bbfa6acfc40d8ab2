import Synchronization

/// A queue that many producers fill one element at a time (without awaiting) and one consumer
/// empties a whole batch at a time: the writer's inbox.
///
/// ``append(_:)`` may be called from any thread; ``next(maxCount:)`` from one task at a time.
public final class AsyncBatchQueue<Element: Sendable>: Sendable {
    private let state = Mutex(BatchQueueState<Element>())

    public init() {}

    public func append(_ element: Element) {
        let continuation = state.withLock { $0.append(element) }
        continuation?.resume(returning: state.withLock { $0.take(maxCount: .max) })
    }

    /// Every element queued so far (at most `maxCount`), waiting if there is none; nil once the
    /// queue is closed and empty.
    public func next(maxCount: Int = .max) async -> [Element]? {
        if let ready = state.withLock({ $0.takeIfReady(maxCount: maxCount) }) {
            return ready.isEmpty ? nil : ready
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<[Element]?, Never>) in
            if let ready = state.withLock({ $0.wait(continuation, maxCount: maxCount) }) {
                continuation.resume(returning: ready.isEmpty ? nil : ready)
            }
        }
    }

    /// Whatever is queued now (at most `maxCount`), without waiting: possibly nothing.
    public func takeReady(maxCount: Int = .max) -> [Element] {
        state.withLock { $0.takeIfReady(maxCount: maxCount) } ?? []
    }

    /// No more elements will come; the consumer gets what is left, then nil.
    public func close() {
        let continuation = state.withLock { $0.close() }
        continuation?.resume(returning: nil)
    }

    public var count: Int { state.withLock { $0.count } }
}

/// The state machine behind ``AsyncBatchQueue``. Pure and synchronous, tested without I/O.
/// A waiting continuation is handed out exactly once: by `append` or by `close`, never both.
struct BatchQueueState<Element: Sendable> {
    private var elements: [Element] = []
    private var waiter: CheckedContinuation<[Element]?, Never>?
    private var waiterMax = Int.max
    private(set) var closed = false

    var count: Int { elements.count }

    /// Adds an element (dropped once closed); returns the waiter to resume (with `take`), if one waits.
    mutating func append(_ element: Element) -> CheckedContinuation<[Element]?, Never>? {
        // Late (a shutdown path): dropped. For results, the row stays queued and is fetched again.
        guard !closed else { return nil }
        elements.append(element)
        defer { waiter = nil }
        return waiter
    }

    /// Up to `maxCount` elements, oldest first.
    mutating func take(maxCount: Int) -> [Element]? {
        let limit = min(maxCount, waiterMax)
        waiterMax = .max
        if elements.count <= limit {
            defer { elements.removeAll(keepingCapacity: true) }
            return elements
        }
        let batch = Array(elements.prefix(limit))
        elements.removeFirst(limit)
        return batch
    }

    /// Elements if any are ready; [] if closed and empty; nil if the consumer must wait.
    mutating func takeIfReady(maxCount: Int) -> [Element]? {
        if !elements.isEmpty { return take(maxCount: maxCount) }
        return closed ? [] : nil
    }

    /// The consumer waits unless something arrived meanwhile (then that is returned).
    mutating func wait(_ continuation: CheckedContinuation<[Element]?, Never>, maxCount: Int) -> [Element]? {
        if let ready = takeIfReady(maxCount: maxCount) { return ready }
        precondition(waiter == nil, "one consumer at a time")
        waiter = continuation
        waiterMax = maxCount
        return nil
    }

    mutating func close() -> CheckedContinuation<[Element]?, Never>? {
        closed = true
        defer { waiter = nil }
        return elements.isEmpty ? waiter : nil
    }

    var hasWaiter: Bool { waiter != nil }
}
