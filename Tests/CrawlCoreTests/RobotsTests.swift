import Testing

@testable import CrawlCore

/// One `isAllowed` expectation: a robots.txt body, our User-Agent, a path, the verdict.
struct RobotsCase: Sendable, CustomTestStringConvertible {
    let name: String
    let robots: String
    var agent = "crawl/0.1 (+https://x)"
    let path: String
    let allowed: Bool

    var testDescription: String { "\(name): \(path) → \(allowed ? "allow" : "deny")" }
}

/// The `isAllowed` tables, grouped by topic.
enum RobotsCases {
    /// Expands one pattern and its match table into cases: `Disallow: pattern` denies exactly the
    /// paths the pattern matches.
    private static func patternCases(
        _ pattern: String, matches: [String], nonMatches: [String]
    ) -> [RobotsCase] {
        let robots = "User-agent: *\nDisallow: \(pattern)\n"
        return matches.map { RobotsCase(name: "pattern \(pattern)", robots: robots, path: $0, allowed: false) }
            + nonMatches.map { RobotsCase(name: "pattern \(pattern)", robots: robots, path: $0, allowed: true) }
    }

    /// The path-matching examples of RFC 9309 section 2.2.2 / Google's robots.txt documentation.
    static let fish: [RobotsCase] =
        patternCases(
            "/fish",
            matches: ["/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html",
                      "/fish.php?id=anything"],
            nonMatches: ["/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"])
        + patternCases(
            "/fish*",
            matches: ["/fish", "/fish.html", "/fish/salmon.html", "/fishheads", "/fishheads/yummy.html",
                      "/fish.php?id=anything"],
            nonMatches: ["/Fish.asp", "/catfish", "/?id=fish", "/desert/fish"])
        + patternCases(
            "/fish/",
            matches: ["/fish/", "/fish/?id=anything", "/fish/salmon.htm"],
            nonMatches: ["/fish", "/fish.html", "/animals/fish/", "/Fish/Salmon.asp"])
        + patternCases(
            "/*.php",
            matches: ["/index.php", "/filename.php", "/folder/filename.php", "/folder/filename.php?parameters",
                      "/folder/any.php.file.html", "/filename.php/"],
            nonMatches: ["/", "/windows.PHP"])
        + patternCases(
            "/*.php$",
            matches: ["/filename.php", "/folder/filename.php"],
            nonMatches: ["/filename.php?parameters", "/filename.php/", "/filename.php5", "/windows.PHP"])
        + patternCases(
            "/fish*.php",
            matches: ["/fish.php", "/fishheads/catfish.php?parameters"],
            nonMatches: ["/Fish.PHP"])

    /// RFC 9309 section 5.1, the complete example file.
    static let rfcExample = """
        User-Agent: *
        Disallow: *.gif$
        Disallow: /example/
        Allow: /publications/

        User-Agent: foobot
        Disallow:/
        Allow:/example/page.html
        Allow:/example/allowed.gif

        User-Agent: barbot
        User-Agent: bazbot
        Disallow: /example/page.html

        User-Agent: quxbot

        EOF
        """

    /// RFC 9309 section 5.2, longest match.
    static let rfcLongestMatch = """
        User-Agent: foobot
        Allow: /example/page/
        Disallow: /example/page/disallowed.gif
        """

