import Testing

@testable import CrawlCore

private func sniff(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { UTF8Sniffer.isNonASCIIUTF8($0) }
}

@Suite struct UTF8SnifferTests {
    @Test func pureASCIIIsNotReportedAsUTF8() {
        #expect(!sniff([]))
        #expect(!sniff(Array("<html><body>plain ascii, long enough to use the wide scan</body></html>".utf8)))
        #expect(!sniff([0x00, 0x41, 0x00, 0x42]))
    }

    @Test func wellFormedNonASCIIIsUTF8() {
        #expect(sniff(Array("é".utf8)))
        #expect(sniff(Array("<p>0123456789abcdef Grüße 日本 𝄞 \u{10FFFF}</p>".utf8)))
        #expect(sniff([0xEF, 0xBB, 0xBF, 0x3C]))
    }

    @Test(arguments: [
        [0xE9] as [UInt8],  // Latin-1 é
        [0x41, 0xC3],  // truncated two-byte sequence
        [0xC0, 0x80],  // overlong NUL
        [0xC1, 0xBF],  // overlong
        [0xE0, 0x80, 0x80],  // overlong three-byte
        [0xED, 0xA0, 0x80],  // surrogate U+D800
        [0xF0, 0x80, 0x80, 0x80],  // overlong four-byte
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],  // invalid lead
        [0xE2, 0x82, 0x41],  // bad continuation
        [0x93, 0xFA, 0x96, 0x7B],  // Shift_JIS 日本
        [0xFF, 0xFE, 0x3C, 0x00],  // UTF-16LE BOM
    ])
    func malformedSequencesAreNotUTF8(_ tail: [UInt8]) {
        #expect(!sniff(tail))
        #expect(!sniff(Array("0123456789abcdefgh é".utf8) + tail))
    }
}
