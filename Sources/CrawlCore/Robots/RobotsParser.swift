/// Reads a robots.txt body line by line (RFC 9309 section 2) and collects the rules of the
/// group(s) that apply to one product token.
///
/// Grammar handled: `key: value` lines with case-insensitive keys and optional whitespace around
/// both; `#` starts a comment; lines end in CR, LF or CRLF; a leading UTF-8 BOM is skipped.
/// A group is one or more consecutive `User-agent` lines followed by its members (`Allow`,
/// `Disallow`, `Crawl-delay`); the next `User-agent` line after a member starts a new group.
/// Members before the first `User-agent` line belong to no group and are dropped. `Sitemap`
/// lines and unknown keys are not group members: they neither end a group nor join one.
/// Lines without a colon are skipped.
///
/// Used only by ``RobotsRules/init(parsing:userAgent:)``; a value type with no shared state.
struct RobotsParser {
    /// What ``parse(_:)`` collected for the selected group(s).
    struct Result {
        var rules: [RobotsRules.Rule]
        var crawlDelay: Double?
        var sitemaps: [String]
    }

    /// The crawler's product token, lower-cased; may be empty, then only `*` groups apply.
    let productToken: [UInt8]

    /// `userAgent` is the full User-Agent string; its leading `[A-Za-z_-]` run is the token.
    init(userAgent: String) {
        productToken = Self.productToken(of: ArraySlice(userAgent.utf8)).map(Self.lowercased)
    }

    /// Parses `body` (the caller has already applied the size cap).
    func parse(_ body: ArraySlice<UInt8>) -> Result {
        var state = State()
        var index = body.startIndex
        if body.starts(with: Self.byteOrderMark) { index += Self.byteOrderMark.count }
        let end = body.endIndex
        while index < end {
            let lineStart = index
            while index < end, body[index] != Self.cr, body[index] != Self.lf { index += 1 }
            let line = body[lineStart ..< index]
            if index < end {
                let isCRLF = body[index] == Self.cr && index + 1 < end && body[index + 1] == Self.lf
                index += isCRLF ? 2 : 1
            }
            consume(line, into: &state)
        }
        return state.result
    }

    // MARK: - Lines

    private enum Key {
        case userAgent, allow, disallow, crawlDelay, sitemap
    }

    private func consume(_ rawLine: ArraySlice<UInt8>, into state: inout State) {
        var line = rawLine
        if let hash = line.firstIndex(of: UInt8(ascii: "#")) { line = line[..<hash] }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        guard let key = Self.key(Self.trimmed(line[..<colon])) else { return }
        let value = Self.trimmed(line[(colon + 1)...])

        switch key {
        case .userAgent:
            state.startAgentLine()
            if value.first == UInt8(ascii: "*")
                && (value.count == 1 || Self.isWhitespace(value[value.startIndex + 1]))
            {
                state.current.isWildcard = true
            } else {
                let token = Self.productToken(of: value)
                if !token.isEmpty && Self.equalIgnoringCase(token, productToken) {
                    state.current.isSpecific = true
                    state.sawSpecificGroup = true
                }
            }
        case .allow, .disallow:
            guard state.startMember() else { return }
            guard let pattern = RobotsPattern(value) else { return }  // empty value: matches nothing
            state.add(RobotsRules.Rule(pattern: pattern, isAllow: key == .allow))
        case .crawlDelay:
            guard state.startMember() else { return }
            if let delay = Self.crawlDelay(value) { state.add(crawlDelay: delay) }
        case .sitemap:
            if !value.isEmpty { state.sitemaps.append(String(decoding: value, as: UTF8.self)) }
        }
    }

