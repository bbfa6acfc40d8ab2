import Testing

@testable import CrawlCore

@Suite struct OriginCacheTests {
    @Test func sameOriginsAsTheURLsSay() throws {
        let urls = [
            "http://a.test/1", "http://a.test/2?q", "https://a.test/", "http://a.test:8080/x", "http://b.test/",
            "http://user:pw@a.test/secret", "http://c.test/", "http://d.test/", "http://e.test/", "http://a.test/3",
            "http://a.test:80/4", "https://a.test:443/5", "https://a.test:8443/6",
        ]
        var cache = OriginCache()
        for text in urls + urls.reversed() {
            let url = try CrawlURL(parsing: text)
            #expect(cache.origin(of: url) == url.origin)
        }
    }
}
