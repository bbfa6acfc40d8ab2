import Synchronization

/// The single writer: results from every fetch go into one queue, and each turn of its loop commits
/// everything queued so far as one transaction (group commit). Never one commit per row.
///
/// ``append(_:)`` from any thread, without awaiting; ``run(onCommit:onFailure:)`` from one task.
final class ResultWriter: Sendable {
    enum Entry: Sendable {
        case url(URLResult)
        case robots(RobotsUpdate)
    }

    private let queue = AsyncBatchQueue<Entry>()
    private let store: any JobStore
    private let runID: Int64
    /// Largest transaction, in results.
    let maxBatch: Int
    /// Below this many results, a batch waits briefly for more.
    static let smallBatch = 64

    init(store: any JobStore, runID: Int64, maxBatch: Int = 2048) {
        self.store = store
        self.runID = runID
        self.maxBatch = maxBatch
    }

    func append(_ result: URLResult) { queue.append(.url(result)) }
    func append(_ robots: RobotsUpdate) { queue.append(.robots(robots)) }

    /// No more results will come; ``run`` commits what is left and returns.
    func close() { queue.close() }

    var backlog: Int { queue.count }

    /// Commits batches until closed. After a failed commit, later entries are dropped (their rows
    /// stay as they were, so the next run fetches those URLs again) and `onFailure` is called once.
    func run(onCommit: (ResultBatch, BatchReceipt) -> Void, onFailure: (Error) -> Void) async {
        var failed = false
        while var entries = await queue.next(maxCount: maxBatch) {
            if failed { continue }
            // A small batch waits 2 ms for company: each commit rewrites the index pages it
            // touches, so fewer, larger transactions cost less (CPU per crawl -10% on the bench
            // site). Fetches stay uncommitted (bounded at 2 × --concurrency) until the commit, so
            // this never lets more work pile up.
            if entries.count < Self.smallBatch {
                try? await Task.sleep(for: .milliseconds(2))
                entries += queue.takeReady(maxCount: maxBatch - entries.count)
            }
            var batch = ResultBatch()
            batch.runID = runID
            for entry in entries {
                switch entry {
                case let .url(result): batch.results.append(result)
                case let .robots(update): batch.robots.append(update)
                }
            }
            do {
                let receipt = try await store.record(batch)
                onCommit(batch, receipt)
            } catch {
                failed = true
                onFailure(error)
            }
        }
    }
}
