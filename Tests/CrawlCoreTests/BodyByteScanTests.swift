import Testing

@testable import CrawlCore

private func scan(_ bytes: [UInt8], findNonASCII: Bool = true) -> BodyByteScan {
    bytes.withUnsafeBytes { BodyByteScan($0, findNonASCII: findNonASCII) }
}

@Suite struct BodyByteScanTests {
    @Test func plainASCII() {
        for count in [0, 1, 7, 8, 9, 63, 64, 65] {
            let result = scan(Array(repeating: UInt8(ascii: "a"), count: count))
            #expect(!result.containsNUL)
            #expect(result.firstNonASCII == nil)
        }
    }

    /// Every position, in the eight-byte words and in the tail, against a byte-by-byte answer.
    @Test func findsEachByteWherever() {
        for count in [1, 8, 15, 16, 17, 40] {
            for position in 0..<count {
                var bytes = Array(repeating: UInt8(ascii: "x"), count: count)
                bytes[position] = 0
                #expect(scan(bytes).containsNUL)
                #expect(scan(bytes).firstNonASCII == nil)
                bytes[position] = 0xC3
                #expect(!scan(bytes).containsNUL)
                #expect(scan(bytes).firstNonASCII == position)
                #expect(scan(bytes, findNonASCII: false).firstNonASCII == nil)
            }
        }
    }

    @Test func firstOfSeveralAndBoth() {
        var bytes = Array(repeating: UInt8(ascii: "x"), count: 40)
        bytes[3] = 0
        bytes[13] = 0xFF
        bytes[11] = 0x80
        bytes[30] = 0x90
        let result = scan(bytes)
        #expect(result.containsNUL)
        #expect(result.firstNonASCII == 11)
        // A NUL after the first non-ASCII byte is still found.
        var late = Array(repeating: UInt8(ascii: "x"), count: 40)
        late[2] = 0xE9
        late[37] = 0
        #expect(scan(late).containsNUL)
        #expect(scan(late).firstNonASCII == 2)
    }
}
