import Synchronization
import Testing

@testable import CrawlCore

@Suite("ContinuationSlot resumes exactly once")
struct ContinuationSlotTests {
    @Test func finishWhileWaitingDeliversTheValueOnce() async {
        let slot = ContinuationSlot<Int>()
        #expect(!slot.isSettled)
        let value = await withCheckedContinuation { continuation in
            #expect(slot.install(continuation))
            #expect(slot.finish(7))
            #expect(!slot.finish(8))
            #expect(slot.cancel(with: -1) == .lost)
        }
        #expect(value == 7)
        #expect(slot.isSettled)
        #expect(slot.outcome == .finished)
    }

    @Test func cancelWhileWaitingDeliversTheCancelValueAndLaterFinishIsIgnored() async {
        let slot = ContinuationSlot<Int>()
        let value = await withCheckedContinuation { continuation in
            #expect(slot.install(continuation))
            #expect(slot.cancel(with: -1) == .resumedWaiter)
            #expect(slot.cancel(with: -2) == .lost)
            #expect(!slot.finish(7))
        }
        #expect(value == -1)
        #expect(slot.outcome == .cancelled)
    }

    @Test func cancelBeforeInstallIsDeliveredAtInstall() async {
        let slot = ContinuationSlot<Int>()
        #expect(slot.cancel(with: -1) == .settledBeforeInstall)
        #expect(slot.isSettled)
        #expect(!slot.finish(7))
        let value = await withCheckedContinuation { continuation in
            #expect(!slot.install(continuation))
        }
        #expect(value == -1)
        #expect(slot.outcome == .cancelled)
    }

    @Test func finishBeforeInstallIsDeliveredAtInstall() async {
        let slot = ContinuationSlot<String>()
        #expect(slot.outcome == nil)
        #expect(slot.finish("early"))
        #expect(slot.cancel(with: "cancelled") == .lost)
        let value = await withCheckedContinuation { continuation in
            #expect(!slot.install(continuation))
        }
        #expect(value == "early")
        #expect(slot.outcome == .finished)
    }

    /// Completion and cancellation race from two other tasks while the owner installs its
    /// continuation. Exactly one settles the slot, the owner gets that one's value, and a double
    /// resume would trap the checked continuation.
    @Test func completionRacingCancellationResumesExactlyOnce() async {
        for round in 0..<2000 {
            let slot = ContinuationSlot<Int>()
            let finisher = Task.detached { slot.finish(1) }
            let canceller = Task.detached { slot.cancel(with: 2) != .lost }
            let value = await withCheckedContinuation { continuation in
                slot.install(continuation)
            }
            let finished = await finisher.value
            let cancelled = await canceller.value
            #expect(finished != cancelled, "round \(round): both or neither won")
            #expect(value == (finished ? 1 : 2), "round \(round)")
            #expect(slot.outcome == (finished ? .finished : .cancelled))
        }
    }

    // MARK: - Callbacks (the fetcher's task-free path)

    /// Records every value a callback receives.
    private final class Calls: Sendable {
        let values = Mutex<[Int]>([])
        func record(_ value: Int) { values.withLock { $0.append(value) } }
        var all: [Int] { values.withLock { $0 } }
    }

    @Test func aCallbackRunsOnceWithTheWinningValue() {
        let slot = ContinuationSlot<Int>()
        let calls = Calls()
        #expect(slot.install(callback: calls.record))
        #expect(calls.all.isEmpty)
        #expect(slot.finish(7))
        #expect(slot.cancel(with: -1) == .lost)
        #expect(!slot.finish(8))
        #expect(calls.all == [7])
    }

    @Test func aCallbackInstalledAfterSettlingRunsAtInstall() {
        let slot = ContinuationSlot<Int>()
        let calls = Calls()
        #expect(slot.cancel(with: -1) == .settledBeforeInstall)
        #expect(!slot.install(callback: calls.record))
        #expect(calls.all == [-1])
        #expect(!slot.finish(7))
        #expect(calls.all == [-1])
    }

    @Test func racingFinishAndCancelCallTheCallbackOnce() async {
        for round in 0..<200 {
            let slot = ContinuationSlot<Int>()
            let calls = Calls()
            slot.install(callback: calls.record)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { slot.finish(1) }
                group.addTask { _ = slot.cancel(with: 2) }
            }
            #expect(calls.all.count == 1, "round \(round)")
        }
    }
}
