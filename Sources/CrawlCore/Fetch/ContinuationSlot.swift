import Synchronization

/// A one-shot rendezvous between an awaiting task (or a callback) and whoever produces its result.
///
/// The slot guarantees that the continuation or callback it is given runs exactly once, no matter how
/// installation, completion and cancellation interleave across threads:
///
/// ```
///              install               finish / cancel
///   idle ─────────────────▶ waiting ─────────────────▶ finished / cancelled
///     │                                                        ▲
///     │ finish / cancel (before install)     install           │
///     └─────────────────▶ resolved(value) ─────────────────────┘
/// ```
///
/// The first of `finish` and `cancel` wins; every later call is a no-op that reports `false`.
/// Continuations are always resumed, and callbacks called, outside the lock, on the thread
/// that settles the slot (or installs into a settled one).
///
/// Any thread or task may call any method.
final class ContinuationSlot<Value: Sendable>: Sendable {
    typealias Continuation = CheckedContinuation<Value, Never>
    typealias Callback = @Sendable (Value) -> Void

    /// Whoever waits for the value.
    enum Waiter {
        case continuation(Continuation)
        case callback(Callback)

        func deliver(_ value: Value) {
            switch self {
            case .continuation(let continuation): continuation.resume(returning: value)
            case .callback(let callback): callback(value)
            }
        }
    }

    /// Who settled the slot.
    enum Outcome: Equatable, Sendable {
        case finished
        case cancelled
    }

    /// What a `finish` or `cancel` call achieved.
    enum SettleResult: Equatable, Sendable {
        /// The slot was already settled; nothing happened.
        case lost
        /// No continuation was installed yet; the value is delivered as soon as one is.
        case settledBeforeInstall
        /// The waiting continuation was resumed with the value.
        case resumedWaiter
    }

    enum State {
        case idle
        case waiting(Waiter)
        case resolved(Value, Outcome)
        case done(Outcome)
    }

    private let state = Mutex<State>(.idle)

    init() {}

    /// Installs the continuation of the awaiting task.
    ///
    /// - Returns: `true` when the continuation now waits for `finish` or `cancel`; `false` when
    ///   the slot was already settled, in which case the continuation has been resumed already.
    /// - Precondition: called at most once.
    @discardableResult
    func install(_ continuation: Continuation) -> Bool {
        install(waiter: .continuation(continuation))
    }

    /// Installs a callback instead of a continuation: the same rules, the callback runs once.
    @discardableResult
    func install(callback: @escaping Callback) -> Bool {
        install(waiter: .callback(callback))
    }

    private func install(waiter: Waiter) -> Bool {
        let ready: Value? = state.withLock { state in
            switch state {
            case .idle:
                state = .waiting(waiter)
                return nil
            case .resolved(let value, let outcome):
                state = .done(outcome)
                return value
            case .waiting, .done:
                preconditionFailure("ContinuationSlot.install called twice")
            }
        }
        guard let ready else { return true }
        waiter.deliver(ready)
        return false
    }

    /// Settles the slot with a result.
    ///
    /// - Returns: `true` if this call won (the value is, or will be, delivered); `false` if the
    ///   slot had already been finished or cancelled.
    @discardableResult
    func finish(_ value: Value) -> Bool {
        settle(value, as: .finished) != .lost
    }

    /// Settles the slot with a cancellation value, unless it is already settled.
    @discardableResult
    func cancel(with value: Value) -> SettleResult {
        settle(value, as: .cancelled)
    }

    /// `true` once `finish` or `cancel` has won, whether or not the waiter has been resumed yet.
    var isSettled: Bool {
        state.withLock { state in
            switch state {
            case .idle, .waiting: false
            case .resolved, .done: true
            }
        }
    }

    /// Who settled the slot, or `nil` while it is unsettled.
    var outcome: Outcome? {
        state.withLock { state in
            switch state {
            case .idle, .waiting: nil
            case .resolved(_, let outcome), .done(let outcome): outcome
            }
        }
    }

    private func settle(_ value: Value, as outcome: Outcome) -> SettleResult {
        let (result, waiter): (SettleResult, Waiter?) = state.withLock { state in
            switch state {
            case .idle:
                state = .resolved(value, outcome)
                return (.settledBeforeInstall, nil)
            case .waiting(let waiter):
                state = .done(outcome)
                return (.resumedWaiter, waiter)
            case .resolved, .done:
                return (.lost, nil)
            }
        }
        waiter?.deliver(value)
        return result
    }
}
