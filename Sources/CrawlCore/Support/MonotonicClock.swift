import Foundation

/// Seconds on a clock that never jumps (CLOCK_MONOTONIC), for politeness timing.
public enum MonotonicClock {
    public static var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Wall-clock seconds since 1970, for what is stored.
    public static var wallNow: Double { Date().timeIntervalSince1970 }
}