    /// Recognized keys, lower-cased, including the misspellings commonly found in the wild.
    private static let keys: [(spelling: [UInt8], key: Key)] = ([
        ("user-agent", .userAgent), ("useragent", .userAgent), ("user agent", .userAgent),
        ("allow", .allow),
        ("disallow", .disallow), ("dissallow", .disallow), ("dissalow", .disallow),
        ("disalow", .disallow), ("diasllow", .disallow), ("disallaw", .disallow),
        ("crawl-delay", .crawlDelay), ("crawldelay", .crawlDelay),
        ("sitemap", .sitemap), ("site-map", .sitemap),
    ] as [(String, Key)]).map { (Array($0.0.utf8), $0.1) }

    private static func key(_ name: ArraySlice<UInt8>) -> Key? {
        for entry in keys where equalIgnoringCase(name, entry.spelling[...]) { return entry.key }
        return nil
    }

    /// A non-negative decimal (`5`, `0.5`, `.5`, `10.`); anything else is invalid.
    static func crawlDelay(_ value: ArraySlice<UInt8>) -> Double? {
        var digits = 0
        var dots = 0
        for byte in value {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            default: return nil
            }
        }
        guard digits > 0, dots <= 1 else { return nil }
        var text = String(decoding: value, as: UTF8.self)
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text += "0" }
        guard let delay = Double(text), delay.isFinite else { return nil }
        return delay
    }

    // MARK: - Bytes

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// The leading run of `[A-Za-z_-]` (RFC 9309 section 2.2.1 product token).
    static func productToken(of value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let end = value.firstIndex { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                return false
            default:
                return true
            }
        }
        return value[..<(end ?? value.endIndex)]
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return bytes[bytes.endIndex...] }
        return bytes[first ... last]
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// ASCII case-insensitive equality; `lowercasedRight` must already be lower-case.
    private static func equalIgnoringCase(
        _ left: ArraySlice<UInt8>, _ lowercasedRight: some Collection<UInt8>
    ) -> Bool {
        left.count == lowercasedRight.count
            && zip(left, lowercasedRight).allSatisfy { lowercased($0) == $1 }
    }
}

extension RobotsParser {
    /// Group bookkeeping while the lines are read, and the rules collected so far.
    struct State {
        /// Which of our two candidate selections the group being read belongs to.
        struct CurrentGroup {
            var isSpecific = false
            var isWildcard = false
        }

        var current = CurrentGroup()
        /// A `User-agent` line has been seen, so members now belong to a group.
        private var hasGroup = false
        /// The last group line was `User-agent`; another one extends the same group.
        private var inAgentLines = false
        /// Some group names our product token; `*` groups are then ignored.
        var sawSpecificGroup = false
        private var specificRules: [RobotsRules.Rule] = []
        private var wildcardRules: [RobotsRules.Rule] = []
        private var specificDelay: Double?
        private var wildcardDelay: Double?
        var sitemaps: [String] = []

        /// Called for each `User-agent` line: opens a new group unless it continues a run of them.
        mutating func startAgentLine() {
            if !inAgentLines { current = CurrentGroup() }
            inAgentLines = true
            hasGroup = true
        }

        /// Called for each member line. Returns whether the member should be kept: false when it
        /// is outside any group, or its group can no longer be selected.
        mutating func startMember() -> Bool {
            guard hasGroup else { return false }
            inAgentLines = false
            return current.isSpecific || (current.isWildcard && !sawSpecificGroup)
        }

        mutating func add(_ rule: RobotsRules.Rule) {
            if current.isSpecific { specificRules.append(rule) }
            if current.isWildcard { wildcardRules.append(rule) }
        }

        /// Keeps the first valid delay of each selection.
        mutating func add(crawlDelay delay: Double) {
            if current.isSpecific && specificDelay == nil { specificDelay = delay }
            if current.isWildcard && wildcardDelay == nil { wildcardDelay = delay }
        }

        var result: Result {
            sawSpecificGroup
                ? Result(rules: specificRules, crawlDelay: specificDelay, sitemaps: sitemaps)
                : Result(rules: wildcardRules, crawlDelay: wildcardDelay, sitemaps: sitemaps)
        }
    }
}
