import Foundation

/// Durations as people write them on a command line: `90s`, `14m`, `2h`, `1d`, `1.5h`, or plain
/// seconds (`30`, `0.5`). Pure; callable from anywhere.
public enum DurationText {
    /// Seconds, or nil if `text` is not a positive duration.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        let (number, scale): (Substring, Double) = units[last].map { (trimmed.dropLast(), $0) } ?? (Substring(trimmed), 1)
        guard let value = Double(number), value.isFinite, value > 0 else { return nil }
        return value * scale
    }

    /// "2h", "14m", "90s", "1.5s" — the shortest exact form, for messages.
    public static func format(_ seconds: Double) -> String {
        for (unit, scale) in [("d", 86400.0), ("h", 3600.0), ("m", 60.0)] where seconds >= scale && seconds.truncatingRemainder(dividingBy: scale) == 0 {
            return "\(Int(seconds / scale))\(unit)"
        }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
