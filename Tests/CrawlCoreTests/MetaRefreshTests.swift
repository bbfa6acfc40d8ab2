import Testing

@testable import CrawlCore

@Suite struct MetaRefreshTests {
    @Test(arguments: [
        ("5; url=/next", "/next"),
        ("5;URL=/next", "/next"),
        ("0; Url = '/quoted' trailing", "/quoted"),
        ("0;url=\"/double\"", "/double"),
        ("0; url='/unterminated", "/unterminated"),
        ("3, /comma", "/comma"),
        ("3 /space", "/space"),
        ("3;/direct", "/direct"),
        ("  7  ;  url=  /padded  ", "/padded"),
        (".5; url=/fraction", "/fraction"),
        ("1.5.2;url=/dots", "/dots"),
        ("0; urn=/x", "urn=/x"),
        ("0; url /x", "url /x"),
        ("0;url=http://example.com/?a=1;b=2", "http://example.com/?a=1;b=2"),
    ])
    func findsTheTarget(content: String, expected: String) {
        #expect(MetaRefresh.targetURL(in: content) == expected)
    }

    @Test(arguments: ["5", "5;", "  5 ; ", "", "url=/no-delay", "soon; url=/x", "5x; url=/x", "0; url=", "0; url=''", "-1; url=/x"])
    func findsNoTarget(content: String) {
        #expect(MetaRefresh.targetURL(in: content) == nil)
    }
}
