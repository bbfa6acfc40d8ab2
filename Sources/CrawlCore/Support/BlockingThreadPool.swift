import Foundation

/// A fixed set of threads that run blocking work (SQLite, file writes, libxml2) outside Swift's
/// cooperative thread pool. Each thread owns one `Context` (a database connection, a parser), made
/// on that thread and used only there.
///
/// Any thread or task may call ``submit(_:)`` and ``run(_:)``; ``shutdown()`` from any thread but
/// a pool thread.
public final class BlockingThreadPool<Context>: @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `head` and `stopping` are only touched with `condition` locked;
    // each Context is created and used on its own pool thread only.
    public typealias Job = @Sendable (Context) -> Void

    private let condition = NSCondition()
    private var jobs: [Job?] = []
    private var head = 0
    private var stopping = false
    private var running = 0
    private let name: String

    /// Starts `count` threads; `makeContext` runs once on each of them.
    public init(name: String, count: Int, makeContext: @escaping @Sendable () -> Context) {
        self.name = name
        for index in 0..<max(1, count) {
            let thread = Thread { [self] in self.workerLoop(makeContext()) }
            thread.name = count > 1 ? "\(name)-\(index)" : name
            thread.stackSize = 4 << 20  // libxml2 recursion on deeply nested pages
            running += 1
            thread.start()
        }
    }

    /// Queues a job; it runs on one of the pool's threads, in submission order for a one-thread pool.
    public func submit(_ job: @escaping Job) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on a pool thread and returns its result to the awaiting task.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Context) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            submit { context in continuation.resume(with: Result { try body(context) }) }
        }
    }

    /// Runs a body that cannot fail.
    public func run<T: Sendable>(_ body: @escaping @Sendable (Context) -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            submit { context in continuation.resume(returning: body(context)) }
        }
    }

    /// Number of jobs waiting (not running).
    public var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Lets queued jobs finish, then stops and joins every thread. Idempotent.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func workerLoop(_ context: Context) {
        while let job = nextJob() {
            job(context)
        }
        condition.lock()
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func nextJob() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if stopping { return nil }
            condition.wait()
        }
        let job = jobs[head]
        jobs[head] = nil
        head += 1
        if head > 1024 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }
}
