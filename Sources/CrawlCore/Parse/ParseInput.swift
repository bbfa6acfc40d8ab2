import CLibXML2
import Glibc

/// One document as libxml2 reads it through `htmlCtxtReadIO`, with a CPU-time budget.
///
/// libxml2 asks for more input every few KiB it consumes (about every 4 KiB, measured: 5.7 reads
/// for a 17 KiB page), also from inside a start tag it is still reading. Each read first checks
/// the time spent: the monotonic clock first, which is read without a syscall, and the parsing
/// thread's CPU clock (a syscall) only once that much wall time has passed, since a thread
/// cannot use more CPU time than the wall time elapsed. Once the document has used up its
/// budget, the input ends
/// there, libxml2 closes what is open and returns, and the links found so far are kept. This
/// bounds the time of the parser's quadratic corners (one tag with 100,000 attributes: 40 s for
/// 1.5 MB; thousands of stray end tags under a deep stack), whatever the document holds.
///
/// Lives on the parsing thread's stack for one `htmlCtxtReadIO` call; libxml2 gets a pointer to
/// it as the read callback's context.
struct ParseInput {
    private var next: UnsafeRawPointer
    private var remaining: Int
    /// Thread CPU time (seconds) past which the input ends.
    private let deadline: Double
    /// Monotonic time (seconds) before which the CPU deadline cannot have passed.
    private let earliestDeadline: Double
    /// Set when the input was cut at the deadline.
    private(set) var ranOutOfTime = false

    /// `bytes` (non-empty, alive for the whole parse) with `budget` seconds of this thread's CPU.
    init(_ bytes: UnsafeRawBufferPointer, budget: Double) {
        next = bytes.baseAddress!
        remaining = bytes.count
        deadline = Self.threadCPUSeconds() + budget
        earliestDeadline = MonotonicClock.now + budget
    }

    /// The read callback for `htmlCtxtReadIO`; its context is a pointer to a `ParseInput`.
    static let read: xmlInputReadCallback = { context, buffer, length in
        guard let context, let buffer, length > 0 else { return -1 }
        return context.assumingMemoryBound(to: ParseInput.self).pointee.copy(into: buffer, length: Int(length))
    }

    /// Copies up to `length` bytes into `buffer`; 0 at the end of the input or of the budget.
    private mutating func copy(into buffer: UnsafeMutablePointer<CChar>, length: Int) -> Int32 {
        guard remaining > 0 else { return 0 }
        if MonotonicClock.now > earliestDeadline && Self.threadCPUSeconds() > deadline {
            ranOutOfTime = true
            remaining = 0
            return 0
        }
        let count = min(length, remaining)
        UnsafeMutableRawPointer(buffer).copyMemory(from: next, byteCount: count)
        next += count
        remaining -= count
        return Int32(count)
    }

    /// CPU seconds the calling thread has used (CLOCK_THREAD_CPUTIME_ID): waiting for a core on a
    /// busy machine does not count against a document.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
