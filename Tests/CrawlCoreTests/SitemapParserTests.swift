import Foundation
import Synchronization
import Testing

@testable import CrawlCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Helpers

/// A scratch directory for gzip input and output, removed by the caller.
private func makeScratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("sitemap-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Runs `script` with /bin/sh in `directory` and returns the bytes it wrote to `out.gz`.
private func runShell(_ script: String, in directory: URL) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    process.currentDirectoryURL = directory
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "shell failed: \(script)")
    return Array(try Data(contentsOf: directory.appendingPathComponent("out.gz")))
}

/// `bytes` compressed by the gzip command line tool; `members` > 1 splits them into that many
/// concatenated gzip members.
private func gzip(_ bytes: [UInt8], members: Int = 1) throws -> [UInt8] {
    let directory = try makeScratchDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let partSize = (bytes.count + members - 1) / members
    var commands: [String] = []
    for part in 0..<members {
        let slice = bytes[min(bytes.count, part * partSize)..<min(bytes.count, (part + 1) * partSize)]
        try Data(slice).write(to: directory.appendingPathComponent("in\(part)"))
        commands.append("gzip -c -n in\(part)")
    }
    return try runShell("{ \(commands.joined(separator: "; ")); } > out.gz", in: directory)
}

/// libxml2's default error printer writes lines like "Entity: line 1: parser error : ...".
private func containsLibXML2Message(_ text: String) -> Bool {
    ["parser error", "parser warning", "I/O error", "namespace error", "validity error", "encoding error"]
        .contains { text.contains($0) }
}

