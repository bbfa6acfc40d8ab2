import Testing

@testable import CrawlCore

/// Parses `html` (UTF-8) with a fresh extractor.
private func extract(_ html: String, encoding: String? = nil, maxLinks: Int = 10_000) -> ExtractedLinks {
    extract(Array(html.utf8), encoding: encoding, maxLinks: maxLinks)
}

private func extract(_ bytes: [UInt8], encoding: String? = nil, maxLinks: Int = 10_000) -> ExtractedLinks {
    LinkExtractor.initializeLibrary()
    return LinkExtractor(maxLinks: maxLinks).extract(bytes, encoding: encoding)
}

private func page(_ reference: String) -> ExtractedLink { ExtractedLink(reference: reference, kind: .page) }
private func image(_ reference: String) -> ExtractedLink { ExtractedLink(reference: reference, kind: .image) }

@Suite struct LinkExtractorTests {
    @Test func extractsEveryLinkKindInDocumentOrder() {
        let result = extract(
            """
            <!DOCTYPE html><html><head><title>t</title>
            <meta http-equiv="refresh" content="5; url=/next">
            </head><body>
            <a href="/a">a</a>
            <map><area href="/area" alt=""></map>
            <iframe src="/iframe"></iframe>
            <frameset><frame src="/frame"></frameset>
            <img src="/img.png" srcset="/img-1x.png 1x, /img-2x.png 2x">
            <picture><source srcset="/wide.webp 800w, /narrow.webp 400w"><img src="/fallback.jpg"></picture>
            </body></html>
            """)
        #expect(
            result.links == [
                page("/next"), page("/a"), page("/area"), page("/iframe"), page("/frame"),
                image("/img.png"), image("/img-1x.png"), image("/img-2x.png"),
                image("/wide.webp"), image("/narrow.webp"), image("/fallback.jpg"),
            ])
        #expect(result.baseHref == nil)
        #expect(!result.truncated && !result.metaNoFollow && !result.metaNoIndex)
    }

    @Test func ignoresStylesheetsScriptsMediaSourcesCommentsAndAnchorsWithoutHref() {
        let result = extract(
            """
            <link rel="stylesheet" href="/style.css"><link rel="next" href="/page2">
            <script src="/app.js"></script>
            <script>document.write('<a href="/written">x</a>');</script>
            <style>.x { background: url(/bg.png) }</style>
            <!-- <a href="/commented">x</a> -->
            <video src="/movie.mp4"><source src="/movie.webm"></video>
            <a name="anchor">no href</a><a href>bare</a>
            <a href="/kept">kept</a>
            """)
        #expect(result.links == [page("/kept")])
    }

    @Test func decodesEntitiesAndTrimsASCIIWhitespace() {
        let result = extract(
            "<a href=\"  /search?a=1&amp;b=2&#x26;c=&lt;3&gt;\n\t\">x</a>"
                + "<img srcset=\"/i.png?w=1&amp;h=2 1x\"><a href=\"&#47;caf&eacute;\">y</a>")
        #expect(result.links == [page("/search?a=1&b=2&c=<3>"), image("/i.png?w=1&h=2"), page("/café")])
    }

    @Test func dropsEmptyAndFragmentOnlyReferences() {
        let result = extract(
            """
            <a href="">e</a><a href="  \t ">w</a><a href="#top">f</a><a href=" #x ">g</a>
            <img src=""><a href="/page#part">k</a><a href="?q=1">q</a><a href="javascript:void(0)">j</a>
            """)
        #expect(result.links == [page("/page#part"), page("?q=1"), page("javascript:void(0)")])
    }

    @Test func takesOnlyTheFirstBaseWithAnHref() {
        let first = extract(
            "<head><base target=_blank><base href=\"\"><base href=\" https://cdn.example/a&amp;b/ \">"
                + "<base href=\"/ignored/\"></head><a href=x>x</a>")
        #expect(first.baseHref == "https://cdn.example/a&b/")
        #expect(first.links == [page("x")])
        #expect(extract("<a href=x>x</a>").baseHref == nil)
    }

    @Test(arguments: [
        ("index, follow", false, false),
        ("NOINDEX", false, true),
        ("noindex,nofollow", true, true),
        ("  NoFollow ", true, false),
        ("none", true, true),
        ("noarchive, max-snippet:20", false, false),
    ])
    func readsMetaRobots(content: String, noFollow: Bool, noIndex: Bool) {
        let result = extract("<head><meta name=\"Robots\" content=\"\(content)\"></head><a href=/x>x</a>")
        #expect(result.metaNoFollow == noFollow)
        #expect(result.metaNoIndex == noIndex)
        #expect(result.links == [page("/x")])
    }

    @Test func ignoresMetaForOtherRobotsAndOtherNames() {
        let result = extract(
            "<meta name=googlebot content=noindex><meta name=description content=\"none\">"
                + "<meta http-equiv=robots content=nofollow><meta name=robots>")
        #expect(!result.metaNoFollow && !result.metaNoIndex)
    }

    @Test func followsMetaRefreshVariants() {
        let result = extract(
            """
            <meta http-equiv="Refresh" content="0; URL='/quoted'">
            <meta HTTP-EQUIV=REFRESH CONTENT="3,/comma">
            <meta http-equiv="refresh" content="10">
            <meta http-equiv="refresh" content="soon; url=/bad">
            <meta http-equiv="content-type" content="text/html; url=/not-refresh">
            """)
        #expect(result.links == [page("/quoted"), page("/comma")])
    }

    @Test func acceptsUppercaseNamesAndUnquotedValues() {
        let result = extract(
            "<HTML><BODY><A HREF=/upper>u</A><IMG SRC=pic.png ALT=x><IFRAME SRC='/f'></IFRAME>"
                + "<Img SrcSet=\"a.png 1x,b.png 2x\"><BASE HREF=/base/><a href=/q?x=1&y=2>q</a>")
        #expect(
            result.links == [
                page("/upper"), image("pic.png"), page("/f"), image("a.png"), image("b.png"), page("/q?x=1&y=2"),
            ])
        #expect(result.baseHref == "/base/")
    }

    @Test func survivesMalformedNestingAndUnclosedTags() {
        let result = extract(
            """
            <a href=/1><b><a href=/2></b></a><table><a href=/3><tr><td><a href=/4></table>
            <div><p><span><a href="/5">five<ul><li><a href='/6'>six<li><img src=/7.png
            </div></div></div></span></b></i><a href=/8>eight
            """)
        #expect(result.links.map(\.reference) == ["/1", "/2", "/3", "/4", "/5", "/6", "/7.png", "/8"])
    }

    @Test(arguments: [
        ("<a href=\"/x", ["/x"]),
        ("<a href=/x", ["/x"]),
        ("<a href=", []),
        ("<a", []),
        ("<", []),
        ("<img srcset=\"a.png 1x, (", ["a.png", "("]),
        ("<a href=/before><!-- <a href=/in-comment>", ["/before"]),
        ("<a href=/before><script><a href=/in-script>", ["/before"]),
        ("&#", []),
    ])
    func survivesTruncatedMarkup(html: String, expected: [String]) {
        #expect(extract(html).links.map(\.reference) == expected)
    }

    @Test func stopsAndReportsTruncationPastMaxLinks() {
        let html = (1...5).map { "<a href=/\($0)>\($0)</a>" }.joined() + "<base href=/late/>"
        let truncated = extract(html, maxLinks: 3)
        #expect(truncated.links.map(\.reference) == ["/1", "/2", "/3"])
        #expect(truncated.truncated)
        #expect(truncated.baseHref == nil)

        let exact = extract(html, maxLinks: 5)
        #expect(exact.links.count == 5)
        #expect(!exact.truncated)
        #expect(exact.baseHref == "/late/")

        let srcsetOverflow = extract("<img srcset='a 1x, b 2x, c 3x'>", maxLinks: 2)
        #expect(srcsetOverflow.links == [image("a"), image("b")])
        #expect(srcsetOverflow.truncated)
    }

    @Test func reusesOneExtractorAcrossDocuments() {
        LinkExtractor.initializeLibrary()
        let extractor = LinkExtractor(maxLinks: 2)
        let first = extractor.extract(
            Array("<base href=/b/><meta name=robots content=none><a href=1>1</a><a href=2>2</a><a href=3>3</a>".utf8),
            encoding: nil)
        #expect(first.links.count == 2 && first.truncated && first.metaNoFollow && first.baseHref == "/b/")
        let second = extractor.extract(Array("<a href=only>x</a>".utf8), encoding: "utf-8")
        #expect(second.links == [page("only")])
        #expect(!second.truncated && !second.metaNoFollow && !second.metaNoIndex && second.baseHref == nil)
        let empty = extractor.extract([UInt8](), encoding: nil)
        #expect(empty.links.isEmpty && !empty.truncated)
        for round in 0..<50 {
            #expect(extractor.extract(Array("<a href=/r\(round)>".utf8), encoding: nil).links == [page("/r\(round)")])
        }
    }

    @Test func handlesEmptyAndWhitespaceBodies() {
        #expect(extract([UInt8]()).links.isEmpty)
        #expect(extract("   \n ").links.isEmpty)
        #expect(extract("just text, no markup").links.isEmpty)
    }
}

