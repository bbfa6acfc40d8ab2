import Testing

@testable import CrawlCore

/// Parsing of absolute URLs, normalization rules, components and errors.
@Suite struct CrawlURLTests {
    @Test func componentsOfAFullURL() throws {
        let url = try CrawlURL(parsing: "HTTPS://Bob:S3cret@WWW.Example.COM:8443/Docs/Index.html?b=2&a=1#Frag")
        #expect(url.scheme == "https")
        #expect(url.userinfo == "Bob:S3cret")
        #expect(url.host == "www.example.com")
        #expect(url.port == 8443)
        #expect(url.path == "/Docs/Index.html")
        #expect(url.query == "b=2&a=1")
        #expect(url.string == "https://Bob:S3cret@www.example.com:8443/Docs/Index.html?b=2&a=1")
        #expect(url.origin == "https://www.example.com:8443")
        #expect(url.pathAndQuery == "/Docs/Index.html?b=2&a=1")
        #expect(url.redacted == "https://www.example.com:8443/Docs/Index.html?b=2&a=1")
        #expect(url.description == url.redacted)
        #expect("\(url)" == url.redacted)
    }

    @Test func minimalURL() throws {
        let url = try CrawlURL(parsing: "http://example.com")
        #expect(url.string == "http://example.com/")
        #expect(url.path == "/")
        #expect(url.query == nil)
        #expect(url.userinfo == nil)
        #expect(url.port == nil)
        #expect(url.origin == "http://example.com")
        #expect(url.pathAndQuery == "/")
        #expect(url.redacted == url.string)
        let queryOnly = try CrawlURL(parsing: "http://example.com?x=1")
        #expect(queryOnly.string == "http://example.com/?x=1")
        #expect(queryOnly.pathAndQuery == "/?x=1")
    }

    @Test(arguments: [
        ("http://example.com:80/", "http://example.com/", nil as Int?),
        ("https://example.com:443/x", "https://example.com/x", nil),
        ("http://example.com:443/", "http://example.com:443/", 443),
        ("https://example.com:80/", "https://example.com:80/", 80),
        ("http://example.com:/", "http://example.com/", nil),
        ("http://example.com:0080/", "http://example.com/", nil),
        ("http://example.com:8080", "http://example.com:8080/", 8080),
        ("http://127.0.0.1:65535/", "http://127.0.0.1:65535/", 65535),
        ("http://[::1]:8080/x", "http://[::1]:8080/x", 8080),
    ])
    func ports(text: String, expected: String, port: Int?) throws {
        let url = try CrawlURL(parsing: text)
        #expect(url.string == expected)
        #expect(url.port == port)
    }

    @Test(arguments: [
        ("http://example.com:65536/", "65536"),
        ("http://example.com:8a/", "8a"),
        ("http://example.com:-1/", "-1"),
        ("http://example.com:80:80/", "80:80"),
        ("http://example.com:99999999999999999999999/", "99999999999999999999999"),
    ])
    func invalidPorts(text: String, port: String) {
        #expect(throws: URLParseError.invalidPort(port)) { try CrawlURL(parsing: text) }
    }

