import Foundation
import Testing

/// What a page says about itself: its charset (meta or header) and its robots directives (meta
/// robots, X-Robots-Tag, rel="nofollow").
@Suite("crawl: charsets and page robots directives")
struct PageDirectiveTests {
    /// Shift_JIS bytes, written by hand: 日本 and ページ.
    static let nihon: [UInt8] = [0x93, 0xFA, 0x96, 0x7B]
    static let peeji: [UInt8] = [0x83, 0x79, 0x81, 0x5B, 0x83, 0x57]
    /// The same names as UTF-8, percent-encoded: what the crawler must request.
    static let nihonEncoded = "%E6%97%A5%E6%9C%AC"
    static let peejiEncoded = "%E3%83%9A%E3%83%BC%E3%82%B8"

    static func hex(_ parts: [[UInt8]]) -> String {
        parts.joined().map { String(format: "%02x", $0) }.joined()
    }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func shiftJISPagesLinkToUTF8PercentEncodedPaths() async throws {
        let host = "127.0.0.111"
        var scenario = PoliteScenario()
        scenario[host, "/"] = .page(["/meta-only.html", "/header-wins.html"])
        // Charset only in <meta>: the Content-Type has none.
        scenario[host, "/meta-only.html"] = PoliteRoute(contentType: "text/html", bodyHex: Self.hex([
            Self.ascii("<html><head><meta charset=\"Shift_JIS\"><title>"), Self.nihon, Self.ascii("</title></head><body><a href=\"/"),
            Self.nihon, Self.ascii("/"), Self.peeji, Self.ascii(".html\">"), Self.peeji, Self.ascii("</a></body></html>"),
        ]))
        // The header says Shift_JIS, the meta says ISO-8859-1: the header wins.
        scenario[host, "/header-wins.html"] = PoliteRoute(contentType: "text/html", charset: "Shift_JIS", bodyHex: Self.hex([
            Self.ascii("<html><head><meta charset=\"iso-8859-1\"></head><body><a href=\"/header/"), Self.nihon,
            Self.ascii(".html\">x</a></body></html>"),
        ]))
        let metaTarget = "/\(Self.nihonEncoded)/\(Self.peejiEncoded).html"
        let headerTarget = "/header/\(Self.nihonEncoded).html"
        scenario[host, metaTarget] = .page()
        scenario[host, headerTarget] = .page()
        try await PoliteCrawl.with("charset", hosts: [host], scenario: scenario) { world in
            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let requests = world.server.requests()
            let targets = Set(requests.map(\.target))
            let expected: Set = ["/robots.txt", "/", "/meta-only.html", "/header-wins.html", metaTarget, headerTarget]
            #expect(targets == expected, """
                missing: \(expected.subtracting(targets).sorted()); unexpected: \(targets.subtracting(expected).sorted())
                """)
            #expect(try world.rows()[world.url(metaTarget)]?.status == 200)
        }
    }

    /// The directive pages: each links one child, named after what should happen to it.
    static func directiveScenario(_ host: String) -> PoliteScenario {
        var scenario = PoliteScenario()
        scenario[host, "/"] = .page(["/meta-nofollow.html", "/header-nofollow.html", "/ours-nofollow.html",
                                     "/other-bot.html", "/noindex.html", "/rel.html"])
        scenario[host, "/meta-nofollow.html"] = .page(["/child/meta-nofollow.html"],
                                                      head: "<meta name=\"robots\" content=\"nofollow\">")
        scenario[host, "/header-nofollow.html"] = .page(["/child/header-nofollow.html"], headers: ["X-Robots-Tag": "nofollow"])
        scenario[host, "/ours-nofollow.html"] = .page(["/child/ours-nofollow.html"], headers: ["X-Robots-Tag": "crawl: nofollow"])
        scenario[host, "/other-bot.html"] = .page(["/child/other-bot.html"], headers: ["X-Robots-Tag": "otherbot: nofollow"])
        scenario[host, "/noindex.html"] = .page(["/child/noindex.html"], head: "<meta name=\"robots\" content=\"noindex\">")
        scenario[host, "/rel.html"] = .page([], extra: "<a rel=\"nofollow\" href=\"/child/rel.html\">x</a>")
        for child in ["meta-nofollow", "header-nofollow", "ours-nofollow", "other-bot", "noindex", "rel"] {
            scenario[host, "/child/\(child).html"] = .page()
        }
        return scenario
    }

    @Test func nofollowAndNoindexAreObeyedAndRelNofollowLinksFollowed() async throws {
        let host = "127.0.0.111"
        try await PoliteCrawl.with("directives", hosts: [host], scenario: Self.directiveScenario(host)) { world in
            let result = try await world.start()
            #expect(result.code == 0, "\(result)")
            let counts = world.server.requests().countsByTarget
            for child in ["meta-nofollow", "header-nofollow", "ours-nofollow"] {
                #expect(counts["/child/\(child).html"] == nil, "the link of \(child) was followed")
            }
            for child in ["other-bot", "noindex", "rel"] {
                #expect(counts["/child/\(child).html"] == 1, "the link of \(child) was not followed")
            }
            let rows = try world.rows()
            for page in ["meta-nofollow", "header-nofollow", "ours-nofollow"] {
                let row = rows[world.url("/\(page).html")]
                #expect(row?.state == "done" && row?.errorKind == "nofollow" && row?.bodyPath != nil, "\(page): \(String(describing: row))")
            }
            let otherBot = rows[world.url("/other-bot.html")]
            #expect(otherBot?.errorKind == nil && otherBot?.bodyPath != nil, "\(String(describing: otherBot))")
            let noindex = rows[world.url("/noindex.html")]
            #expect(noindex?.state == "done" && noindex?.errorKind == "noindex" && noindex?.bodyPath == nil,
                    "\(String(describing: noindex))")
        }
    }

    @Test func ignoreNofollowAndRespectRelNofollowSwitchThemAround() async throws {
        let host = "127.0.0.112"
        try await PoliteCrawl.with("directives-switched", hosts: [host], scenario: Self.directiveScenario(host)) { world in
            let result = try await world.start(["--ignore-nofollow", "--respect-rel-nofollow"])
            #expect(result.code == 0, "\(result)")
            let counts = world.server.requests().countsByTarget
            for child in ["meta-nofollow", "header-nofollow", "ours-nofollow", "other-bot", "noindex"] {
                #expect(counts["/child/\(child).html"] == 1, "with --ignore-nofollow, the link of \(child) was not followed")
            }
            #expect(counts["/child/rel.html"] == nil, "with --respect-rel-nofollow, a rel=nofollow link was followed")
            let noindex = try world.rows()[world.url("/noindex.html")]
            #expect(noindex?.errorKind == "noindex" && noindex?.bodyPath == nil, "\(String(describing: noindex))")
        }
    }
}
