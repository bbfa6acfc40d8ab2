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
}
