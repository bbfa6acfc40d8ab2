import CCurl
import Dispatch
import Foundation
import Synchronization

/// Fetches URLs over HTTP(S) with libcurl's multi interface.
///
/// One event-loop thread, started by `init`, drives every transfer (`curl_multi_poll` +
/// `curl_multi_perform`); callers on any thread or task call `fetch` and await the result.
/// Redirects are not followed; each hop is reported to the caller. Connections are kept alive
/// and reused across requests to the same host.
///
/// Call `shutdown()` when done (it is also called by `deinit`).
public final class Fetcher: Sendable {
    /// The configuration the fetcher was created with.
    public let configuration: FetcherConfiguration

    private let channel: Channel
    private let loopExited = DispatchGroup()
    private let nextTransferID = Atomic<UInt64>(1)
    private let fetchesInProgress = Atomic<Int>(0)

    /// Creates the multi handle and starts the event-loop thread. Call from any thread.
    ///
    /// - Throws: `FetchError` when libcurl cannot be initialized or rejects the configuration.
    public init(configuration: FetcherConfiguration) throws {
        self.configuration = configuration
        let multi = try CurlMulti()
        try multi.set(CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, configuration.maxConnections))
        try multi.set(CURLMOPT_MAX_HOST_CONNECTIONS, max(1, configuration.maxConnectionsPerHost))
        try multi.set(CURLMOPT_MAXCONNECTS, configuration.connectionCacheSize)
        channel = Channel(waker: multi.waker)

        let loop = EventLoop(configuration: configuration, channel: channel, multi: multi)
        let exited = loopExited
        exited.enter()
        let thread = Thread {
            loop.run()
            exited.leave()
        }
        thread.name = "crawl.fetcher"
        thread.start()
    }

    deinit {
        shutdown()
    }

    /// Performs one GET. Call from any task; many calls may run concurrently.
    ///
    /// Never throws: every failure, including cancellation, comes back in `FetchResponse.error`.
    /// Cancelling the calling task aborts the transfer and returns `.cancelled` at once.
    /// After `shutdown()` every call returns `.cancelled` without doing any I/O.
    public func fetch(_ request: FetchRequest) async -> FetchResponse {
        let id = nextTransferID.wrappingAdd(1, ordering: .relaxed).oldValue
        let slot = ContinuationSlot<FetchResponse>()
        let channel = self.channel
        fetchesInProgress.add(1, ordering: .relaxed)
        defer { fetchesInProgress.subtract(1, ordering: .relaxed) }

        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard slot.install(continuation) else { return }
                self.send(Order(id: id, request: request, slot: slot))
            }
        } onCancel: {
            // Only a transfer the loop may already run needs aborting; if the slot was still
            // idle, the loop will see it settled and never start it.
            if slot.cancel(with: .failed(request.url, .cancelled)) == .resumedWaiter {
                channel.post(.cancel(id: id))
            }
        }
    }

    /// Starts one GET and calls `completion` with its response, exactly once, without a task or
    /// an await: the path the crawl takes for pages, so that a response goes straight from the
    /// loop thread to whoever `completion` hands it to.
    ///
    /// Call from any thread. `completion` runs on the fetcher's loop thread (or, after
    /// `shutdown()`, on the caller's, with `.cancelled`): it must return quickly and never block.
    public func start(_ request: FetchRequest, completion: @escaping @Sendable (FetchResponse) -> Void) {
        let id = nextTransferID.wrappingAdd(1, ordering: .relaxed).oldValue
        let slot = ContinuationSlot<FetchResponse>()
        fetchesInProgress.add(1, ordering: .relaxed)
        slot.install { [self] response in
            fetchesInProgress.subtract(1, ordering: .relaxed)
            completion(response)
        }
        send(Order(id: id, request: request, slot: slot))
    }

    /// Hands `order` to the loop thread, or settles it as cancelled once the loop is shutting down.
    private func send(_ order: Order) {
        if !channel.post(.start(order)) {
            order.slot.finish(.failed(order.request.url, .cancelled))
        }
    }

    /// Aborts every transfer in flight (their fetches return `.cancelled`), stops the loop
    /// thread, waits for it to exit and frees every curl handle.
    ///
    /// Idempotent; call from any thread or task. Blocks only until the loop thread notices
    /// (it is woken at once) and has freed its handles.
    public func shutdown() {
        channel.requestShutdown()
        loopExited.wait()
    }

    /// The number of `fetch` and `start` calls whose response has not been delivered yet.
    public var inFlightCount: Int {
        fetchesInProgress.load(ordering: .relaxed)
    }

    /// New connections opened so far (summed CURLINFO_NUM_CONNECTS of finished transfers);
    /// compare with the number of fetches to see how well keep-alive works.
    public var connectionsOpened: Int {
        channel.connectionsOpened.load(ordering: .relaxed)
    }
}

extension Fetcher {
    /// A fetch handed to the loop thread.
    struct Order: Sendable {
        let id: UInt64
        let request: FetchRequest
        let slot: ContinuationSlot<FetchResponse>
    }

    /// What callers ask the loop thread to do.
    enum Message: Sendable {
        case start(Order)
        case cancel(id: UInt64)
    }

    /// The lock-protected inbox between callers and the loop thread, plus the loop's counters.
    ///
    /// Any thread may `post` or `requestShutdown`; only the loop thread calls `take` and `close`.
    final class Channel: Sendable {
        private struct State {
            var messages: [Message] = []
            var shutdownRequested = false
            /// `nil` once the loop has closed the channel; the multi handle may be gone then.
            var waker: CurlMulti.Waker?
        }

        private let state: Mutex<State>
        let connectionsOpened = Atomic<Int>(0)

        init(waker: CurlMulti.Waker) {
            state = Mutex(State(waker: waker))
        }

        /// Queues `message` and wakes the loop. Returns `false` (dropping the message) once the
        /// loop has closed the channel or a shutdown is pending.
        @discardableResult
        func post(_ message: Message) -> Bool {
            state.withLock { state in
                guard let waker = state.waker, !state.shutdownRequested else { return false }
                state.messages.append(message)
                // A non-empty inbox means a wake-up is already pending: the loop empties the
                // whole inbox each time it wakes. Waking under the lock keeps the multi handle
                // alive for the call (`close` needs this lock before the handle is freed).
                if state.messages.count == 1 { waker.wake() }
                return true
            }
        }

        func requestShutdown() {
            state.withLock { state in
                guard !state.shutdownRequested else { return }
                state.shutdownRequested = true
                state.waker?.wake()
            }
        }

        /// Moves every queued message into `batch` (which must be empty, and whose capacity is
        /// recycled). Returns `true` when a shutdown was requested.
        func take(into batch: inout [Message]) -> Bool {
            state.withLock { state in
                swap(&state.messages, &batch)
                return state.shutdownRequested
            }
        }

        /// Refuses all further messages and drops the waker. Returns messages still queued.
        func close() -> [Message] {
            state.withLock { state in
                state.shutdownRequested = true
                state.waker = nil
                defer { state.messages = [] }
                return state.messages
            }
        }
    }
}
