import Synchronization

/// Wakes one waiting task when something changed, or at a deadline.
///
/// The main loop of the crawler awaits ``wait(until:)``; completions, commits and timers call
/// ``signal()`` from any thread. A signal that arrives while nobody waits is remembered, so none
/// is lost. The waiter's continuation resumes exactly once (see ``WakeupState``).
public final class AsyncWakeup: Sendable {
    private let state = Mutex(WakeupState())

    public init() {}

    /// Wakes the waiter, or makes the next wait return at once.
    public func signal() {
        let continuation = state.withLock { $0.signal() }
        continuation?.resume()
    }

    /// Returns after the next signal, or at `deadline` (monotonic seconds, ``MonotonicClock``).
    /// Only one task may wait at a time.
    public func wait(until deadline: Double?) async {
        if let deadline {
            let armTimer = state.withLock { $0.armTimer(deadline) }
            if armTimer {
                let delay = max(0, deadline - MonotonicClock.now)
                Task { [self] in
                    try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                    state.withLock { $0.timerFired() }
                    signal()
                }
            }
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { $0.wait(continuation) }
            if resumeNow { continuation.resume() }
        }
    }
}

/// The state machine behind ``AsyncWakeup``: idle, signalled (a signal is pending), or waiting.
/// Pure and synchronous so that it can be tested without threads or I/O.
struct WakeupState {
    enum Phase {
        case idle
        case signalled
        case waiting(CheckedContinuation<Void, Never>)
    }

    private(set) var phase: Phase = .idle
    /// The earliest deadline a timer is already armed for.
    private(set) var armedDeadline: Double = .infinity

    /// A signal: returns the continuation to resume (outside the lock), if a task waits.
    mutating func signal() -> CheckedContinuation<Void, Never>? {
        switch phase {
        case .idle, .signalled:
            phase = .signalled
            return nil
        case .waiting(let continuation):
            phase = .idle
            return continuation
        }
    }

    /// A task starts waiting: returns true if it must resume at once (a signal was pending).
    mutating func wait(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        switch phase {
        case .signalled:
            phase = .idle
            return true
        case .idle:
            phase = .waiting(continuation)
            return false
        case .waiting:
            preconditionFailure("AsyncWakeup supports one waiter at a time")
        }
    }

    /// Whether a new timer is needed for `deadline` (none is armed as early).
    mutating func armTimer(_ deadline: Double) -> Bool {
        guard deadline < armedDeadline - 0.0005 else { return false }
        armedDeadline = deadline
        return true
    }

    mutating func timerFired() {
        armedDeadline = .infinity
    }

    var isWaiting: Bool {
        if case .waiting = phase { return true }
        return false
    }
}
