#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The names of a job's WARC files: `crawl-TIMESTAMP-SERIAL-HOST.warc.gz`, where TIMESTAMP is the
/// file's creation time (17 digits, UTC, milliseconds), SERIAL counts the job's files from 00001
/// on and HOST is the crawling machine. Sorting by serial gives the order they were written in.
public struct WarcFileName: Sendable, Equatable, Comparable {
    public static let prefix = "crawl-"
    public static let suffix = ".warc.gz"

    public var timestamp: String
    public var serial: Int
    public var host: String

    public init(timestamp: String, serial: Int, host: String) {
        self.timestamp = timestamp
        self.serial = serial
        self.host = host
    }

    /// A new file's name: now, `serial`, this machine's host name.
    public init(serial: Int, at unixSeconds: Double, host: String) {
        self.init(timestamp: WarcDate.timestamp17(unixSeconds), serial: serial, host: Self.sanitized(host))
    }

    /// Parses a name of this scheme; nil for any other file.
    public init?(parsing name: String) {
        guard name.hasPrefix(Self.prefix), name.hasSuffix(Self.suffix) else { return nil }
        let middle = name.dropFirst(Self.prefix.count).dropLast(Self.suffix.count)
        let parts = middle.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 17, parts[0].allSatisfy(\.isASCIIDigit),
              parts[1].count >= 5, parts[1].allSatisfy(\.isASCIIDigit), let serial = Int(parts[1]), !parts[2].isEmpty
        else { return nil }
        self.init(timestamp: String(parts[0]), serial: serial, host: String(parts[2]))
    }

    public var name: String {
        let digits = String(serial)
        return Self.prefix + timestamp + "-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "-" + host + Self.suffix
    }

    public static func < (lhs: WarcFileName, rhs: WarcFileName) -> Bool {
        (lhs.serial, lhs.timestamp) < (rhs.serial, rhs.timestamp)
    }

    /// A host name fit for a file name: letters, digits, dots and hyphens; anything else becomes a hyphen.
    static func sanitized(_ host: String) -> String {
        let cleaned = String(host.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
        return cleaned.isEmpty ? "localhost" : cleaned
    }

    /// This machine's host name (gethostname), sanitized.
    public static var localHost: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return sanitized(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// The WARC files of this scheme in `directory`, in serial order (empty if it cannot be read).
    public static func list(in directory: String) -> [WarcFileName] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [WarcFileName] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let parsed = WarcFileName(parsing: name) { names.append(parsed) }
        }
        return names.sorted()
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