    static let rfcExamples: [RobotsCase] = [
        RobotsCase(name: "5.1 foobot", robots: rfcExample, agent: "foobot", path: "/example/page.html", allowed: true),
        RobotsCase(name: "5.1 foobot", robots: rfcExample, agent: "foobot", path: "/example/allowed.gif", allowed: true),
        RobotsCase(name: "5.1 foobot", robots: rfcExample, agent: "foobot", path: "/example/other.html", allowed: false),
        RobotsCase(name: "5.1 foobot", robots: rfcExample, agent: "foobot", path: "/", allowed: false),
        RobotsCase(name: "5.1 barbot", robots: rfcExample, agent: "barbot", path: "/example/page.html", allowed: false),
        RobotsCase(name: "5.1 barbot", robots: rfcExample, agent: "barbot", path: "/example/other.gif", allowed: true),
        RobotsCase(name: "5.1 bazbot", robots: rfcExample, agent: "BazBot/2.0", path: "/example/page.html", allowed: false),
        RobotsCase(name: "5.1 quxbot", robots: rfcExample, agent: "quxbot", path: "/example/", allowed: true),
        RobotsCase(name: "5.1 other", robots: rfcExample, agent: "otherbot", path: "/pics/a.gif", allowed: false),
        RobotsCase(name: "5.1 other", robots: rfcExample, agent: "otherbot", path: "/pics/a.gif?x", allowed: true),
        RobotsCase(name: "5.1 other", robots: rfcExample, agent: "otherbot", path: "/example/x", allowed: false),
        RobotsCase(name: "5.1 other", robots: rfcExample, agent: "otherbot", path: "/publications/", allowed: true),
        RobotsCase(name: "5.1 other", robots: rfcExample, agent: "otherbot", path: "/elsewhere", allowed: true),
        RobotsCase(name: "5.2", robots: rfcLongestMatch, agent: "foobot", path: "/example/page/", allowed: true),
        RobotsCase(name: "5.2", robots: rfcLongestMatch, agent: "foobot", path: "/example/page/disallowed.gif", allowed: false),
    ]

    static let precedence: [RobotsCase] = [
        RobotsCase(name: "longer allow beats shorter disallow",
                   robots: "User-agent: *\nDisallow: /a\nAllow: /a/b\n", path: "/a/b/c", allowed: true),
        RobotsCase(name: "longer disallow beats shorter allow",
                   robots: "User-agent: *\nAllow: /a\nDisallow: /a/b\n", path: "/a/b/c", allowed: false),
        RobotsCase(name: "shorter rule applies outside the longer one",
                   robots: "User-agent: *\nDisallow: /a\nAllow: /a/b\n", path: "/a/c", allowed: false),
        RobotsCase(name: "order in file does not matter",
                   robots: "User-agent: *\nAllow: /a/b\nDisallow: /a\n", path: "/a/b", allowed: true),
        RobotsCase(name: "tie: allow wins",
                   robots: "User-agent: *\nDisallow: /page\nAllow: /page\n", path: "/page", allowed: true),
        RobotsCase(name: "tie: allow wins regardless of order",
                   robots: "User-agent: *\nAllow: /page\nDisallow: /page\n", path: "/page", allowed: true),
        RobotsCase(name: "tie counts wildcards as octets",
                   robots: "User-agent: *\nDisallow: /*.htm\nAllow: /page\n", path: "/page.htm", allowed: false),
        RobotsCase(name: "length counts the $ anchor",
                   robots: "User-agent: *\nAllow: /$\nDisallow: /\n", path: "/", allowed: true),
        RobotsCase(name: "anchored root does not cover subpaths",
                   robots: "User-agent: *\nAllow: /$\nDisallow: /\n", path: "/page", allowed: false),
        RobotsCase(name: "length is measured after normalization",
                   robots: "User-agent: *\nDisallow: /%7E\nAllow: /~a\n", path: "/~a", allowed: true),
        RobotsCase(name: "no match means allowed",
                   robots: "User-agent: *\nDisallow: /private\n", path: "/public", allowed: true),
        RobotsCase(name: "matching is case-sensitive",
                   robots: "User-agent: *\nDisallow: /Private\n", path: "/private", allowed: true),
    ]

