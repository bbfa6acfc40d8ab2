/// The authority of an absolute URL or network-path reference, validated: `[userinfo@]host[:port]`.
///
/// Internal to the URL parser; a plain value computed on the parsing thread. Ranges index the
/// cleaned input bytes; only an IDNA-converted host is materialized as a String.
struct URLAuthority {
    /// Userinfo without its `@`; `nil` when absent or empty.
    var userinfo: Range<Int>?
    /// The host as written (for IPv6 including the brackets).
    var host: Range<Int>
    /// The host converted to ASCII when it contained non-ASCII characters; already lower-case.
    var asciiHost: String?
    /// The port, `nil` when absent, empty or the scheme's default.
    var port: Int?

    /// Bytes ``writeHost(from:to:)`` will write.
    var hostCapacity: Int { asciiHost?.utf8.count ?? host.count }

    /// Writes the lower-cased (or IDNA-converted) host.
    func writeHost(from input: UnsafeBufferPointer<UInt8>, to writer: inout URLComponentWriter) {
        if let asciiHost {
            writer.append(asciiHost)
        } else {
            writer.appendLowercased(input, host)
        }
    }

    /// Splits and validates `input[range]` (the bytes between `//` and the path).
    static func parse(
        _ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, defaultPort: Int
    ) -> Result<URLAuthority, URLParseError> {
        let end = range.upperBound
        var hostStart = range.lowerBound
        var userinfo: Range<Int>?
        var index = end
        while index > range.lowerBound {
            index -= 1
            guard input[index] == URLByteClass.at else { continue }
            if index > range.lowerBound {
                userinfo = range.lowerBound..<index
                for position in range.lowerBound..<index where URLByteClass.isControl(input[position]) {
                    return .failure(.invalidCharacter)
                }
            }
            hostStart = index + 1
            break
        }
        guard hostStart < end else { return .failure(.missingHost) }

        var authority: URLAuthority
        let portStart: Int?
        if input[hostStart] == URLByteClass.openBracket {
            var close = hostStart + 1
            while close < end, input[close] != URLByteClass.closeBracket { close += 1 }
            guard close < end, isIPv6Literal(input, hostStart + 1..<close) else {
                return .failure(.invalidHost(text(input, hostStart..<end)))
            }
            let hostEnd = close + 1
            if hostEnd < end {
                guard input[hostEnd] == URLByteClass.colon else {
                    return .failure(.invalidHost(text(input, hostStart..<end)))
                }
                portStart = hostEnd + 1
            } else {
                portStart = nil
            }
            authority = URLAuthority(userinfo: userinfo, host: hostStart..<hostEnd)
        } else {
            var hostEnd = hostStart
            while hostEnd < end, input[hostEnd] != URLByteClass.colon { hostEnd += 1 }
            portStart = hostEnd < end ? hostEnd + 1 : nil
            let host = hostStart..<hostEnd
            guard !host.isEmpty else { return .failure(.missingHost) }
            authority = URLAuthority(userinfo: userinfo, host: host)
            var isASCII = true
            for position in host {
                let byte = input[position]
                if byte >= 0x80 {
                    isASCII = false
                } else if !URLByteClass.isHostByte(byte) {
                    return .failure(.invalidHost(text(input, host)))
                }
            }
            if isASCII {
                guard hasValidLabels(UnsafeBufferPointer(rebasing: input[host])) else {
                    return .failure(.invalidHost(text(input, host)))
                }
            } else {
                guard let converted = idnaToASCII(UnsafeBufferPointer(rebasing: input[host])) else {
                    return .failure(.invalidHost(text(input, host)))
                }
                authority.asciiHost = converted
            }
        }
        if let portStart {
            switch parsePort(input, portStart..<end) {
            case .success(let port): authority.port = port == defaultPort ? nil : port
            case .failure(let error): return .failure(error)
            }
        }
        return .success(authority)
    }

    private init(userinfo: Range<Int>?, host: Range<Int>) {
        self.userinfo = userinfo
        self.host = host
    }

    /// Digits only, at most 65535; an empty port means "none".
    private static func parsePort(
        _ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>
    ) -> Result<Int?, URLParseError> {
        guard !range.isEmpty else { return .success(nil) }
        var value = 0
        for position in range {
            let byte = input[position]
            guard URLByteClass.isDigit(byte) else { return .failure(.invalidPort(text(input, range))) }
            value = value * 10 + Int(byte &- 0x30)
            guard value <= 65535 else { return .failure(.invalidPort(text(input, range))) }
        }
        return .success(value)
    }

    /// Hex digits, `:` and `.` with at least one `:` and at most 45 characters (the longest form,
    /// an IPv4-mapped address).
    private static func isIPv6Literal(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count >= 2, range.count <= 45 else { return false }
        var hasColon = false
        for position in range {
            let byte = input[position]
            guard URLByteClass.isIPv6Byte(byte) else { return false }
            if byte == URLByteClass.colon { hasColon = true }
        }
        return hasColon
    }

    /// No empty label: the host does not start with `.` and has no `..`. A trailing `.` is allowed.
    static func hasValidLabels<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        var previousWasDot = true
        for byte in bytes {
            let isDot = byte == URLByteClass.dot
            if isDot, previousWasDot { return false }
            previousWasDot = isDot
        }
        return true
    }

    /// Lower-cases a host containing non-ASCII characters and converts each non-ASCII label to
    /// `xn--` + Punycode (RFC 3492). The ideographic full stops U+3002, U+FF0E and U+FF61 separate
    /// labels like `.`. Returns `nil` for whitespace, controls or forbidden ASCII in a label, an
    /// empty label, or a converted label longer than 63 bytes.
    static func idnaToASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let lowered = String(decoding: bytes, as: UTF8.self).lowercased()
        var result = ""
        var label: [Unicode.Scalar] = []
        for scalar in lowered.unicodeScalars {
            switch scalar.value {
            case 0x2E, 0x3002, 0xFF0E, 0xFF61:
                guard appendLabel(label, to: &result) else { return nil }
                result.append(".")
                label.removeAll(keepingCapacity: true)
            default:
                label.append(scalar)
            }
        }
        guard appendLabel(label, to: &result), hasValidLabels(result.utf8) else { return nil }
        return result
    }

    private static func appendLabel(_ label: [Unicode.Scalar], to result: inout String) -> Bool {
        var isASCII = true
        for scalar in label {
            if scalar.isASCII {
                guard URLByteClass.isHostByte(UInt8(scalar.value)) else { return false }
            } else {
                isASCII = false
                let properties = scalar.properties
                if properties.isWhitespace || properties.generalCategory == .control { return false }
            }
        }
        if isASCII {
            result.unicodeScalars.append(contentsOf: label)
            return true
        }
        guard let encoded = Punycode.encode(label), encoded.utf8.count + 4 <= 63 else { return false }
        result += "xn--"
        result += encoded
        return true
    }

    private static func text(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: input[range]), as: UTF8.self)
    }
}