private func urlset(_ locations: [String]) -> [UInt8] {
    let entries = locations.map { "<url><loc>\($0)</loc><lastmod>2024-01-01</lastmod></url>\n" }.joined()
    return Array(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        \(entries)</urlset>
        """.utf8)
}

private func parse(_ text: String, maxLocations: Int = 50_000) throws -> SitemapDocument {
    try SitemapParser.parse(Array(text.utf8), maxLocations: maxLocations)
}

// MARK: - Documents

@Suite struct SitemapParserTests {
    @Test func urlsetListsLocationsInOrder() throws {
        let document = try SitemapParser.parse(urlset(["https://a.example/", "https://a.example/b?c=1", "/relative"]))
        #expect(document == SitemapDocument(
            kind: .urlset, locations: ["https://a.example/", "https://a.example/b?c=1", "/relative"], truncated: false))
    }

    @Test func sitemapIndexListsSitemaps() throws {
        let document = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://a.example/sitemap1.xml.gz</loc><lastmod>2024-01-01</lastmod></sitemap>
              <sitemap><lastmod>2024-01-02</lastmod><loc>https://a.example/sitemap2.xml</loc></sitemap>
            </sitemapindex>
            """)
        #expect(document.kind == .index)
        #expect(document.locations == ["https://a.example/sitemap1.xml.gz", "https://a.example/sitemap2.xml"])
        #expect(!document.truncated)
    }

    @Test func locationTextIsTrimmedAndDecoded() throws {
        let document = try parse(
            """
            <urlset>
              <url><loc>
                  https://a.example/x?a=1&amp;b=2
              </loc></url>
              <url><loc><![CDATA[https://a.example/y?a=1&b=<2>]]></loc></url>
              <url><loc> https://a.example/&#x7A;&#233;?q=&quot;&apos;&lt;&gt;<![CDATA[&tail]]> </loc></url>
              <url><loc>   </loc></url>
              <url><loc/></url>
            </urlset>
            """)
        #expect(document.locations == [
            "https://a.example/x?a=1&b=2", "https://a.example/y?a=1&b=<2>", "https://a.example/zé?q=\"'<>&tail",
        ])
    }

    @Test func declaredEncodingIsDecoded() throws {
        var body = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><urlset><url><loc>https://a.example/caf".utf8)
        body += [0xE9] + Array("</loc></url></urlset>".utf8)
        #expect(try SitemapParser.parse(body).locations == ["https://a.example/café"])
    }

    @Test func namespacePrefixesAreIgnored() throws {
        let document = try parse(
            """
            <sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"
                       xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
              <sm:url>
                <sm:loc>https://a.example/page</sm:loc>
                <image:image><image:loc>https://a.example/photo.jpg</image:loc></image:image>
              </sm:url>
              <other:url xmlns:other="urn:x"><other:loc>https://a.example/other</other:loc></other:url>
            </sm:urlset>
            """)
        #expect(document.kind == .urlset)
        #expect(document.locations == ["https://a.example/page", "https://a.example/other"])
    }

    @Test func onlyEntriesOfTheRootsKindCount() throws {
        let document = try parse(
            "<urlset><loc>https://a.example/stray</loc><sitemap><loc>https://a.example/s.xml</loc></sitemap>"
                + "<url><a><loc>https://a.example/deep</loc></a><loc>https://a.example/ok</loc></url></urlset>")
        #expect(document.locations == ["https://a.example/ok"])
    }

    @Test func nonSitemapXMLThrows() throws {
        #expect(throws: SitemapError.notASitemap(rootElement: "html")) {
            try parse("<html><body><url><loc>https://a.example/</loc></url></body></html>")
        }
        #expect(throws: SitemapError.notASitemap(rootElement: "rss:feed")) {
            try parse("<?xml version=\"1.0\"?><rss:feed xmlns:rss=\"urn:rss\"><urlset/></rss:feed>")
        }
        let description = SitemapError.notASitemap(rootElement: "html").description
        #expect(description.contains("<html>") && !description.contains("\n"))
    }

    @Test func garbageThrowsWithoutWritingToStandardError() throws {
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let inputs: [[UInt8]] = [
            [], Array("   ".utf8), Array("not xml at all".utf8), Array("<urlset".utf8), Array("<".utf8),
            Array("<?xml version=\"1.0\" encoding=\"no-such-charset\"?><urlset/>".utf8),
            [0x1F, 0x8B], [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00], [0x1F, 0x8B] + garbage.prefix(5_000), garbage,
        ]
        let output = try StandardErrorCapture.run {
            for input in inputs {
                #expect(throws: SitemapError.self) { try SitemapParser.parse(input) }
            }
            #expect(throws: SitemapError.unreadable) { try SitemapParser.parse([]) }
        }
        #expect(!containsLibXML2Message(output), "libxml2 wrote: \(output)")
        #expect(!SitemapError.unreadable.description.contains("\n"))
    }

    @Test func brokenDocumentKeepsLocationsBeforeTheBreak() throws {
        let expected = (1...300).map { "https://a.example/\($0)" }
        let entries = expected.map { "<url><loc>\($0)</loc></url>\n" }.joined()
        let output = try StandardErrorCapture.run {
            let document = try parse("<urlset>\(entries)<url><loc>https://a.example/broken</lo></url>")
            // The reader drops the nodes of the chunk (512 bytes here) that holds the error.
            #expect(document.locations == Array(expected.prefix(document.locations.count)))
            #expect(document.locations.count > 280)
            #expect(!document.truncated)
            #expect(throws: SitemapError.unreadable) {
                try parse("<urlset><url><loc>https://a.example/1</loc></url><url><loc>x</lo></url>")
            }
        }
        #expect(!containsLibXML2Message(output), "libxml2 wrote: \(output)")
    }

    @Test func declaredEntitiesAreNeitherLoadedNorExpanded() throws {
        let document = try parse(
            """
            <?xml version="1.0"?>
            <!DOCTYPE urlset [
              <!ENTITY secret SYSTEM "file:///etc/passwd">
              <!ENTITY path "/expanded">
            ]>
            <urlset>
              <url><loc>https://a.example/&secret;</loc></url>
              <url><loc>https://a.example&path;</loc></url>
              <url><loc>https://a.example/ok&amp;&#x21;</loc></url>
            </urlset>
            """)
        #expect(document.locations == ["https://a.example/ok&!"])
        // An external DTD is not fetched (XML_PARSE_NONET, no DTDLOAD); its entities stay unknown.
        let external = try parse(
            """
            <?xml version="1.0"?>
            <!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/sitemap.dtd">
            <urlset><url><loc>https://a.example/&nbsp;</loc></url><url><loc>https://a.example/ok</loc></url></urlset>
            """)
        #expect(external.locations == ["https://a.example/ok"])
    }

    @Test func entityExpansionBombIsRefused() throws {
        let levels = (1...8).map { level in
            let previous = level == 1 ? "" : "&e\(level - 1);"
            let value = level == 1 ? String(repeating: "a", count: 50) : String(repeating: previous, count: 10)
            return "<!ENTITY e\(level) \"\(value)\">"
        }
        let entries = (1...100).map { "<url><loc>https://a.example/\($0)</loc></url>\n" }.joined()
        let body = "<?xml version=\"1.0\"?><!DOCTYPE urlset [\(levels.joined())]><urlset>\(entries)"
            + "<url><loc>&e8;</loc></url><url><loc>https://a.example/after</loc></url></urlset>"
        let start = ContinuousClock.now
        // libxml2 stops at its entity amplification check: the entries before the bomb's chunk
        // come through (or nothing, if that chunk held the root), never expanded text.
        let document = try? parse(body)
        #expect(ContinuousClock.now - start < .seconds(15))
        #expect(document?.locations.allSatisfy { $0.hasPrefix("https://a.example/") } ?? true)
        #expect(document?.locations.contains { $0.contains("aaaa") } != true)
    }

    // MARK: - Limits

    @Test func maxLocationsTruncates() throws {
        let five = (1...5).map { "https://a.example/\($0)" }
        let cut = try SitemapParser.parse(urlset(five), maxLocations: 3)
        #expect(cut.locations == Array(five.prefix(3)))
        #expect(cut.truncated)
        let exact = try SitemapParser.parse(urlset(five), maxLocations: 5)
        #expect(exact.locations == five && !exact.truncated)
        let none = try SitemapParser.parse(urlset(five), maxLocations: 0)
        #expect(none.locations.isEmpty && none.truncated)
        #expect(try SitemapParser.parse(urlset([]), maxLocations: 0) == SitemapDocument(
            kind: .urlset, locations: [], truncated: false))
    }

    @Test func plainBodyBeyondByteLimitIsTruncated() throws {
        let body = urlset((1...1_000).map { "https://a.example/\($0)" })
        let document = try SitemapParser.parse(body, maxInflatedBytes: body.count / 2)
        #expect(document.truncated)
        #expect(document.locations.count > 100 && document.locations.count < 1_000)
        #expect(document.locations.first == "https://a.example/1")
        #expect(try SitemapParser.parse(body, maxInflatedBytes: body.count).truncated == false)
    }

    // MARK: - Gzip

    @Test func gzipBodyIsDetectedByMagicAndInflated() throws {
        let locations = (1...2_000).map { "https://a.example/page/\($0)" }
        let plain = urlset(locations)
        let compressed = try gzip(plain)
        #expect(compressed.prefix(2) == [0x1F, 0x8B] && compressed.count < plain.count / 4)
        #expect(try SitemapParser.parse(compressed) == SitemapDocument(
            kind: .urlset, locations: locations, truncated: false))
        // Several concatenated members read as one stream.
        let members = try gzip(plain, members: 3)
        #expect(try SitemapParser.parse(members).locations == locations)
        // Ending exactly at the limit is not truncation; one byte less is.
        #expect(try SitemapParser.parse(compressed, maxInflatedBytes: plain.count).truncated == false)
        let cut = try SitemapParser.parse(compressed, maxInflatedBytes: plain.count - 1)
        // Only the last byte of `</urlset>` is missing; the reader drops the entries of the
        // chunk in which the document breaks off.
        #expect(cut.truncated)
        #expect(cut.locations == Array(locations.prefix(cut.locations.count)))
        #expect(cut.locations.count > locations.count - 20)
    }

    @Test func cutGzipKeepsWhatInflated() throws {
        let locations = (1...5_000).map { "https://a.example/\($0 * 7_919 % 100_003)" }
        let compressed = try gzip(urlset(locations))
        let output = try StandardErrorCapture.run {
            let document = try SitemapParser.parse(Array(compressed.prefix(compressed.count / 2)))
            #expect(document.locations.count > 100 && document.locations.count < locations.count)
            #expect(document.locations == Array(locations.prefix(document.locations.count)))
            #expect(!document.truncated)
        }
        #expect(!containsLibXML2Message(output), "libxml2 wrote: \(output)")
    }

    @Test func gzipBombStopsAtInflatedByteLimit() throws {
        // 200 MB of spaces between two entries, about 200 KB compressed.
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bomb = try runShell(
            """
            { printf '<urlset><url><loc>https://a.example/first</loc></url>'; \
            head -c 200000000 /dev/zero | tr '\\000' ' '; \
            printf '<url><loc>https://a.example/last</loc></url></urlset>'; } | gzip -c > out.gz
            """, in: directory)
        #expect(bomb.count < 1_000_000)
        let start = ContinuousClock.now
        let document = try SitemapParser.parse(bomb, maxInflatedBytes: 4 << 20)
        #expect(ContinuousClock.now - start < .seconds(20))
        #expect(document == SitemapDocument(kind: .urlset, locations: ["https://a.example/first"], truncated: true))

        bomb.withUnsafeBytes { bytes in
            let inflater = SitemapGzipInflater(input: bytes, limit: 4 << 20)
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: 1 << 16)
            defer { buffer.deallocate() }
            while inflater.read(into: buffer, capacity: 1 << 16) > 0 {}
            #expect(inflater.produced == 4 << 20)
            #expect(inflater.state == .limitReached)
        }
    }

    // MARK: - Threads

    @Test func parsesConcurrently() throws {
        let locations = (1...500).map { "https://a.example/\($0)" }
        let compressed = try gzip(urlset(locations))
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let body = index.isMultiple(of: 2) ? compressed : urlset(locations)
            let result = try? SitemapParser.parse(body)
            if result?.locations != locations { failures.withLock { $0 += 1 } }
        }
        #expect(failures.withLock { $0 } == 0)
    }
}