    static let wildcards: [RobotsCase] = [
        RobotsCase(name: "* matches empty", robots: "User-agent: *\nDisallow: /a*b\n", path: "/ab", allowed: false),
        RobotsCase(name: "* matches slashes", robots: "User-agent: *\nDisallow: /a*b\n", path: "/a/x/y/b", allowed: false),
        RobotsCase(name: "several *", robots: "User-agent: *\nDisallow: /*/x/*.js\n", path: "/lib/x/app.js?v=2", allowed: false),
        RobotsCase(name: "several * in order", robots: "User-agent: *\nDisallow: /*/x/*.js\n", path: "/app.js/x/", allowed: true),
        RobotsCase(name: "repeated stars", robots: "User-agent: *\nDisallow: /a**b\n", path: "/a-b", allowed: false),
        RobotsCase(name: "leading * without slash", robots: "User-agent: *\nDisallow: *.gif$\n", path: "/x/y.gif", allowed: false),
        RobotsCase(name: "lone *", robots: "User-agent: *\nDisallow: *\n", path: "/anything", allowed: false),
        RobotsCase(name: "$ anchors", robots: "User-agent: *\nDisallow: /a$\n", path: "/a", allowed: false),
        RobotsCase(name: "$ anchors, longer path", robots: "User-agent: *\nDisallow: /a$\n", path: "/ab", allowed: true),
        RobotsCase(name: "$ anchors after query", robots: "User-agent: *\nDisallow: /*?$\n", path: "/page?", allowed: false),
        RobotsCase(name: "$ needs the suffix at the end", robots: "User-agent: *\nDisallow: /*ab$\n", path: "/abxab", allowed: false),
        RobotsCase(name: "$ suffix may not overlap the prefix", robots: "User-agent: *\nDisallow: /ab*b$\n", path: "/ab", allowed: true),
        RobotsCase(name: "*$ is any path with the prefix", robots: "User-agent: *\nDisallow: /a*$\n", path: "/a/b", allowed: false),
        RobotsCase(name: "$ mid-pattern is literal", robots: "User-agent: *\nDisallow: /a$b\n", path: "/a$b", allowed: false),
        RobotsCase(name: "long prefix, shorter path", robots: "User-agent: *\nDisallow: /abcdefghij\n", path: "/abcdefgh", allowed: true),
        RobotsCase(name: "long prefix, longer path", robots: "User-agent: *\nDisallow: /abcdefghij\n", path: "/abcdefghijk", allowed: false),
        RobotsCase(name: "long prefix, late mismatch", robots: "User-agent: *\nDisallow: /abcdefghij\n", path: "/abcdefghiX", allowed: true),
        RobotsCase(name: "short prefix, early mismatch", robots: "User-agent: *\nDisallow: /abc*\n", path: "/abX", allowed: true),
        RobotsCase(name: "query strings are part of the path", robots: "User-agent: *\nDisallow: /*?sort=\n", path: "/list?sort=asc", allowed: false),
        RobotsCase(name: "query-only pattern", robots: "User-agent: *\nDisallow: /*?sort=\n", path: "/list?page=2", allowed: true),
    ]

    static let encoding: [RobotsCase] = [
        RobotsCase(name: "escaped unreserved in pattern", robots: "User-agent: *\nDisallow: /%7Ejoe\n", path: "/~joe/x", allowed: false),
        RobotsCase(name: "escaped unreserved in path", robots: "User-agent: *\nDisallow: /~joe\n", path: "/%7ejoe/x", allowed: false),
        RobotsCase(name: "RFC table: %62%61%7A is baz", robots: "User-agent: *\nDisallow: /foo/bar/baz\n", path: "/foo/bar/%62%61%7A", allowed: false),
        RobotsCase(name: "raw UTF-8 pattern, encoded path", robots: "User-agent: *\nDisallow: /été\n", path: "/%C3%A9t%C3%A9", allowed: false),
        RobotsCase(name: "encoded pattern, lower-case path escapes", robots: "User-agent: *\nDisallow: /%C3%A9t%C3%A9\n", path: "/%c3%a9t%c3%a9", allowed: false),
        RobotsCase(name: "RFC table: ツ", robots: "User-agent: *\nDisallow: /foo/bar/ツ\n", path: "/foo/bar/%E3%83%84", allowed: false),
        RobotsCase(name: "raw UTF-8 path", robots: "User-agent: *\nDisallow: /%E3%83%84\n", path: "/ツ", allowed: false),
        RobotsCase(name: "reserved escape stays distinct", robots: "User-agent: *\nDisallow: /a%2Fb\n", path: "/a/b", allowed: true),
        RobotsCase(name: "reserved escape, case-insensitive hex", robots: "User-agent: *\nDisallow: /a%2fb\n", path: "/a%2Fb", allowed: false),
        RobotsCase(name: "escaped * is not a wildcard", robots: "User-agent: *\nDisallow: /a%2Ab\n", path: "/axb", allowed: true),
        RobotsCase(name: "escaped $ is not an anchor", robots: "User-agent: *\nDisallow: /a%24\n", path: "/a", allowed: true),
        RobotsCase(name: "escaped $ matches itself", robots: "User-agent: *\nDisallow: /a%24\n", path: "/a%24/more", allowed: false),
        RobotsCase(name: "space in pattern", robots: "User-agent: *\nDisallow: /my file\n", path: "/my%20file.txt", allowed: false),
        RobotsCase(name: "/robots.txt is always allowed", robots: "User-agent: *\nDisallow: /\n", path: "/robots.txt", allowed: true),
        RobotsCase(name: "/robots.txt with escapes", robots: "User-agent: *\nDisallow: /\n", path: "/%72obots.txt", allowed: true),
        RobotsCase(name: "only /robots.txt itself", robots: "User-agent: *\nDisallow: /\n", path: "/robots.txt?x=1", allowed: false),
        RobotsCase(name: "empty path means /", robots: "User-agent: *\nDisallow: /$\n", path: "", allowed: false),
    ]

