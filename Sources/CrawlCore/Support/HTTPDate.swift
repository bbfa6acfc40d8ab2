import Foundation

/// HTTP-dates (RFC 9110 IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT". Callable from any thread.
public enum HTTPDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(_ unixSeconds: Double) -> String {
        var time = time_t(unixSeconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let day = days[Int((Int64(time) / 86400 % 7 + 7) % 7)]
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d GMT", day, parts.tm_mday, months[Int(parts.tm_mon)],
                      Int(parts.tm_year) + 1900, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
