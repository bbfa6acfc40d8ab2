import Testing

@testable import CrawlCore

/// RFC 3492 encoding, checked against the RFC's §7.1 samples and well-known labels.
@Suite struct PunycodeTests {
    @Test(arguments: [
        ("bücher", "bcher-kva"),
        ("münchen", "mnchen-3ya"),
        ("ü", "tda"),
        ("aü", "a-eha"),
        ("üx-y", "x-y-goa"),
        ("例え", "r8jz45g"),
        ("почта", "80a1acny"),
        // RFC 3492 §7.1 (A) Arabic (Egyptian).
        ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"),
        // RFC 3492 §7.1 (B) Chinese (simplified).
        ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
        // RFC 3492 §7.1 (D) Czech, mixed case kept as given.
        ("Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"),
        // RFC 3492 §7.1 (L) 3<nen>B<gumi><kinpachi><sensei>.
        ("3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"),
    ])
    func encodes(label: String, expected: String) {
        #expect(Punycode.encode(Array(label.unicodeScalars)) == expected)
    }

    @Test func asciiOnlyLabelGetsTrailingDelimiter() {
        #expect(Punycode.encode(Array("abc".unicodeScalars)) == "abc-")
    }

    @Test func refusesOverlongLabels() {
        let long = Array(String(repeating: "ü", count: 64).unicodeScalars)
        #expect(Punycode.encode(long) == nil)
    }

    @Test func hostLabelLongerThanDNSLimitIsRejected() {
        let host = "http://" + String(repeating: "ü", count: 60) + ".example/"
        #expect(throws: URLParseError.self) { try CrawlURL(parsing: host) }
    }
}