    static let agents: [RobotsCase] = [
        RobotsCase(name: "exact token", robots: "User-agent: crawl\nDisallow: /\n", path: "/x", allowed: false),
        RobotsCase(name: "token case-insensitive", robots: "User-agent: CRAWL\nDisallow: /\n", path: "/x", allowed: false),
        RobotsCase(name: "line value with version", robots: "User-agent: Crawl/2.0\nDisallow: /\n", path: "/x", allowed: false),
        RobotsCase(name: "token must be whole", robots: "User-agent: crawler\nDisallow: /\n", path: "/x", allowed: true),
        RobotsCase(name: "token is not a prefix match", robots: "User-agent: cr\nDisallow: /\n", path: "/x", allowed: true),
        RobotsCase(name: "other agent only", robots: "User-agent: otherbot\nDisallow: /\n", path: "/x", allowed: true),
        RobotsCase(name: "fallback to *", robots: "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /star\n", path: "/star", allowed: false),
        RobotsCase(name: "fallback to * keeps others out", robots: "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /star\n", path: "/x", allowed: true),
        RobotsCase(name: "specific beats *", robots: "User-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /private\n", path: "/x", allowed: true),
        RobotsCase(name: "specific beats *, its own rules", robots: "User-agent: *\nDisallow: /\n\nUser-agent: crawl\nDisallow: /private\n", path: "/private", allowed: false),
        RobotsCase(name: "specific group with unrelated rules allows the rest", robots: "User-agent: *\nDisallow: /\n\nUser-agent: crawl\nAllow: /unused\nUser-agent: x\n", path: "/x", allowed: true),
        RobotsCase(name: "specific group without rules allows all", robots: "User-agent: *\nDisallow: /\n\nUser-agent: crawl\n", path: "/x", allowed: true),
        RobotsCase(name: "multiple UA lines, first", robots: "User-agent: crawl\nUser-agent: other\nDisallow: /p\n", path: "/p", allowed: false),
        RobotsCase(name: "multiple UA lines, last", robots: "User-agent: other\nUser-agent: crawl\nDisallow: /p\n", path: "/p", allowed: false),
        RobotsCase(name: "blank lines inside a UA run", robots: "User-agent: other\n\nUser-agent: crawl\n\nDisallow: /p\n", path: "/p", allowed: false),
        RobotsCase(name: "merged groups, first", robots: "User-agent: crawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n\nUser-agent: crawl\nDisallow: /c\n", path: "/a", allowed: false),
        RobotsCase(name: "merged groups, second", robots: "User-agent: crawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n\nUser-agent: crawl\nDisallow: /c\n", path: "/c", allowed: false),
        RobotsCase(name: "merged groups exclude others", robots: "User-agent: crawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /b\n\nUser-agent: crawl\nDisallow: /c\n", path: "/b", allowed: true),
        RobotsCase(name: "merged groups, cross-group precedence", robots: "User-agent: crawl\nDisallow: /a\n\nUser-agent: other\nDisallow: /\n\nUser-agent: crawl\nAllow: /a/ok\n", path: "/a/ok", allowed: true),
        RobotsCase(name: "merged * groups", robots: "User-agent: *\nDisallow: /a\n\nUser-agent: *\nDisallow: /b\n", path: "/b", allowed: false),
        RobotsCase(name: "a rule ends the UA run", robots: "User-agent: crawl\nDisallow: /a\nUser-agent: other\nDisallow: /b\n", path: "/b", allowed: true),
        RobotsCase(name: "agent without token uses *", robots: "User-agent: *\nDisallow: /\n", agent: "/0.1", path: "/x", allowed: false),
        RobotsCase(name: "* with trailing text is a wildcard", robots: "User-agent: * all bots\nDisallow: /\n", path: "/x", allowed: false),
        RobotsCase(name: "no groups", robots: "# nothing here\n", path: "/x", allowed: true),
    ]

