import Foundation
import Testing

/// --sitemaps: the Sitemap lines of robots.txt (same origin only) seed the host, through a
/// sitemap index and a gzipped urlset.
@Suite("crawl: sitemaps")
struct SitemapDiscoveryTests {
    @Test func sitemapURLsAreQueuedAndFetchedWithoutLinks() async throws {
        let (host, foreign) = ("127.0.0.117", "127.0.0.118")
        var scenario = PoliteScenario()
        scenario[host, "/robots.txt"] = .robots("""
            User-agent: *
            Disallow: /private/
            Sitemap: {origin}/sitemap_index.xml
            Sitemap: http://\(foreign):{port}/foreign.xml
            """)
        scenario[host, "/sitemap_index.xml"] = PoliteRoute(body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>{origin}/sitemaps/pages.xml.gz</loc></sitemap>
            </sitemapindex>
            """)
        var urlset = PoliteRoute(body: """
            <?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>{origin}/from-sitemap/1.html</loc></url>
              <url><loc>{origin}/from-sitemap/2.html</loc></url>
              <url><loc>{origin}/private/hidden.html</loc></url>
            </urlset>
            """)
        urlset.gzip = true
        scenario[host, "/sitemaps/pages.xml.gz"] = urlset
        scenario[host, "/"] = .page()
        for path in ["/from-sitemap/1.html", "/from-sitemap/2.html", "/private/hidden.html"] { scenario[host, path] = .page() }
        scenario[foreign, "/foreign.xml"] = PoliteRoute(body: """
            <?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
            <url><loc>http://\(foreign):{port}/listed.html</loc></url></urlset>
            """)
        try await PoliteCrawl.with("sitemaps", hosts: [host, foreign], scenario: scenario) { world in
            let result = try await world.start(["--sitemaps"])
            #expect(result.code == 0, "\(result)")
            let counts = world.server.requests(on: host).countsByTarget
            for path in ["/sitemap_index.xml", "/sitemaps/pages.xml.gz", "/from-sitemap/1.html", "/from-sitemap/2.html"] {
                #expect(counts[path] == 1, "\(path) requested \(counts[path] ?? 0) times: \(counts)")
            }
            #expect(counts["/private/hidden.html"] == nil, "a sitemap URL disallowed by robots.txt was requested")
            #expect(world.server.requests(on: foreign).isEmpty, "a sitemap on another origin was fetched")
            let rows = try world.rows()
            #expect(rows[world.url("/from-sitemap/1.html")]?.state == "done")
            #expect(rows[world.url("/private/hidden.html")]?.errorKind == "robots")
        }
    }
}
