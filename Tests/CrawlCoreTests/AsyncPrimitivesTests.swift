import Testing
@testable import CrawlCore

/// The continuation state machines, driven by hand (no threads, no I/O), plus their async wrappers.
@Suite struct AsyncPrimitivesTests {
    @Test func wakeupRemembersASignalSentBeforeTheWait() async {
        var state = WakeupState()
        let first = state.signal()
        let second = state.signal()  // signals coalesce
        #expect(first == nil && second == nil)
        await withCheckedContinuation { continuation in
            // A pending signal makes the wait return at once: the caller resumes, not the state.
            let resumeNow = state.wait(continuation)
            #expect(resumeNow)
            continuation.resume()
        }
        #expect(!state.isWaiting)
    }

    @Test func wakeupHandsTheContinuationOutExactlyOnce() async {
        var state = WakeupState()
        await withCheckedContinuation { continuation in
            let resumeNow = state.wait(continuation)
            #expect(!resumeNow)
            #expect(state.isWaiting)
            let first = state.signal()
            #expect(first != nil)
            let second = state.signal()  // the second signal is only remembered
            #expect(second == nil)
            first?.resume()
        }
    }

    @Test func wakeupArmsOneTimerPerEarlierDeadline() {
        var state = WakeupState()
        let arms = [state.armTimer(10), state.armTimer(11), state.armTimer(10), state.armTimer(5)]
        #expect(arms == [true, false, false, true])
        state.timerFired()
        let afterFire = state.armTimer(11)
        #expect(afterFire)
    }

    @Test func batchQueueStateGivesTheWaiterToAppendOrCloseNeverBoth() async {
        var state = BatchQueueState<Int>()
        let empty = state.takeIfReady(maxCount: 10)
        #expect(empty == nil)
        let delivered: [Int]? = await withCheckedContinuation { continuation in
            let immediate = state.wait(continuation, maxCount: 10)
            #expect(immediate == nil)
            #expect(state.hasWaiter)
            let waiter = state.append(1)
            #expect(waiter != nil)
            let second = state.append(2)
            #expect(second == nil)
            let closing = state.close()
            #expect(closing == nil)  // the waiter was handed out already
            waiter?.resume(returning: state.take(maxCount: .max))
        }
        #expect(delivered == [1, 2])
        let rest = state.takeIfReady(maxCount: 10)
        #expect(rest == [])  // closed and empty
    }

    @Test func batchQueueDropsWhatArrivesAfterClose() {
        var state = BatchQueueState<Int>()
        _ = state.append(1)
        _ = state.close()
        #expect(state.append(2) == nil)
        #expect(state.takeIfReady(maxCount: 10) == [1])
        #expect(state.takeIfReady(maxCount: 10) == [])
    }

    @Test func takeReadyNeverWaits() async {
        let queue = AsyncBatchQueue<Int>()
        #expect(queue.takeReady().isEmpty)
        queue.append(1)
        queue.append(2)
        queue.append(3)
        #expect(queue.takeReady(maxCount: 2) == [1, 2])
        #expect(await queue.next() == [3])
    }

    @Test func batchQueueTakesAtMostMaxCount() {
        var state = BatchQueueState<Int>()
        for i in 0..<5 { _ = state.append(i) }
        let first = state.takeIfReady(maxCount: 2)
        let second = state.takeIfReady(maxCount: 10)
        #expect(first == [0, 1])
        #expect(second == [2, 3, 4])
    }

    @Test func asyncBatchQueueDeliversEverythingInOrder() async {
        let queue = AsyncBatchQueue<Int>()
        let consumer = Task {
            var all: [Int] = []
            while let batch = await queue.next(maxCount: 7) { all += batch }
            return all
        }
        await withTaskGroup(of: Void.self) { group in
            for producer in 0..<4 {
                group.addTask { for i in 0..<250 { queue.append(producer * 1000 + i) } }
            }
        }
        queue.close()
        let all = await consumer.value
        #expect(all.count == 1000)
        for producer in 0..<4 {
            let mine = all.filter { $0 / 1000 == producer }
            #expect(mine == mine.sorted())
        }
    }

    @Test func asyncWakeupReturnsAtTheDeadlineWithoutASignal() async {
        let wakeup = AsyncWakeup()
        let start = MonotonicClock.now
        await wakeup.wait(until: start + 0.05)
        #expect(MonotonicClock.now - start >= 0.04)
    }
}
