import Testing

@testable import CrawlCore

@Suite("TextRunCompactor: text between tags shrinks, elements do not change")
struct TextRunCompactorTests {
    init() { LinkExtractor.initializeLibrary() }

    private func compacted(_ html: String) -> String? {
        var output: [UInt8] = []
        let bytes = Array(html.utf8)
        let changed = bytes.withUnsafeBytes { TextRunCompactor.compact($0, into: &output) }
        return changed ? String(decoding: output, as: UTF8.self) : nil
    }

    private let long = String(repeating: "lorem ipsum ", count: 10)

    @Test func longTextBetweenTagsBecomesOneByte() {
        #expect(compacted("<p>\(long)</p><a href=/x>\(long)</a>") == "<p>x</p><a href=/x>x</a>")
    }

    @Test func blankRunsBecomeASpace() {
        let blanks = String(repeating: " \n\t", count: 30)
        #expect(compacted("<ul>\(blanks)<li>") == "<ul> <li>")
    }

    @Test func shortRunsAndDocumentsAreLeftAlone() {
        #expect(compacted("<p>short</p>") == nil)
        #expect(compacted(long + "<p>") == nil)  // no `>` before it
        #expect(compacted("<p>" + long) == nil)  // no `<` after it
    }

    @Test(arguments: ["\"", "'", "é", "\u{1B}$B", "\u{0}"])
    func runsHoldingQuotesNonASCIIEscOrNULAreKept(_ byte: String) {
        let html = "<p>\(long)\(byte)\(long)</p>"
        #expect(compacted(html) == nil)
    }

    @Test func aQuotedAttributeWithAnAngleBracketKeepsItsValue() {
        let html = "<a title='a > \(long)' href='/kept'>\(long)</a>"
        #expect(compacted(html) == "<a title='a > \(long)' href='/kept'>x</a>")
    }

    @Test func scriptsCommentsAndStylesKeepTheirDelimiters() {
        let html = "<script>if (a > b) {\(long)}</script><!-- c > \(long) --><style>p>b{\(long)}</style>"
        // The comment's text runs up to `-->`, not to a `<`: it is kept whole.
        #expect(compacted(html) == "<script>if (a >x</script><!-- c > \(long) --><style>p>x</style>")
    }

    // MARK: - Differential: the links are those of the document as it was

    private func bothWays(_ bytes: [UInt8], encoding: String? = nil) -> (ExtractedLinks, ExtractedLinks) {
        (LinkExtractor(compactsText: true).extract(bytes, encoding: encoding),
         LinkExtractor(compactsText: false).extract(bytes, encoding: encoding))
    }

    private func expectSame(_ bytes: [UInt8], encoding: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        let (fast, plain) = bothWays(bytes, encoding: encoding)
        #expect(fast.links == plain.links, sourceLocation: sourceLocation)
        #expect(fast.baseHref == plain.baseHref, sourceLocation: sourceLocation)
        #expect(fast.metaNoFollow == plain.metaNoFollow && fast.metaNoIndex == plain.metaNoIndex,
                sourceLocation: sourceLocation)
        #expect(fast.truncated == plain.truncated, sourceLocation: sourceLocation)
    }

    @Test func handWrittenCornerCases() {
        let cases = [
            // A base after long text in the head: text implies <body> the same way both times.
            "<html><head><title>\(long)</title>\(long)<base href='http://b.test/'></head><a href=x>y</a>",
            "<html>\(String(repeating: " ", count: 80))<base href=/b/><a href=c>",
            "<meta name=robots content=nofollow>\(long)<a href=/n rel=nofollow>\(long)</a>",
            "<p>\(long)<img srcset='a.png 1x, b.png 2x' src=c.png>\(long)<picture><source srcset=d.png></picture>",
            "<script>var s = '<a href=/in-script>';\(long)</script><a href=/after-script>",
            "<!-- <a href=/commented> \(long) --><a href=/after-comment>",
            "<textarea>\(long)<a href=/in-textarea></textarea><a href=/after>",
            "<a href='/x?a=1&amp;b=2'>\(long)</a><area href=/area>\(long)<iframe src=/frame></iframe>",
            "<meta http-equiv=refresh content='0; url=/refreshed'>\(long)",
            "<a title=\"1 > 0 \(long) < 2\" href=/title-with-brackets>t</a>",
        ]
        for html in cases { expectSame(Array(html.utf8)) }
    }

    @Test func legacyAndWideEncodingsAreUntouched() {
        // Latin-1 without a label: libxml2's guess switches on the first non-UTF-8 byte.
        var latin1 = Array("<p>\(long)".utf8) + [0xE9] + Array("\(long)<a href='/caf".utf8) + [0xE9] + Array("'>".utf8)
        expectSame(latin1)
        latin1 = Array("<p>\(long)<a href='/ol".utf8) + [0xE9] + Array("'>\(long)</a>".utf8)
        expectSame(latin1, encoding: "iso-8859-1")
        // UTF-16LE with a BOM, CJK text whose bytes are all ASCII-range: must not be cut.
        let units = Array("<p>\(String(repeating: "\u{4E2D}\u{6587}", count: 40))<a href=/wide>w</a>".utf16)
        var utf16: [UInt8] = [0xFF, 0xFE]
        for unit in units { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(utf16.withUnsafeBytes { NULByteScrubber.mayBeWideEncoding($0, label: nil) })
        expectSame(utf16)
        expectSame(utf16, encoding: "UTF-16LE")
        // ISO-2022-JP: ESC sequences shift in and out of two-byte mode.
        let jis = Array("<p>\(long)\u{1B}$B".utf8) + Array(repeating: 0x3E, count: 70) + Array("\u{1B}(B<a href=/jis>j</a>".utf8)
        expectSame(jis, encoding: "ISO-2022-JP")
    }

    @Test func randomTagSoupGivesTheSameLinks() {
        var generator = SeededGenerator(state: 2026)
        let pieces = [
            "<a href=/p%d>", "<a href='/q?%d'>", "</a>", "<p>", "</p>", "<div class=\"c > d\">", "</div>", "<img src=/i%d.png>",
            "<base href=/base%d/>", "<script>", "</script>", "<style>", "</style>", "<!--", "-->", "<title>", "</title>",
            "<meta name=robots content=noindex>", "<a title='x > %d' href=/t%d>", "<a href=\"/u%d\" title=\"<>\">", "&amp;", "&lt;",
            "<textarea>", "</textarea>", "<source srcset='/s%d.png 2x'>", "<br/>", "<", ">", "'", "\"", "\n", "é",
        ]
        let words = ["lorem", "ipsum", "dolor", "sit", "amet", "crawl", "frontier", " ", "\t", "  "]
        for _ in 0..<300 {
            var html = ""
            for _ in 0..<Int.random(in: 5...60, using: &generator) {
                if Bool.random(using: &generator) {
                    html += pieces.randomElement(using: &generator)!.replacingOccurrences(
                        of: "%d", with: String(Int.random(in: 0...99, using: &generator)))
                } else {
                    for _ in 0..<Int.random(in: 1...40, using: &generator) { html += words.randomElement(using: &generator)! + " " }
                }
            }
            expectSame(Array(html.utf8))
        }
    }
}