@Suite struct LinkExtractorRelNoFollowTests {
    private func nofollow(_ reference: String) -> ExtractedLink {
        ExtractedLink(reference: reference, kind: .page, relNoFollow: true)
    }

    @Test func flagsAnchorsAndAreasWhoseRelHoldsNoFollow() {
        let result = extract(
            """
            <a href="/plain">p</a>
            <a rel="nofollow" href="/before">b</a>
            <a href="/after" rel="nofollow">a</a>
            <map><area rel="NoFollow" href="/area"></map>
            <a href="/among" rel="noopener  NOFOLLOW\tugc">m</a>
            <a href="/spaced" rel=" \n nofollow \n ">s</a>
            <a href="/comma" rel="ugc,nofollow">c</a>
            """)
        #expect(
            result.links == [
                page("/plain"), nofollow("/before"), nofollow("/after"), nofollow("/area"),
                nofollow("/among"), nofollow("/spaced"), nofollow("/comma"),
            ])
        #expect(!result.metaNoFollow)
    }

    @Test(arguments: [
        "nofollower", "no-follow", "no follow", "xnofollow", "nofollo", "noopener noreferrer", "", "  ",
        "sponsored ugc",
    ])
    func ignoresRelWithoutTheExactToken(rel: String) {
        let result = extract("<a href=/x rel=\"\(rel)\">x</a>")
        #expect(result.links == [page("/x")])
        #expect(result.links.first?.relNoFollow == false)
    }

    @Test func readsOnlyTheFirstRelAndHrefAndIgnoresBareRel() {
        let result = extract(
            """
            <a href=/first-rel rel=nofollow rel=follow>1</a>
            <a href=/second-rel rel=follow rel=nofollow>2</a>
            <a rel href=/bare>3</a>
            <a rel=nofollow>no href</a>
            <a href rel=nofollow>bare href</a>
            """)
        #expect(result.links == [nofollow("/first-rel"), page("/second-rel"), page("/bare")])
    }

    @Test func neverFlagsElementsOtherThanAnchorsAndAreas() {
        let result = extract(
            """
            <meta http-equiv=refresh content="0; url=/refresh" rel=nofollow>
            <iframe src=/iframe rel=nofollow></iframe>
            <img src=/img.png rel=nofollow srcset="/img2.png 2x">
            <link rel=nofollow href=/link>
            <a href=/a rel=nofollow>a</a>
            """)
        #expect(
            result.links == [
                page("/refresh"), page("/iframe"), image("/img.png"), image("/img2.png"), nofollow("/a"),
            ])
    }

    @Test func keepsRelNoFollowApartFromMetaRobotsAndTheOldInitializer() {
        let result = extract("<meta name=robots content=nofollow><a href=/x>x</a><a href=/y rel=nofollow>y</a>")
        #expect(result.metaNoFollow)
        #expect(result.links.map(\.relNoFollow) == [false, true])
        #expect(
            ExtractedLink(reference: "/x", kind: .page) == ExtractedLink(reference: "/x", kind: .page, relNoFollow: false))
        #expect(ExtractedLink(reference: "/x", kind: .page) != nofollow("/x"))
    }

    @Test func flagsUppercaseMarkupAndEntityEncodedRel() {
        let result = extract("<A HREF=/u REL=NOFOLLOW>u</A><a href=/e rel=\"&#110;ofollow\">e</a>")
        #expect(result.links == [nofollow("/u"), nofollow("/e")])
    }
}