    static let syntax: [RobotsCase] = [
        RobotsCase(name: "rules before any UA are ignored", robots: "Disallow: /\nUser-agent: *\nDisallow: /x\n", path: "/y", allowed: true),
        RobotsCase(name: "rules before any UA only", robots: "Disallow: /\nAllow: /a\n", path: "/y", allowed: true),
        RobotsCase(name: "empty disallow matches nothing", robots: "User-agent: *\nDisallow:\n", path: "/x", allowed: true),
        RobotsCase(name: "empty disallow, other rules kept", robots: "User-agent: *\nDisallow:\nDisallow: /x\n", path: "/x", allowed: false),
        RobotsCase(name: "empty allow matches nothing", robots: "User-agent: *\nDisallow: /\nAllow:\n", path: "/x", allowed: false),
        RobotsCase(name: "BOM", robots: "\u{FEFF}User-agent: *\nDisallow: /x\n", path: "/x", allowed: false),
        RobotsCase(name: "CRLF", robots: "User-agent: *\r\nDisallow: /x\r\nAllow: /x/y\r\n", path: "/x/z", allowed: false),
        RobotsCase(name: "CRLF keeps lines apart", robots: "User-agent: *\r\nDisallow: /x\r\nAllow: /x/y\r\n", path: "/x/y", allowed: true),
        RobotsCase(name: "CR only", robots: "User-agent: *\rDisallow: /x\rAllow: /x/y\r", path: "/x/y", allowed: true),
        RobotsCase(name: "CR only, rule seen", robots: "User-agent: *\rDisallow: /x\r", path: "/x", allowed: false),
        RobotsCase(name: "no final newline", robots: "User-agent: *\nDisallow: /x", path: "/x", allowed: false),
        RobotsCase(name: "keys case-insensitive", robots: "USER-AGENT: *\ndisALLOW: /x\n", path: "/x", allowed: false),
        RobotsCase(name: "whitespace around key and value", robots: "  User-agent  :  *  \n\tDisallow\t:\t/x\t\n", path: "/x", allowed: false),
        RobotsCase(name: "trailing spaces not in pattern", robots: "User-agent: *\nDisallow: /x$   \n", path: "/x", allowed: false),
        RobotsCase(name: "comment after value", robots: "User-agent: *\nDisallow: /x # not /x#\n", path: "/x", allowed: false),
        RobotsCase(name: "comment-only pattern is empty", robots: "User-agent: *\nDisallow: # /x\n", path: "/x", allowed: true),
        RobotsCase(name: "unknown keys do not end a group", robots: "User-agent: *\nDisallow: /a\nFoo: bar\nDisallow: /b\n", path: "/b", allowed: false),
        RobotsCase(name: "unknown keys do not end a UA run", robots: "User-agent: other\nFoo: bar\nUser-agent: crawl\nDisallow: /b\n", path: "/b", allowed: false),
        RobotsCase(name: "sitemap does not end a group", robots: "User-agent: *\nDisallow: /a\nSitemap: https://x/s.xml\nDisallow: /b\n", path: "/b", allowed: false),
        RobotsCase(name: "line without colon ignored", robots: "User-agent: *\nDisallow /x\nDisallow: /y\n", path: "/x", allowed: true),
        RobotsCase(name: "common misspelling", robots: "User-agent: *\nDissallow: /x\n", path: "/x", allowed: false),
        RobotsCase(name: "colon inside value", robots: "User-agent: *\nDisallow: /a:b\n", path: "/a:b", allowed: false),
        RobotsCase(name: "HTML instead of robots.txt", robots: "<html><body>Not found</body></html>", path: "/x", allowed: true),
    ]