    /// Each pair: input path/query after `http://x`, expected normalized form.
    @Test(arguments: [
        ("/a%2fb", "/a%2Fb"),
        ("/%7e/%7Euser", "/~/~user"),
        ("/%41%62%2D%2e%5F", "/Ab-._"),
        ("/a/%2e%2e/b", "/b"),
        ("/a/.%2E/b", "/b"),
        ("/a/%2E/b", "/a/b"),
        ("/%", "/%25"),
        ("/%zz", "/%25zz"),
        ("/%4", "/%254"),
        ("/a%2", "/a%252"),
        ("/été", "/%C3%A9t%C3%A9"),
        ("/日本", "/%E6%97%A5%E6%9C%AC"),
        ("/a b", "/a%20b"),
        ("/\"<>\\^`{|}", "/%22%3C%3E%5C%5E%60%7B%7C%7D"),
        ("/a\u{1}b\u{7F}c", "/a%01b%7Fc"),
        ("/%00", "/%00"),
        ("/a\\b\\..\\c", "/a%5Cb%5C..%5Cc"),
        ("/%2F%3F%26%23+/", "/%2F%3F%26%23+/"),
        ("/a:b@c;d=e,f!$'()*", "/a:b@c;d=e,f!$'()*"),
        ("/[x]", "/[x]"),
        ("/a/./b/../c", "/a/c"),
        ("/a/b/..", "/a/"),
        ("/a/b/.", "/a/b/"),
        ("/.", "/"),
        ("/..", "/"),
        ("/a/../../b", "/b"),
        ("/a//b/", "/a//b/"),
        ("/a/b/%2e%2e%2F", "/a/b/..%2F"),
        ("?b=2&a=1&c", "/?b=2&a=1&c"),
        ("/p?%7e=%2f&x=a+b&y=a b", "/p?~=%2F&x=a+b&y=a%20b"),
        ("/p?q=é&%zz", "/p?q=%C3%A9&%25zz"),
        ("/p?a/./b/../c", "/p?a/./b/../c"),
        ("/p?a?b", "/p?a?b"),
        ("/p?", "/p?"),
        ("/p#frag", "/p"),
        ("/p?q#frag?x", "/p?q"),
        ("#frag", "/"),
    ])
    func normalization(suffix: String, expected: String) throws {
        let url = try CrawlURL(parsing: "http://x" + suffix)
        #expect(url.string == "http://x" + expected)
        #expect(url.pathAndQuery == expected)
    }

    @Test func whitespaceAndControlsAreStripped() throws {
        #expect(try CrawlURL(parsing: "  \t http://example.com/a \r\n").string == "http://example.com/a")
        #expect(try CrawlURL(parsing: "\u{0}\u{1B}http://example.com/\u{1F}").string == "http://example.com/")
        #expect(try CrawlURL(parsing: "ht\ttp://exa\nmple.com/a\r\nb").string == "http://example.com/ab")
        #expect(try CrawlURL(parsing: "http://example.com/a b").string == "http://example.com/a%20b")
    }

    @Test func schemeIsCaseInsensitive() throws {
        #expect(try CrawlURL(parsing: "HTTP://X").string == "http://x/")
        #expect(try CrawlURL(parsing: "hTtPs://X/").scheme == "https")
    }

    @Test(arguments: [
        ("", URLParseError.empty),
        (" \t\r\n ", .empty),
        ("ftp://example.com/", .unsupportedScheme("ftp")),
        ("mailto:a@b.c", .unsupportedScheme("mailto")),
        ("FILE:///etc/passwd", .unsupportedScheme("file")),
        ("https+x://example.com/", .unsupportedScheme("https+x")),
        ("example.com", .unsupportedScheme("")),
        ("http://", .missingHost),
        ("http:///path", .missingHost),
        ("http://user@/", .missingHost),
        ("http://:80/", .missingHost),
        ("http:/example.com/", .missingHost),
        ("http://exa mple.com/", .invalidHost("exa mple.com")),
        ("http://a<b/", .invalidHost("a<b")),
        ("http://a%41.com/", .invalidHost("a%41.com")),
        ("http://a\\b/c", .invalidHost("a\\b")),
        ("http://a..b/", .invalidHost("a..b")),
        ("http://.example.com/", .invalidHost(".example.com")),
        ("http://[::1/", .invalidHost("[::1")),
        ("http://[zz::1]/", .invalidHost("[zz::1]")),
        ("http://[]/", .invalidHost("[]")),
        ("http://[::1]x/", .invalidHost("[::1]x")),
        ("http://ex ample.de/", .invalidHost("ex ample.de")),
        ("http://bü cher.de/", .invalidHost("bü cher.de")),
        ("http://a\u{0}b@example.com/", .invalidCharacter),
    ])
    func errors(text: String, error: URLParseError) {
        #expect(throws: error) { try CrawlURL(parsing: text) }
    }

    @Test func errorDescriptions() {
        #expect(URLParseError.empty.description == "empty URL")
        #expect(URLParseError.unsupportedScheme("ftp").description == "unsupported scheme 'ftp'")
        #expect(URLParseError.unsupportedScheme("").description == "missing scheme")
        #expect(URLParseError.missingHost.description == "missing host")
        #expect(URLParseError.invalidHost("a b").description == "invalid host 'a b'")
        #expect(URLParseError.invalidPort("99999").description == "invalid port '99999'")
        #expect(URLParseError.invalidCharacter.description == "invalid character in URL")
    }

