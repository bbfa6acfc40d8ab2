import CCurl

extension Fetcher {
    /// The state driven by the fetcher's single event-loop thread: the multi handle, the pool of
    /// idle easy handles and the transfers in flight.
    ///
    /// @unchecked Sendable: `Fetcher.init` creates the loop and hands it to the thread's entry
    /// closure, then never touches it again; from then on only the loop thread uses it, so none
    /// of its state is ever shared. The only cross-thread traffic goes through `Channel`.
    final class EventLoop: @unchecked Sendable {
        /// Upper bound for one `curl_multi_poll` wait; curl's own timers shorten it as needed.
        private static let pollTimeoutMilliseconds = 1000

        private let configuration: FetcherConfiguration
        private let channel: Channel
        private let multi: CurlMulti
        private var active: [UInt64: FetchTransfer] = [:]
        private var idleHandles: [CurlEasy] = []
        private let idleHandleLimit: Int

        init(configuration: FetcherConfiguration, channel: Channel, multi: CurlMulti) {
            self.configuration = configuration
            self.channel = channel
            self.multi = multi
            idleHandleLimit = max(64, 4 * configuration.maxConnections)
        }

        /// The thread's body: runs until a shutdown is requested, then cancels what is left and
        /// frees every handle.
        func run() {
            var batch: [Message] = []
            batch.reserveCapacity(64)
            while true {
                if channel.take(into: &batch) { break }
                for message in batch { handle(message) }
                batch.removeAll(keepingCapacity: true)

                multi.perform()
                while let completion = multi.nextCompletion() { complete(completion) }
                multi.poll(timeoutMilliseconds: Self.pollTimeoutMilliseconds)
            }
            tearDown(unhandled: batch)
        }

        private func handle(_ message: Message) {
            switch message {
            case .start(let order):
                start(order)
            case .cancel(let id):
                guard let transfer = active.removeValue(forKey: id) else { return }
                multi.remove(transfer.easy)
                retire(transfer)
                transfer.slot.finish(.failed(transfer.request.url, .cancelled))  // no-op: cancel won
            }
        }

        private func start(_ order: Order) {
            // Cancelled between `post` and now: never start it.
            guard !order.slot.isSettled else { return }
            let easy: CurlEasy
            do {
                easy = try takeIdleHandle()
            } catch {
                order.slot.finish(.failed(order.request.url, error))
                return
            }
            let transfer = FetchTransfer(
                id: order.id, request: order.request, slot: order.slot, easy: easy,
                bodyLimit: max(0, configuration.maxBodyBytes))
            do {
                try transfer.configure(configuration)
                try multi.add(easy)
                transfer.addedAt = MonotonicClock.now
            } catch {
                retire(transfer)
                order.slot.finish(.failed(order.request.url, error))
                return
            }
            active[order.id] = transfer
        }

        private func takeIdleHandle() throws(FetchError) -> CurlEasy {
            if let pooled = idleHandles.popLast() { return pooled }
            return try CurlEasy()
        }

        private func complete(_ completion: CurlMulti.Completion) {
            guard let transfer = FetchTransfer.owning(easyHandle: completion.easyHandle) else {
                preconditionFailure("finished easy handle without a transfer")
            }
            active.removeValue(forKey: transfer.id)
            multi.remove(transfer.easy)
            let response = transfer.makeResponse(result: completion.result)
            if let opened = transfer.easy.info(int: CURLINFO_NUM_CONNECTS), opened > 0 {
                channel.connectionsOpened.add(opened, ordering: .relaxed)
            }
            retire(transfer)
            transfer.slot.finish(response)
        }

        /// Ends a transfer whose handle is out of the multi handle: drops curl's reference and
        /// the header list, then puts the easy handle back in the pool, its shared options set.
        private func retire(_ transfer: FetchTransfer) {
            transfer.releaseResources()
            let easy = transfer.easy
            if idleHandles.count < idleHandleLimit {
                idleHandles.append(easy)
            } else {
                easy.cleanup()
            }
        }

        private func tearDown(unhandled batch: [Message]) {
            let cancelled = batch + channel.close()
            for case .start(let order) in cancelled {
                order.slot.finish(.failed(order.request.url, .cancelled))
            }
            let transfers = active.values
            active = [:]
            for transfer in transfers {
                multi.remove(transfer.easy)
                transfer.releaseResources()
                transfer.easy.cleanup()
                transfer.slot.finish(.failed(transfer.request.url, .cancelled))
            }
            for easy in idleHandles { easy.cleanup() }
            idleHandles = []
            multi.cleanup()
        }
    }
}
