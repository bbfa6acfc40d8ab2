import Testing

@testable import CrawlCore

/// Applies a filter built from `patterns` to `text` and returns the resulting serialization.
private func strip(_ patterns: [String], _ text: String) throws -> String {
    QueryFilter(patterns: patterns).apply(to: try CrawlURL(parsing: text)).string
}

@Suite struct QueryFilterTests {
    @Test func removesUTMParametersByGlob() throws {
        #expect(
            try strip(["utm_*"], "https://example.com/a?id=7&utm_source=news&utm_medium=mail&x=1&utm_=z")
                == "https://example.com/a?id=7&x=1")
        #expect(try strip(["utm_*"], "https://example.com/a?utm=1&utmx=2") == "https://example.com/a?utm=1&utmx=2")
        #expect(try strip(["*id"], "https://example.com/?sid=1&id=2&idx=3&fbclid=4") == "https://example.com/?idx=3")
        #expect(try strip(["*"], "https://example.com/p?a=1&b") == "https://example.com/p")
        #expect(try strip(["s*n*id"], "https://example.com/?sessionid=1&snid=2&sid=3") == "https://example.com/?sid=3")
    }

    @Test func removesExactNamesOnly() throws {
        let patterns = ["sessionid", "fbclid"]
        #expect(
            try strip(patterns, "http://example.com/x?fbclid=abc&q=shoes&sessionid=42&sessionid2=1&xfbclid=2")
                == "http://example.com/x?q=shoes&sessionid2=1&xfbclid=2")
        // A name without `=` and a name with an empty value are names all the same.
        #expect(try strip(patterns, "http://example.com/x?fbclid&q=1&sessionid=") == "http://example.com/x?q=1")
        // Only the text before the first `=` is the name.
        let valuesOnly = "http://example.com/x?q=fbclid&r=a=fbclid"
        #expect(try strip(patterns, valuesOnly) == valuesOnly)
    }

    @Test func comparesNamesIgnoringASCIICase() throws {
        #expect(
            try strip(["UTM_*", "FbClId"], "https://example.com/?Utm_Source=a&FBCLID=b&keep=C")
                == "https://example.com/?keep=C")
        // Non-ASCII letters are not case-folded.
        #expect(try strip(["é"], "https://example.com/?%C3%89=1&%C3%A9=2") == "https://example.com/?%C3%89=1")
    }

    @Test func matchesPercentDecodedNames() throws {
        // `%5F` is `_`, `%73` is `s` (normalization already decodes it), `%C3%A9` is `é`.
        #expect(
            try strip(
                ["utm_*", "café"], "https://example.com/?utm%5Fsource=1&%75tm_x=2&caf%C3%A9=3&caf%c3%a9=4&cafe=5")
                == "https://example.com/?cafe=5")
        // An encoded `=` belongs to the name; an encoded `&` does not split parameters.
        #expect(try strip(["a=b"], "https://example.com/?a%3Db=1&a=b") == "https://example.com/?a=b")
        #expect(try strip(["x&y"], "https://example.com/?x%26y=1&x=2&y=3") == "https://example.com/?x=2&y=3")
    }

    @Test func keepsTheRemainingParametersInOrderAndSpelling() throws {
        #expect(
            try strip(["drop"], "https://example.com/?z=%2F&drop=1&a=B+c&DROP=2&m=%3D%3d&b&drop")
                == "https://example.com/?z=%2F&a=B+c&m=%3D%3D&b")
        // `;` is no separator: the whole piece is one parameter named `drop`.
        #expect(try strip(["drop"], "https://example.com/?drop=1;keep=2&k=3") == "https://example.com/?k=3")
    }

    @Test func dropsTheQuestionMarkOfAnEmptiedQuery() throws {
        let stripped = QueryFilter(patterns: ["utm_*"]).apply(
            to: try CrawlURL(parsing: "https://user:pw@Example.com:8443/a/b?utm_source=x&utm_medium=y#frag"))
        #expect(stripped.string == "https://user:pw@example.com:8443/a/b")
        #expect(stripped.query == nil)
        #expect(stripped == (try CrawlURL(parsing: "https://user:pw@example.com:8443/a/b")))
        #expect(stripped.path == "/a/b" && stripped.host == "example.com" && stripped.port == 8443)
        #expect(stripped.userinfo == "user:pw" && stripped.scheme == "https")
        #expect(stripped.pathAndQuery == "/a/b")
        // Empty pieces go with a rewrite.
        #expect(try strip(["t"], "http://example.com/?&t=1&&") == "http://example.com/")
        #expect(try strip(["t"], "http://example.com/?a=1&&t=2&&b=3&") == "http://example.com/?a=1&b=3")
    }

    @Test func questionMarkMatchesExactlyOneCharacter() throws {
        #expect(
            try strip(["p?"], "https://example.com/?p=0&p1=1&pa=2&p12=3&p%C3%A9=4")
                == "https://example.com/?p=0&p12=3")
        #expect(try strip(["??"], "https://example.com/?a=1&ab=2&abc=3&%C3%A9x=4") == "https://example.com/?a=1&abc=3")
        #expect(try strip(["*?"], "https://example.com/?=1&a=2") == "https://example.com/?=1")
    }

    @Test func returnsAnEqualURLWhenNothingMatches() throws {
        let filter = QueryFilter(patterns: ["utm_*", "sessionid"])
        for text in [
            "https://example.com/", "https://example.com/?", "https://example.com/?a=1&&b=2&",
            "https://example.com/?utm=1&session=2", "https://example.com/utm_source?x=utm_source",
        ] {
            let url = try CrawlURL(parsing: text)
            let result = filter.apply(to: url)
            #expect(result == url)
            #expect(result.query == url.query)
        }
    }

    @Test func emptyFiltersChangeNothing() throws {
        #expect(QueryFilter(patterns: []).isEmpty)
        #expect(QueryFilter(patterns: ["", ""]).isEmpty)
        #expect(QueryFilter(patterns: ["", ""]) == QueryFilter(patterns: []))
        #expect(!QueryFilter(patterns: ["", "x"]).isEmpty)
        #expect(QueryFilter(patterns: ["", "x"]).patterns == ["x"])
        let url = try CrawlURL(parsing: "https://example.com/?utm_source=1")
        #expect(QueryFilter(patterns: []).apply(to: url) == url)
    }

    @Test func resultAgreesWithParsingItsOwnString() throws {
        let filter = QueryFilter(patterns: ["utm_*", "ref"])
        for text in [
            "HTTP://ExAmple.com:80/a/./b/../c?ref=1&q=caf%C3%A9%20x&utm_id=2",
            "https://[::1]:8080/?q=%7e&ref&z",
            "https://bücher.example/ä?utm_a=1&ä=ö",
        ] {
            let result = filter.apply(to: try CrawlURL(parsing: text))
            let reparsed = try CrawlURL(parsing: result.string)
            #expect(result.string == reparsed.string)
            #expect(result.query == reparsed.query && result.path == reparsed.path)
            #expect(result.host == reparsed.host && result.port == reparsed.port)
        }
        #expect(
            try strip(["utm_*", "ref"], "https://bücher.example/ä?utm_a=1&ä=ö")
                == "https://xn--bcher-kva.example/%C3%A4?%C3%A4=%C3%B6")
    }

    @Test(arguments: [
        ("abc", "abc", true), ("abc", "abd", false), ("a*", "a", true), ("*c", "abc", true),
        ("a*c", "ac", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false),
        ("*a*a*", "aa", true), ("*a*a*", "ba", false), ("", "", true), ("", "a", false),
        ("**", "", true), ("?", "", false), ("a?c", "abc", true), ("a?c", "ac", false),
        ("*?*?", "é", false), ("*?*?", "éé", true), ("?", "é", true),
    ])
    func globMatchesWholeNames(pattern: String, name: String, expected: Bool) {
        let matched = Array(name.utf8).withUnsafeBufferPointer { QueryFilter.glob(Array(pattern.utf8), matches: $0) }
        #expect(matched == expected)
    }
}
