/// Punycode encoding (RFC 3492), used to turn non-ASCII host labels into their `xn--` form.
///
/// Pure functions, callable from any thread. Only encoding is needed: the crawler never displays
/// Unicode host names, it only has to produce the ASCII form DNS and curl expect.
enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// Encodes one label (without the `xn--` prefix). Input should already be lower-case.
    /// Returns `nil` when the label is longer than 63 code points (longer than any DNS label can
    /// become) so that the arithmetic can never overflow.
    static func encode(_ label: [Unicode.Scalar]) -> String? {
        guard label.count <= 63 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(label.count * 2 + 1)
        for scalar in label where scalar.isASCII {
            output.append(UInt8(scalar.value))
        }
        let basicCount = output.count
        if basicCount > 0 { output.append(0x2D) }  // "-" delimiter

        var n = initialN
        var delta = 0
        var bias = initialBias
        var handled = basicCount
        while handled < label.count {
            // The smallest code point not yet handled.
            var next = Int.max
            for scalar in label where Int(scalar.value) >= n {
                next = min(next, Int(scalar.value))
            }
            delta += (next - n) * (handled + 1)
            n = next
            for scalar in label {
                let value = Int(scalar.value)
                if value < n { delta += 1 }
                guard value == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, points: handled + 1, isFirst: handled == basicCount)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Bias adaptation (RFC 3492 §6.1).
    private static func adapt(delta: Int, points: Int, isFirst: Bool) -> Int {
        var delta = isFirst ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    /// Digit values 0...25 are `a`...`z`, 26...35 are `0`...`9`.
    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(0x61 + value) : UInt8(0x30 + value - 26)
    }
}
