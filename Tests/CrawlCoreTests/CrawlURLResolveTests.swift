import Testing

@testable import CrawlCore

/// RFC 3986 §5.4 examples and crawler-specific reference resolution.
@Suite struct CrawlURLResolveTests {
    static let rfcBase = "http://a/b/c/d;p?q"

    /// RFC 3986 §5.4.1 "Normal Examples" (`g:h` is covered by `rejectsOtherSchemes`).
    @Test(arguments: [
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g/"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q"),
        ("g#s", "http://a/b/c/g"),
        ("g?y#s", "http://a/b/c/g?y"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
    ])
    func rfc3986NormalExamples(reference: String, expected: String) throws {
        let base = try CrawlURL(parsing: Self.rfcBase)
        #expect(try base.resolve(reference).string == expected)
    }

    /// RFC 3986 §5.4.2 "Abnormal Examples"; `http:g` takes the backward-compatible reading.
    @Test(arguments: [
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g"),
        ("g#s/../x", "http://a/b/c/g"),
        ("http:g", "http://a/b/c/g"),
    ])
    func rfc3986AbnormalExamples(reference: String, expected: String) throws {
        let base = try CrawlURL(parsing: Self.rfcBase)
        #expect(try base.resolve(reference).string == expected)
    }

    @Test func rfcSchemeExampleIsRejected() throws {
        let base = try CrawlURL(parsing: Self.rfcBase)
        #expect(throws: URLParseError.unsupportedScheme("g")) { try base.resolve("g:h") }
    }

    @Test(arguments: [
        ("mailto:someone@example.com", "mailto"),
        ("javascript:void(0)", "javascript"),
        ("JavaScript:alert(1)", "javascript"),
        (" javascript:x", "javascript"),
        ("tel:+15551234", "tel"),
        ("data:text/html;base64,PGI+", "data"),
        ("ftp://ftp.example.com/file", "ftp"),
        ("file:///etc/passwd", "file"),
        ("httpx://example.com/", "httpx"),
        ("c:/windows", "c"),
    ])
    func rejectsOtherSchemes(reference: String, scheme: String) throws {
        let base = try CrawlURL(parsing: "https://example.com/dir/page.html")
        #expect(throws: URLParseError.unsupportedScheme(scheme)) { try base.resolve(reference) }
    }

    @Test func schemeRelativeTakesBaseScheme() throws {
        let base = try CrawlURL(parsing: "https://example.com/a/b")
        #expect(try base.resolve("//cdn.example.net/lib.js").string == "https://cdn.example.net/lib.js")
        #expect(try base.resolve("//CDN.example.net").string == "https://cdn.example.net/")
        #expect(try base.resolve("//cdn.example.net:443/x").port == nil)
        let plain = try CrawlURL(parsing: "http://example.com/")
        #expect(try plain.resolve("//cdn.example.net:443/x").string == "http://cdn.example.net:443/x")
    }

    @Test func absoluteReferenceReplacesEverything() throws {
        let base = try CrawlURL(parsing: "http://user:pw@example.com:8080/a/b?q")
        let resolved = try base.resolve("HTTPS://Other.Example.COM/Path/./To/../File?X=1#top")
        #expect(resolved.string == "https://other.example.com/Path/File?X=1")
        #expect(resolved.userinfo == nil)
        #expect(resolved.port == nil)
    }

    @Test func relativeReferenceKeepsBaseAuthority() throws {
        let base = try CrawlURL(parsing: "http://user:pw@example.com:8080/a/b?q")
        let resolved = try base.resolve("c?d")
        #expect(resolved.string == "http://user:pw@example.com:8080/a/c?d")
        #expect(resolved.userinfo == "user:pw")
        #expect(resolved.host == "example.com")
        #expect(resolved.port == 8080)
        #expect(resolved.redacted == "http://example.com:8080/a/c?d")
    }

    @Test func queryOnlyAndFragmentOnlyReferences() throws {
        let base = try CrawlURL(parsing: "http://example.com/dir/page")
        #expect(try base.resolve("?page=2&sort=asc").string == "http://example.com/dir/page?page=2&sort=asc")
        #expect(try base.resolve("?").string == "http://example.com/dir/page?")
        #expect(try base.resolve("?").query == "")
        #expect(try base.resolve("#section") == base)
        #expect(try base.resolve("   ") == base)
        let withQuery = try CrawlURL(parsing: "http://example.com/dir/page?a=1")
        #expect(try withQuery.resolve("#x").string == "http://example.com/dir/page?a=1")
        #expect(try withQuery.resolve("other").query == nil)
        #expect(try withQuery.resolve("?b=2").string == "http://example.com/dir/page?b=2")
    }

