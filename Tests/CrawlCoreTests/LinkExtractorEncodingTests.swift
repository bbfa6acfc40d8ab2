import Testing

@testable import CrawlCore

/// A run of document bytes written either as ASCII markup or as raw (non-UTF-8) bytes.
private struct Piece: ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    let bytes: [UInt8]
    init(stringLiteral markup: String) { bytes = Array(markup.utf8) }
    init(arrayLiteral bytes: UInt8...) { self.bytes = bytes }
}

private func document(_ pieces: [Piece]) -> [UInt8] {
    pieces.flatMap(\.bytes)
}

private func hrefs(_ bytes: [UInt8], encoding: String?) -> [String] {
    LinkExtractor.initializeLibrary()
    return LinkExtractor().extract(bytes, encoding: encoding).links.map(\.reference)
}

/// 日本表 in Shift_JIS; 表 ends in 0x5C (a backslash in ASCII), 本 in 0x7B (`{`).
private let nihonShiftJIS: Piece = [0x93, 0xFA, 0x96, 0x7B, 0x95, 0x5C]

@Suite struct LinkExtractorEncodingTests {
    @Test func decodesShiftJISNamedByTheHeader() {
        let body = document(["<html><body><a href=\"/", nihonShiftJIS, "?q=", nihonShiftJIS, "\">x</a></body></html>"])
        #expect(hrefs(body, encoding: "Shift_JIS") == ["/日本表?q=日本表"])
    }

    @Test func decodesShiftJISDeclaredInMeta() {
        let modern = document(["<head><meta charset=\"Shift_JIS\"></head><a href=\"/", nihonShiftJIS, "\">x</a>"])
        #expect(hrefs(modern, encoding: nil) == ["/日本表"])
        let legacy = document([
            "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_jis\"></head>",
            "<p>", nihonShiftJIS, "</p><a href=\"/", nihonShiftJIS, "\">x</a>",
        ])
        #expect(hrefs(legacy, encoding: nil) == ["/日本表"])
    }

    @Test func decodesEUCJPAndWindows1252NamedByTheHeader() {
        let eucJP = document(["<a href=\"/", [0xC6, 0xFC, 0xCB, 0xDC], "\">x</a>"])
        #expect(hrefs(eucJP, encoding: "EUC-JP") == ["/日本"])
        let windows1252 = document(["<a href=\"/price-", [0x80], "\">x</a>"])
        #expect(hrefs(windows1252, encoding: "windows-1252") == ["/price-€"])
    }

    @Test func decodesLatin1NamedByTheHeaderOrUndeclared() {
        let body = document(["<a href=\"/caf", [0xE9], "\">caf", [0xE9], "</a>"])
        #expect(hrefs(body, encoding: "iso-8859-1") == ["/café"])
        #expect(hrefs(body, encoding: "ISO-8859-1") == ["/café"])
        #expect(hrefs(body, encoding: nil) == ["/café"])
    }

    @Test func readsUndeclaredValidUTF8AsUTF8() {
        let body = Array("<p>Grüße</p><a href=\"/café\">x</a><a href=\"/日本\">y</a>".utf8)
        #expect(hrefs(body, encoding: nil) == ["/café", "/日本"])
    }

    @Test func headerCharsetWinsOverMeta() {
        let body = Array("<meta charset=\"iso-8859-1\"><a href=\"/café\">x</a>".utf8)
        #expect(hrefs(body, encoding: "utf-8") == ["/café"])
        #expect(hrefs(body, encoding: "UTF-8") == ["/café"])
    }

    @Test func unknownHeaderCharsetFallsBackToSniffing() {
        let utf8 = Array("<a href=\"/café\">x</a>".utf8)
        #expect(hrefs(utf8, encoding: "x-no-such-charset") == ["/café"])
        let shiftJIS = document(["<meta charset=Shift_JIS><a href=\"/", nihonShiftJIS, "\">x</a>"])
        #expect(hrefs(shiftJIS, encoding: "") == ["/日本表"])
    }

    @Test func honoursByteOrderMarks() {
        let utf8WithBOM = [0xEF, 0xBB, 0xBF] + Array("<a href=\"/ü\">x</a>".utf8)
        #expect(hrefs(utf8WithBOM, encoding: nil) == ["/ü"])
        #expect(hrefs(utf8WithBOM, encoding: "utf-8") == ["/ü"])
        let markup = "<html><body><a href=\"/ü\">x</a></body></html>"
        let utf16LE: [UInt8] = [0xFF, 0xFE] + markup.utf16.flatMap { (unit: UInt16) -> [UInt8] in
            [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
        }
        #expect(hrefs(utf16LE, encoding: nil) == ["/ü"])
    }

    @Test func survivesBytesInvalidForTheDeclaredCharset() {
        // 0x85 0x20 is not Shift_JIS. libxml2 2.9 stops decoding there; links before it survive.
        let body = document([
            "<a href=\"/", nihonShiftJIS, "\">x</a><p>", [0x85, 0x20, 0xFF, 0xFF], "</p><a href=/after>y</a>",
        ])
        let links = hrefs(body, encoding: "Shift_JIS")
        #expect(links.first == "/日本表")
        let latin1Labelled = document(["<a href=\"/", [0xFF, 0xFE, 0x00, 0x41], "\">x</a>"])
        #expect(hrefs(latin1Labelled, encoding: "utf-8").count <= 1)
    }

    @Test func oneExtractorCarriesNoEncodingStateBetweenDocuments() {
        LinkExtractor.initializeLibrary()
        let extractor = LinkExtractor()
        let shiftJIS = document(["<a href=\"/", nihonShiftJIS, "\">x</a>"])
        let shiftJISByMeta = document(["<meta charset=Shift_JIS><a href=\"/", nihonShiftJIS, "\">x</a>"])
        let latin1 = document(["<a href=\"/caf", [0xE9], "\">x</a>"])
        let utf8 = Array("<a href=\"/café\">x</a>".utf8)
        let rounds: [([UInt8], String?, String)] = [
            (shiftJIS, "Shift_JIS", "/日本表"), (latin1, nil, "/café"), (utf8, nil, "/café"),
            (shiftJISByMeta, nil, "/日本表"), (utf8, "utf-8", "/café"), (latin1, "iso-8859-1", "/café"),
            (shiftJIS, "shift_jis", "/日本表"), (utf8, nil, "/café"),
        ]
        for (body, label, expected) in rounds {
            #expect(extractor.extract(body, encoding: label).links.map(\.reference) == [expected])
        }
    }
}
