import Testing

@testable import CrawlCore

@Suite struct MetaRobotsDirectivesTests {
    @Test(arguments: [
        ("", false, false),
        ("index,follow", false, false),
        ("noindex", false, true),
        ("NOFOLLOW", true, false),
        ("noindex, nofollow", true, true),
        ("noindex\tnofollow", true, true),
        ("None", true, true),
        ("nofollowing, noindexed, nonesuch", false, false),
        ("max-image-preview:large,noarchive,nofollow", true, false),
    ])
    func readsDirectives(content: String, noFollow: Bool, noIndex: Bool) {
        var directives = MetaRobotsDirectives()
        directives.add(content: content)
        #expect(directives == MetaRobotsDirectives(noFollow: noFollow, noIndex: noIndex))
    }

    @Test func accumulatesAcrossTags() {
        var directives = MetaRobotsDirectives()
        directives.add(content: "noindex")
        directives.add(content: "follow")
        directives.add(content: "nofollow")
        #expect(directives == MetaRobotsDirectives(noFollow: true, noIndex: true))
    }
}