    @Test func sameSchemeWithoutSlashesIsRelativeOtherwiseMissingHost() throws {
        let base = try CrawlURL(parsing: "http://example.com/a/b")
        #expect(try base.resolve("http:c").string == "http://example.com/a/c")
        #expect(try base.resolve("HTTP:/c").string == "http://example.com/c")
        #expect(throws: URLParseError.missingHost) { try base.resolve("https:c") }
        #expect(throws: URLParseError.missingHost) { try base.resolve("https:///c") }
    }

    @Test func hrefWhitespaceIsCleaned() throws {
        let base = try CrawlURL(parsing: "http://example.com/dir/")
        #expect(try base.resolve("\n\t  page.html  \r\n").string == "http://example.com/dir/page.html")
        #expect(try base.resolve("pa\nge\t.ht\r\nml").string == "http://example.com/dir/page.html")
        #expect(throws: URLParseError.unsupportedScheme("javascript")) { try base.resolve("java\nscript:alert(1)") }
        #expect(throws: URLParseError.unsupportedScheme("javascript")) { try base.resolve("\u{0}\u{1F} javascript:x") }
    }

    @Test func dotSegmentsNeverClimbAboveRoot() throws {
        let base = try CrawlURL(parsing: "http://example.com/a/b/c")
        #expect(try base.resolve("../../../../../x").string == "http://example.com/x")
        #expect(try base.resolve("/../x").string == "http://example.com/x")
        #expect(try base.resolve("../../..").string == "http://example.com/")
        #expect(try base.resolve("%2e%2E/%2E/y").string == "http://example.com/a/y")
    }

    /// The hostile site's URLs (Tests/Fixtures/hostile_server.py, /hub/urls.html): traversal,
    /// raw or encoded, ends at the root of the same host; encoded slashes and backslashes stay
    /// inside one segment; NUL and space stay escaped. What is sent is exactly this string.
    @Test func traversalAndControlCharactersStayInThePath() throws {
        let base = try CrawlURL(parsing: "http://127.0.0.131:8080/hub/urls.html")
        let cases = [
            ("../../../../etc/passwd", "/etc/passwd"),
            ("%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd"),
            (".%2E/.%2e/etc/passwd", "/etc/passwd"),
            ("/u/..%2f..%2f..%2fetc%2fpasswd", "/u/..%2F..%2F..%2Fetc%2Fpasswd"),
            ("..\\..\\..\\etc\\passwd", "/hub/..%5C..%5C..%5Cetc%5Cpasswd"),
            ("/u/nul%00byte.html", "/u/nul%00byte.html"),
            ("/u/with space.html", "/u/with%20space.html"),
            ("/u/back\\slash.html", "/u/back%5Cslash.html"),
        ]
        for (reference, path) in cases {
            let url = try base.resolve(reference)
            #expect(url.origin == "http://127.0.0.131:8080" && url.pathAndQuery == path, "\(reference) → \(url)")
        }
    }

    @Test func relativePathAgainstRootAndTrailingSlash() throws {
        let root = try CrawlURL(parsing: "http://example.com")
        #expect(try root.resolve("x/y").string == "http://example.com/x/y")
        let directory = try CrawlURL(parsing: "http://example.com/a/b/")
        #expect(try directory.resolve("c").string == "http://example.com/a/b/c")
        #expect(try directory.resolve("./").string == "http://example.com/a/b/")
        let doubleSlash = try CrawlURL(parsing: "http://example.com/a//b")
        #expect(try doubleSlash.resolve("..").string == "http://example.com/a/")
        #expect(try doubleSlash.resolve("../..").string == "http://example.com/")
    }

    @Test func relativeReferencesAreNormalized() throws {
        let base = try CrawlURL(parsing: "http://example.com/wiki/")
        #expect(try base.resolve("Café au lait?q=crème brûlée").string
            == "http://example.com/wiki/Caf%C3%A9%20au%20lait?q=cr%C3%A8me%20br%C3%BBl%C3%A9e")
        #expect(try base.resolve("a%7eb%2fc?%7e=%2f").string == "http://example.com/wiki/a~b%2Fc?~=%2F")
        #expect(try base.resolve("a\\b").string == "http://example.com/wiki/a%5Cb")
        #expect(try base.resolve("100%").string == "http://example.com/wiki/100%25")
    }

    @Test func requiresBaseForRelativeText() {
        #expect(throws: URLParseError.unsupportedScheme("")) { try CrawlURL(parsing: "example.com/page") }
        #expect(throws: URLParseError.unsupportedScheme("")) { try CrawlURL(parsing: "//example.com/page") }
        #expect(throws: URLParseError.missingHost) { try CrawlURL(parsing: "http:example.com") }
    }
}