    @Test func ipLiterals() throws {
        let v6 = try CrawlURL(parsing: "http://[2001:DB8::A:1]:8080/p")
        #expect(v6.host == "[2001:db8::a:1]")
        #expect(v6.port == 8080)
        #expect(v6.origin == "http://[2001:db8::a:1]:8080")
        #expect(v6.string == "http://[2001:db8::a:1]:8080/p")
        let mapped = try CrawlURL(parsing: "https://[::FFFF:127.0.0.1]/")
        #expect(mapped.host == "[::ffff:127.0.0.1]")
        #expect(mapped.port == nil)
        let v4 = try CrawlURL(parsing: "http://127.0.0.1:8080")
        #expect(v4.host == "127.0.0.1")
        #expect(v4.origin == "http://127.0.0.1:8080")
        let relative = try v6.resolve("../q?x")
        #expect(relative.string == "http://[2001:db8::a:1]:8080/q?x")
    }

    @Test(arguments: [
        ("http://bücher.example/", "xn--bcher-kva.example"),
        ("http://münchen.de/", "xn--mnchen-3ya.de"),
        ("http://MÜNCHEN.DE/", "xn--mnchen-3ya.de"),
        ("http://Bücher.Example/", "xn--bcher-kva.example"),
        ("http://bücher。example/", "xn--bcher-kva.example"),
        ("http://例え.テスト/", "xn--r8jz45g.xn--zckzah"),
        ("http://почта.рф/", "xn--80a1acny.xn--p1ai"),
        ("http://www.bücher.example.", "www.xn--bcher-kva.example."),
    ])
    func internationalizedHosts(text: String, host: String) throws {
        let url = try CrawlURL(parsing: text)
        #expect(url.host == host)
        #expect(url.string == "http://" + host + "/")
    }

    @Test func internationalizedHostWithUserinfoAndPort() throws {
        let url = try CrawlURL(parsing: "https://me@bücher.example:8443/été?é")
        #expect(url.string == "https://me@xn--bcher-kva.example:8443/%C3%A9t%C3%A9?%C3%A9")
        #expect(url.redacted == "https://xn--bcher-kva.example:8443/%C3%A9t%C3%A9?%C3%A9")
    }

    @Test func userinfoIsKeptButRedacted() throws {
        let url = try CrawlURL(parsing: "http://user:pa%73s%3a@Example.com/x?y")
        #expect(url.userinfo == "user:pass%3A")
        #expect(url.string == "http://user:pass%3A@example.com/x?y")
        #expect(url.redacted == "http://example.com/x?y")
        #expect(url.origin == "http://example.com")
        #expect(!url.description.contains("pass"))
        let twoAts = try CrawlURL(parsing: "http://a@b:c d@host/")
        #expect(twoAts.userinfo == "a%40b:c%20d")
        #expect(twoAts.host == "host")
        #expect(twoAts.redacted == "http://host/")
        #expect(try CrawlURL(parsing: "http://@host/").userinfo == nil)
    }

    @Test func equalityAndHashingUseTheNormalizedForm() throws {
        let a = try CrawlURL(parsing: "HTTP://Example.com:80/%7euser/./x#top")
        let b = try CrawlURL(parsing: "http://example.com/~user/x")
        let c = try CrawlURL(parsing: "http://example.com/~user/x?")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
    }

    /// Normalization is idempotent: re-parsing `string` gives the same value, field by field.
    @Test(arguments: [
        "HTTP://User:P%61ss@EXAMPLE.com:80/a/./b/../%7ec/d%2f e?q=%41 b&%zz#f",
        "https://bücher.example:444/été/../x?ü",
        "http://[::1]/%00%2e/a?%2e",
        "http://x/a%5C\\b/[c]/\"q\"?<>",
    ])
    func normalizationIsIdempotent(text: String) throws {
        let once = try CrawlURL(parsing: text)
        let twice = try CrawlURL(parsing: once.string)
        #expect(twice.string == once.string)
        #expect(twice.scheme == once.scheme)
        #expect(twice.userinfo == once.userinfo)
        #expect(twice.host == once.host)
        #expect(twice.port == once.port)
        #expect(twice.path == once.path)
        #expect(twice.query == once.query)
        #expect(try once.resolve(once.string) == once)
    }
}
