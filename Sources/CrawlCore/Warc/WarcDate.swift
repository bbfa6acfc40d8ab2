import Foundation

/// WARC-Date values (ISO 8601 in UTC, W3C profile) and the 14-digit timestamps of CDXJ and
/// WARC file names. Pure; callable from any thread.
public enum WarcDate {
    /// `2025-03-01T12:34:56.123456Z`: microseconds, as WARC 1.1 allows.
    public static func format(_ unixSeconds: Double) -> String {
        let (parts, micros) = split(unixSeconds)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    /// Appends ``format(_:)`` of `unixSeconds` to `bytes` (the record header path: no Foundation formatting).
    static func append(_ unixSeconds: Double, to bytes: inout [UInt8]) {
        let (parts, micros) = split(unixSeconds)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(48 + value / divisor % 10))
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        bytes.append(UInt8(ascii: "."))
        digits(micros, 6)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `20250301123456`: the CDXJ timestamp (seconds, UTC).
    public static func timestamp14(_ unixSeconds: Double) -> String {
        let (parts, _) = split(unixSeconds)
        return String(format: "%04d%02d%02d%02d%02d%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// `20250301123456789`: 17 digits (milliseconds), for WARC file names.
    public static func timestamp17(_ unixSeconds: Double) -> String {
        let (_, micros) = split(unixSeconds)
        return timestamp14(unixSeconds) + String(format: "%03d", micros / 1000)
    }

    /// Unix seconds of a WARC-Date (`YYYY-MM-DDThh:mm:ss[.fraction]Z`, or with less precision), or nil.
    public static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<(from + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32((number(5, 2) ?? 1) - 1)
        parts.tm_mday = Int32(number(8, 2) ?? 1)
        parts.tm_hour = Int32(number(11, 2) ?? 0)
        parts.tm_min = Int32(number(14, 2) ?? 0)
        parts.tm_sec = Int32(number(17, 2) ?? 0)
        var seconds = Double(timegm(&parts))
        if bytes.count > 20, bytes[19] == UInt8(ascii: ".") {
            var scale = 0.1
            for byte in bytes[20...] where byte >= 48 && byte <= 57 {
                seconds += Double(byte - 48) * scale
                scale /= 10
            }
        }
        return seconds
    }

    private static func split(_ unixSeconds: Double) -> (tm, Int) {
        var whole = unixSeconds.rounded(.down)
        var micros = Int(((unixSeconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return (parts, micros)
    }
}