    static let all = fish + rfcExamples + precedence + wildcards + encoding + agents + syntax
}

@Suite("robots.txt")
struct RobotsTests {
    @Test("isAllowed", arguments: RobotsCases.all)
    func isAllowed(_ item: RobotsCase) {
        let rules = RobotsRules(parsing: Array(item.robots.utf8), userAgent: item.agent)
        #expect(rules.isAllowed(item.path) == item.allowed)
    }

    @Test(
        "path normalization",
        arguments: [
            ("/plain/path?q=1", "/plain/path?q=1"),
            ("/%7Ejoe", "/~joe"),
            ("/%7ejoe", "/~joe"),
            ("/%41%5a%30%2D%2E%5F", "/AZ0-._"),
            ("/a%2fb", "/a%2Fb"),
            ("/a%3a%2F%3F", "/a%3A%2F%3F"),
            ("/été", "/%C3%A9t%C3%A9"),
            ("/a b", "/a%20b"),
            ("/100%", "/100%"),
            ("/%zz%4", "/%zz%4"),
            ("/*$", "/*$"),
        ])
    func normalization(input: String, expected: String) {
        let output = RobotsPathNormalizer.normalized(ArraySlice(input.utf8))
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test(
        "pattern length counts normalized octets",
        arguments: [("/fish", 5), ("/fish*.php", 10), ("/*.php$", 7), ("/%7Ejoe", 5), ("/é", 7)])
    func patternLength(pattern: String, length: Int) throws {
        let compiled = try #require(RobotsPattern(ArraySlice(pattern.utf8)))
        #expect(compiled.length == length)
    }

    @Test(
        "crawl-delay",
        arguments: [
            ("User-agent: *\nCrawl-delay: 5\n", 5.0),
            ("User-agent: *\nCrawl-delay: 0.5\n", 0.5),
            ("User-agent: *\ncrawl-delay:.25\n", 0.25),
            ("User-agent: *\nCrawl-delay: 0\n", 0.0),
            ("User-agent: *\nCrawl-delay: -1\nCrawl-delay: 3\n", 3.0),
            ("User-agent: *\nCrawl-delay: soon\nCrawl-delay: 2\nCrawl-delay: 9\n", 2.0),
            ("User-agent: *\nCrawl-delay: 7\n\nUser-agent: crawl\nCrawl-delay: 1\n", 1.0),
            ("User-agent: crawl\nDisallow: /a\n\nUser-agent: crawl\nCrawl-delay: 4\n", 4.0),
            ("User-agent: *\nCrawl-delay: 10\n", 10.0),
        ] as [(String, Double?)])
    func crawlDelay(robots: String, expected: Double?) {
        let rules = RobotsRules(parsing: Array(robots.utf8), userAgent: "crawl/0.1")
        #expect(rules.crawlDelay == expected)
    }

    @Test(
        "invalid or absent crawl-delay",
        arguments: [
            "User-agent: *\nDisallow: /\n",
            "User-agent: *\nCrawl-delay: -2\n",
            "User-agent: *\nCrawl-delay: 1.2.3\n",
            "User-agent: *\nCrawl-delay: 5s\n",
            "User-agent: *\nCrawl-delay: inf\n",
            "User-agent: *\nCrawl-delay: .\n",
            "User-agent: *\nCrawl-delay:\n",
            "Crawl-delay: 5\nUser-agent: *\nDisallow: /\n",
            "User-agent: other\nCrawl-delay: 5\n",
            "User-agent: *\nCrawl-delay: 5\n\nUser-agent: crawl\nDisallow: /\n",
            "User-agent: *\nCrawl-delay: " + String(repeating: "9", count: 400) + "\n",
        ])
    func noCrawlDelay(robots: String) {
        let rules = RobotsRules(parsing: Array(robots.utf8), userAgent: "crawl/0.1")
        #expect(rules.crawlDelay == nil)
    }

    @Test("crawl-delay is a group member: it ends a UA run")
    func crawlDelayEndsAgentRun() {
        let robots = "User-agent: crawl\nCrawl-delay: 2\nUser-agent: other\nDisallow: /\n"
        let rules = RobotsRules(parsing: Array(robots.utf8), userAgent: "crawl")
        #expect(rules.crawlDelay == 2)
        #expect(rules.isAllowed("/x"))
    }

    @Test("sitemaps are collected from the whole file")
    func sitemaps() {
        let robots = """
            Sitemap: https://example.com/before.xml
            User-agent: other
            Disallow: /
            sitemap:   https://example.com/other-group.xml   # comment
            User-agent: *
            Site-map: https://example.com/typo.xml
            Sitemap:
            SITEMAP:https://example.com/last.xml
            """
        let rules = RobotsRules(parsing: Array(robots.utf8), userAgent: "crawl")
        #expect(rules.sitemaps == [
            "https://example.com/before.xml", "https://example.com/other-group.xml",
            "https://example.com/typo.xml", "https://example.com/last.xml",
        ])
    }

    @Test("only the first maxBytes bytes are parsed")
    func sizeCap() {
        #expect(RobotsRules.maxBytes == 512 * 1024)
        var body = Array("User-agent: *\nDisallow: /early\n".utf8)
        let lastRule = Array("Disallow: /edge\n".utf8)
        let filler = RobotsRules.maxBytes - body.count - lastRule.count
        body += Array("#".utf8) + Array(repeating: UInt8(ascii: "x"), count: filler - 2) + Array("\n".utf8)
        body += lastRule
        #expect(body.count == RobotsRules.maxBytes)
        body += Array("Disallow: /late\n".utf8)

        let rules = RobotsRules(parsing: body, userAgent: "crawl")
        #expect(!rules.isAllowed("/early"))
        #expect(!rules.isAllowed("/edge"))
        #expect(rules.isAllowed("/late"))
    }

    @Test("binary garbage parses without crashing and stays deterministic")
    func garbage() {
        var generator = SeededGenerator(state: 0x5EED)
        let fragments = ["User-agent: *\n", "Disallow: ", "Allow: ", "/", "*", "$", "%", "%4", "%C3", "#", ":",
                         "\r", "\n", "\u{FEFF}", "\u{0}", "é", "Crawl-delay: ", "Sitemap: "].map { Array($0.utf8) }
        for round in 0 ..< 300 {
            var body: [UInt8] = []
            for _ in 0 ..< Int(generator.next() % 200) {
                if round % 2 == 0 {
                    body.append(UInt8(truncatingIfNeeded: generator.next()))
                } else {
                    body += fragments[Int(generator.next() % UInt64(fragments.count))]
                }
            }
            let rules = RobotsRules(parsing: body, userAgent: "crawl")
            #expect(rules == RobotsRules(parsing: body, userAgent: "crawl"))
            #expect(rules.isAllowed("/robots.txt"))
            for path in ["/", "", "/a%", "/%C3%A9*$", "/x?y=%2f"] {
                _ = rules.isAllowed(path)
            }
        }
    }

    @Test("allowAll and disallowAll")
    func presets() {
        #expect(RobotsRules.allowAll.isAllowed("/anything?at=all"))
        #expect(!RobotsRules.disallowAll.isAllowed("/anything"))
        #expect(!RobotsRules.disallowAll.isAllowed(""))
        #expect(RobotsRules.disallowAll.isAllowed("/robots.txt"))
        #expect(RobotsRules(parsing: [], userAgent: "crawl") == .allowAll)
        #expect(RobotsRules(parsing: Array("User-agent: *\nDisallow: /\n".utf8), userAgent: "crawl") == .disallowAll)
        #expect(RobotsRules.allowAll != .disallowAll)
    }

    @Test("equality ignores rule order in the file")
    func equality() {
        let first = RobotsRules(parsing: Array("User-agent: *\nDisallow: /a\nAllow: /b\n".utf8), userAgent: "c")
        let second = RobotsRules(parsing: Array("User-agent: *\nAllow: /b\nDisallow: /a\n".utf8), userAgent: "c")
        #expect(first == second)
    }
}
