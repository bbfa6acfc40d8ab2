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

    /// Parses an HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850
    /// form ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Unix seconds.
    public static func parse(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        var day: Int?, month: Int?, year: Int?, clock: [Int]?
        for field in fields {
            if let index = months.firstIndex(where: { $0.caseInsensitiveCompare(field) == .orderedSame }) {
                month = index
            } else if field.contains(":") {
                let parts = field.split(separator: ":").compactMap { Int($0) }
                if parts.count == 3 { clock = parts }
            } else if field.contains("-") {  // RFC 850: 06-Nov-94
                let parts = field.split(separator: "-").map(String.init)
                guard parts.count == 3, let d = Int(parts[0]), let y = Int(parts[2]),
                      let m = months.firstIndex(where: { $0.caseInsensitiveCompare(parts[1]) == .orderedSame }) else { return nil }
                day = d
                month = m
                year = y < 70 ? 2000 + y : (y < 100 ? 1900 + y : y)
            } else if let number = Int(field) {
                if number > 31 { year = number } else { day = number }
            }
        }
        guard let day, let month, let year, let clock, (1...31).contains(day), clock[0] < 24, clock[1] < 60, clock[2] < 61 else {
            return nil
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(clock[0])
        parts.tm_min = Int32(clock[1])
        parts.tm_sec = Int32(clock[2])
        return Double(timegm(&parts))
    }
}
