import Testing

@testable import CrawlCore

private func elapsed(_ body: () -> Void) -> Duration {
    ContinuousClock().measure(body)
}

@Suite struct LinkExtractorRobustnessTests {
    init() { LinkExtractor.initializeLibrary() }

    @Test(arguments: [nil, "utf-8", "Shift_JIS", "iso-8859-1"] as [String?])
    func binaryGarbageReturnsQuickly(encoding: String?) {
        var generator = SeededGenerator(state: 42)
        let garbage = (0..<1_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(garbage.contains(0))
        let extractor = LinkExtractor()
        var result = ExtractedLinks()
        let time = elapsed { result = extractor.extract(garbage, encoding: encoding) }
        #expect(time < .seconds(20))
        #expect(!result.truncated)
        // The extractor is still usable afterwards.
        #expect(extractor.extract(Array("<a href=/ok>".utf8), encoding: nil).links.map(\.reference) == ["/ok"])
    }

    @Test func tagSoupFuzzNeverCrashes() {
        var generator = SeededGenerator(state: 7)
        let alphabet = Array("<>/=\"' \n\t!-?&#;abefhimnrstAHIMRS0123456789".utf8) + [0x00, 0x80, 0xC3, 0xE9, 0xFF]
        let fragments = [
            "<a href=", "<img srcset=\"", "<meta http-equiv=refresh content=\"0;url=", "<base href=",
            "<source srcset=", "</a>", "<!--", "-->", "<script>", "</script>", "&amp;", "&#x", "<![CDATA[", "<?",
            "<meta name=robots content=", "<iframe src=", "<frame src=", "<area href=",
        ].map { Array($0.utf8) }
        let extractor = LinkExtractor(maxLinks: 50)
        for _ in 0..<300 {
            var document: [UInt8] = []
            while document.count < 4_000 {
                if Bool.random(using: &generator) {
                    document += fragments.randomElement(using: &generator)!
                } else {
                    document.append(alphabet.randomElement(using: &generator)!)
                }
            }
            let result = extractor.extract(document, encoding: Bool.random(using: &generator) ? "utf-8" : nil)
            #expect(result.links.count <= 50)
            #expect(result.links.allSatisfy { !$0.reference.isEmpty && !$0.reference.hasPrefix("#") })
        }
    }

    @Test func fiveMegabytesOfTextKeepLinksOnBothSides() {
        let sentence = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
        let paragraph = "<p>" + String(repeating: sentence, count: 40) + "</p>\n"
        let paragraphs = String(repeating: paragraph, count: 5_000_000 / paragraph.utf8.count + 1)
        let html = "<html><body><a href=/first>f</a>" + paragraphs + "<a href=/last>l</a></body></html>"
        #expect(html.utf8.count > 5_000_000)
        var result = ExtractedLinks()
        let time = elapsed { result = LinkExtractor().extract(Array(html.utf8), encoding: "utf-8") }
        #expect(result.links.map(\.reference) == ["/first", "/last"])
        #expect(time < .seconds(20))
    }

    @Test func fiveMegabytesInOneTextRunKeepLinksOnBothSides() {
        let html = "<a href=/first>f</a><p>" + String(repeating: "word ", count: 1_000_000) + "<a href=/last>l</a>"
        #expect(LinkExtractor().extract(Array(html.utf8), encoding: nil).links.map(\.reference) == ["/first", "/last"])
    }

    @Test func deepNestingAndManyUnclosedElements() {
        let nested = String(repeating: "<div><span>", count: 50_000) + "<a href=/deep>d</a>"
        var result = ExtractedLinks()
        let time = elapsed { result = LinkExtractor().extract(Array(nested.utf8), encoding: nil) }
        #expect(result.links.map(\.reference) == ["/deep"])
        #expect(time < .seconds(20))

        let stray = String(repeating: "<p><b>", count: 20_000) + String(repeating: "</i></u>", count: 20_000) + "<a href=/end>"
        let strayTime = elapsed { result = LinkExtractor().extract(Array(stray.utf8), encoding: nil) }
        #expect(result.links.map(\.reference) == ["/end"])
        #expect(strayTime < .seconds(20))
    }

    @Test func hugeAttributeValuesAndNULBytes() {
        let longHref = "/" + String(repeating: "x", count: 1_000_000)
        let long = LinkExtractor().extract(Array("<a href=\"\(longHref)\">x</a><a href=/after>".utf8), encoding: nil)
        #expect(long.links.last?.reference == "/after")

        let withNUL = Array("<a href=\"/a".utf8) + [0] + Array("b\">x</a><a href=/next>n</a>".utf8)
        let result = LinkExtractor().extract(withNUL, encoding: nil)
        #expect(result.links.last?.reference == "/next")
    }

    /// Documents that invent thousands of element names or nest thousands deep make the
    /// extractor replace its parser context; parsing (and stopping at maxLinks) must go on.
    @Test func keepsWorkingAfterReplacingItsParserContext() {
        let extractor = LinkExtractor(maxLinks: 1)
        let manyNames = (0..<25_000).map { "<x\($0) a\($0)=1>" }.joined() + "<a href=/1><a href=/2>"
        let deep = String(repeating: "<div>", count: 10_000) + "<a href=/1><a href=/2>"
        for document in [manyNames, deep, manyNames, "<a href=/1><a href=/2>"] {
            let result = extractor.extract(Array(document.utf8), encoding: nil)
            #expect(result.links.map(\.reference) == ["/1"])
            #expect(result.truncated)
        }
    }
}
