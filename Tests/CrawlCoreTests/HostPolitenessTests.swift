import Testing
@testable import CrawlCore

@Suite struct HostPolitenessTests {
    @Test func errorsSlowTheHostAndSuccessesSpeedItBackUpButNeverBelowTheDelay() {
        var host = HostPoliteness(baseDelay: 1)
        host.recordTransientFailure()
        host.recordTransientFailure()
        host.recordTransientFailure()
        #expect(host.errorStreak == 3)
        #expect(host.spacing == 8)
        host.recordSuccess()
        #expect(host.errorStreak == 0)
        #expect(host.spacing == 4)
        host.recordSuccess()
        host.recordSuccess()
        host.recordSuccess()
        #expect(host.backoff == 0)
        #expect(host.spacing == 1)
    }

    @Test func backoffIsCapped() {
        var host = HostPoliteness(baseDelay: 0)
        for _ in 0..<40 { host.recordTransientFailure() }
        #expect(host.spacing == HostPoliteness.maxBackoff)
    }

    @Test func crawlDelayIsCappedAndNeverBelowTheDelay() {
        var host = HostPoliteness(baseDelay: 0.5)
        host.applyCrawlDelay(10, delay: 0.5, cap: 5)
        #expect(host.baseDelay == 5)
        host.applyCrawlDelay(0.1, delay: 0.5, cap: 5)
        #expect(host.baseDelay == 0.5)
        host.applyCrawlDelay(nil, delay: 0.5, cap: 5)
        #expect(host.baseDelay == 0.5)
    }

    @Test(arguments: [(408, true), (429, true), (500, true), (502, true), (503, true), (504, true), (501, false), (505, false), (404, false), (403, false), (410, false)])
    func transientStatuses(status: Int, transient: Bool) {
        #expect(RetryPolicy.isTransient(status: status) == transient)
    }

    @Test func transientTransportErrors() {
        #expect(RetryPolicy.isTransient(errorKind: "timeout"))
        #expect(RetryPolicy.isTransient(errorKind: "reset"))
        #expect(!RetryPolicy.isTransient(errorKind: "too_large"))
        #expect(!RetryPolicy.isTransient(errorKind: "blocked_scheme"))
    }

    @Test func retryBackoffGrowsWithJitterWithinBounds() {
        #expect(RetryPolicy.backoff(attempts: 1, base: 1, jitter: 0) == 1)
        #expect(RetryPolicy.backoff(attempts: 3, base: 1, jitter: 0) == 4)
        #expect(RetryPolicy.backoff(attempts: 3, base: 1, jitter: 1) == 6)
        #expect(RetryPolicy.backoff(attempts: 40, base: 1, jitter: 0) == 600)
    }

    @Test func retryAfterInBothForms() {
        let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.retryAfterSeconds("120", now: now) == 120)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:51:37 GMT", now: now) == 120)
        #expect(RetryPolicy.retryAfterSeconds("Sunday, 06-Nov-94 08:50:37 GMT", now: now) == 60)
        #expect(RetryPolicy.retryAfterSeconds("Sun Nov  6 08:49:47 1994", now: now) == 10)
        #expect(RetryPolicy.retryAfterSeconds("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)  // in the past
        #expect(RetryPolicy.retryAfterSeconds("-5", now: now) == nil)
        #expect(RetryPolicy.retryAfterSeconds("soon", now: now) == nil)
        #expect(RetryPolicy.retryAfterSeconds(nil, now: now) == nil)
        #expect(RetryPolicy.retryAfterSeconds("99999999", now: now) == 86400)
    }
}
