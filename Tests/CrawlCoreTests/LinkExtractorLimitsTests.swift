import Testing

@testable import CrawlCore

/// What bounds the work and memory one hostile document can cost the extractor: the open-element
/// stack (nesting), the CPU time per document, the links and the link bytes kept.
@Suite struct LinkExtractorLimitsTests {
    init() { LinkExtractor.initializeLibrary() }

    /// 200,000 nested `<div>`s: libxml2 reaches the link at the end, and the stack stays at the
    /// cap instead of growing to 200,000 entries (libxml2 doubles it from 10: 640 holds 513).
    @Test func deepNestingKeepsTheLinkWithABoundedStack() {
        let extractor = LinkExtractor()
        let html = "<html><body>" + String(repeating: "<div>", count: 200_000) + "<a href=/deep>d</a>"
        let result = extractor.extract(Array(html.utf8), encoding: nil)
        #expect(result.links.map(\.reference) == ["/deep"])
        #expect(!result.timedOut)
        #expect(extractor.openElementCapacity <= 2 * Int(LinkCollector.maxOpenElements),
                "open-element stack grew to \(extractor.openElementCapacity)")
    }

    /// Past the cap, elements become siblings of the deepest open one, so end tags still close
    /// what they name and the markup after a deep region parses as before.
    @Test func markupAfterADeepRegionIsUnchanged() {
        let deep = String(repeating: "<div><span>", count: 5_000) + "<a href=/in>i</a>"
            + String(repeating: "</span></div>", count: 5_000)
        let html = "<p><a href=/before>b</a></p>" + deep + "<base href=/b/><a href=after>a</a><img src=x.png>"
        let result = LinkExtractor().extract(Array(html.utf8), encoding: nil)
        #expect(result.links.map(\.reference) == ["/before", "/in", "after", "x.png"])
        #expect(result.baseHref == "/b/")
    }

    /// Stray end tags under a deep stack were quadratic in libxml2 (each scans the whole stack:
    /// about 17 s of CPU here); with the stack bounded they are linear (about 0.2 s), and the
    /// link after them is found well within the default time limit.
    @Test func strayEndTagsUnderADeepStackFinish() {
        let html = String(repeating: "<div>", count: 100_000) + String(repeating: "</i>", count: 100_000)
            + "<a href=/end>e</a>"
        let result = LinkExtractor().extract(Array(html.utf8), encoding: nil)
        #expect(result.links.map(\.reference) == ["/end"])
        #expect(!result.timedOut)
    }

    /// One start tag with 100,000 attributes costs libxml2 about 10 s (its duplicate-attribute
    /// check is quadratic): the time limit ends the document early, keeping the links before it,
    /// and the extractor works normally afterwards.
    @Test func theTimeLimitEndsAPathologicalDocument() {
        let attributes = (0..<100_000).map { "x\($0)=1" }.joined(separator: " ")
        let html = "<a href=/first>f</a><p \(attributes)><a href=/after>a</a>"
        let extractor = LinkExtractor(timeLimit: 0.05)
        let result = extractor.extract(Array(html.utf8), encoding: nil)
        #expect(result.timedOut)
        #expect(result.links.map(\.reference) == ["/first"])
        let next = extractor.extract(Array("<a href=/ok>".utf8), encoding: nil)
        #expect(next.links.map(\.reference) == ["/ok"] && !next.timedOut)
    }

    /// References are kept up to a byte budget as well as a count: 5,000 hrefs of 2 KiB are
    /// 10 MiB, past the 8 MiB kept, so the page is truncated well before maxLinks.
    @Test func referenceBytesAreBounded() {
        let href = "/" + String(repeating: "h", count: 2047)
        let html = (0..<5_000).map { "<a href=\(href)\($0)>x</a>" }.joined()
        let result = LinkExtractor(maxLinks: 10_000).extract(Array(html.utf8), encoding: nil)
        #expect(result.truncated)
        let kept = result.links.reduce(0) { $0 + $1.reference.utf8.count }
        #expect(kept <= LinkCollector.maxReferenceBytes && result.links.count > 4_000, "\(result.links.count) links, \(kept) bytes")
    }
}
