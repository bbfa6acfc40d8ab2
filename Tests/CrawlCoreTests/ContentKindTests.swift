import Testing

@testable import CrawlCore

@Suite struct ContentKindTests {
    @Test(arguments: [
        "text/html", "TEXT/HTML", "text/html; charset=utf-8", " text/html ;charset=x", "\ttext/Html\t",
        "application/xhtml+xml", "Application/XHTML+XML; q=1",
    ])
    func htmlMediaTypes(_ contentType: String) {
        #expect(ContentKind.isHTML(contentType: contentType, body: []))
    }

    @Test(arguments: [
        "", ";", "text/plain", "text/htm", "text/html5", "text /html", "xtext/html", "image/jpeg",
        "application/xhtml", "text/html\u{00A0}x", "tëxt/html",
    ])
    func otherMediaTypes(_ contentType: String) {
        // A Content-Type decides alone, even against a body that looks like HTML.
        #expect(!ContentKind.isHTML(contentType: contentType, body: Array("<!DOCTYPE html>".utf8)))
    }

    @Test(arguments: [
        "<!doctype html><p>", "<!DOCTYPE HTML>", "  \r\n\t<html lang=en>", "<HTML>",
        "\u{FEFF}<html>", "\u{FEFF}\u{FEFF} <!DocType Html>",
    ])
    func bodiesThatStartLikeHTML(_ body: String) {
        #expect(ContentKind.isHTML(contentType: nil, body: Array(body.utf8)))
    }

    @Test(arguments: ["", "   ", "<?xml version='1.0'?><html>", "<!doctype htm", "<htm", "x<html>", "<body><html>"])
    func bodiesThatDoNot(_ body: String) {
        #expect(!ContentKind.isHTML(contentType: nil, body: Array(body.utf8)))
    }

    @Test func onlyTheFirst256BytesAreSniffed() {
        let late = Array(repeating: UInt8(ascii: " "), count: 252) + Array("<html>".utf8)
        #expect(!ContentKind.isHTML(contentType: nil, body: late))
        let early = Array(repeating: UInt8(ascii: " "), count: 251) + Array("<html>".utf8)
        #expect(ContentKind.isHTML(contentType: nil, body: early))
        // A BOM cut off by the 256-byte window is not skipped.
        #expect(!ContentKind.isHTML(contentType: nil, body: Array(repeating: 0x20, count: 254) + [0xEF, 0xBB, 0xBF]))
    }

    @Test func charsetParameter() {
        #expect(ContentKind.charset(of: "text/html; charset=UTF-8") == "UTF-8")
        #expect(ContentKind.charset(of: "text/html;Charset=\"iso-8859-1\"") == "iso-8859-1")
        #expect(ContentKind.charset(of: "text/html; charset=") == nil)
        #expect(ContentKind.charset(of: "text/html") == nil)
        #expect(ContentKind.charset(of: nil) == nil)
    }
}
