import CrawlCore

/// The robots.txt parser and matcher (`RobotsRules(parsing:userAgent:)`, `isAllowed`).
///
/// Input: the first byte picks a User-Agent; the rest is the robots.txt body. The paths asked
/// about are a fixed set plus every value of the body's `field: value` lines, so mutated rules
/// are matched against paths like themselves. Checked: parsing is deterministic, `/robots.txt`
/// is always allowed, a Crawl-delay is finite and not negative, and a path with its unreserved
/// letters percent-encoded gets the same answer (RFC 9309 compares canonical forms).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRobots(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let agents = ["crawl/0.1 (+https://example.org/bot)", "FooBot/2.1", "x", "", "Mozilla/5.0 (compatible; crawl)"]
    let userAgent = agents[Int(bytes[0]) % agents.count]
    let body = Array(bytes.dropFirst())
    let rules = RobotsRules(parsing: body, userAgent: userAgent)
    guard rules == RobotsRules(parsing: body, userAgent: userAgent) else { fatalError("parsing is not deterministic") }
    if let delay = rules.crawlDelay, !(delay.isFinite && delay >= 0) { fatalError("crawl-delay \(delay)") }
    guard rules.isAllowed("/robots.txt") else { fatalError("/robots.txt disallowed") }

    var paths = ["", "/", "/index.html", "/a/b?c=d&e", "/%7Ejoe/", "/~joe/", "/private/x", "/%E2%82%AC", "/€"]
    for line in body.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }).prefix(64) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
        paths.append(value)
        paths.append(value + "x")
    }
    for path in paths {
        let allowed = rules.isAllowed(path)
        if !path.utf8.contains(UInt8(ascii: "%")) {
            let encoded = percentEncodingLetters(path)
            guard rules.isAllowed(encoded) == allowed else {
                fatalError("\(path.debugDescription) allowed=\(allowed) but \(encoded.debugDescription) differs")
            }
        }
    }
    return 0
}

/// `path` with every ASCII letter written as a `%XX` escape (alternately upper and lower hex).
func percentEncodingLetters(_ path: String) -> String {
    let hex = Array("0123456789ABCDEF0123456789abcdef".utf8)
    var out: [UInt8] = []
    for (index, byte) in path.utf8.enumerated() {
        let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        if isLetter {
            let table = index % 2 == 0 ? 0 : 16
            out += [UInt8(ascii: "%"), hex[table + Int(byte >> 4)], hex[table + Int(byte & 0x0F)]]
        } else {
            out.append(byte)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
