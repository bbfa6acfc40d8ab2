import CrawlCore
import FuzzSupport

/// The libxml2 SAX link extractor (`LinkExtractor.extract`), then resolution of what it found.
///
/// Input: the first byte picks the charset label the "server" sent; the rest is the HTML body.
/// Checked: no more links than the cap, the same answer when the same (reused) extractor parses
/// the body again, a truncated list is a prefix of what a larger cap finds (an untruncated one
/// equal to it), and every link that resolves against the page (or its `<base href>`) satisfies
/// ``URLInvariants``, before and after `--strip-query` (which must leave no `utm_*` parameter),
/// and the trap guard judges it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLinkExtractor(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    LinkExtractor.initializeLibrary()
    let labels: [String?] = [nil, "utf-8", "iso-8859-1", "windows-1252", "shift_jis", "utf-16", "euc-jp", "no-such-charset"]
    let label = labels[Int(data[0]) % labels.count]
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let first = FuzzState.extractor.extract(body, encoding: label)
    guard first.links.count <= FuzzState.maxLinks else { fatalError("\(first.links.count) links > cap \(FuzzState.maxLinks)") }
    let again = FuzzState.extractor.extract(body, encoding: label)
    if !first.timedOut && !again.timedOut {
        guard again.links == first.links, again.baseHref == first.baseHref, again.metaNoFollow == first.metaNoFollow,
              again.metaNoIndex == first.metaNoIndex, again.truncated == first.truncated
        else { fatalError("a reused extractor gave another answer for the same document") }
    }
    // A cap only cuts the list short: a larger one finds the same links first, and without
    // truncation exactly the same ones.
    let wide = FuzzState.wideExtractor.extract(body, encoding: label)
    if !first.timedOut && !wide.timedOut && !wide.truncated {
        if first.truncated {
            guard wide.links.starts(with: first.links) else { fatalError("a truncated list is not a prefix of the full one") }
        } else {
            guard wide.links == first.links, wide.baseHref == first.baseHref else {
                fatalError("\(first.links.count) links untruncated, but \(wide.links.count) with a larger cap")
            }
        }
    }

    var base = FuzzState.page
    if let href = first.baseHref, let resolved = try? FuzzState.page.resolve(href) {
        URLInvariants.check(resolved, from: "<base href> " + href)
        base = resolved
    }
    for link in first.links {
        guard let url = try? base.resolve(link.reference) else { continue }
        URLInvariants.check(url, from: link.reference)
        // What the crawler does next with every link: strip tracking parameters, guard traps.
        let filtered = FuzzState.queryFilter.apply(to: url)
        URLInvariants.check(filtered, from: "--strip-query on " + link.reference)
        if filtered.query != nil, filtered.query!.split(separator: "&").contains(where: { $0.lowercased().hasPrefix("utm_") }) {
            fatalError("utm_ parameter survived --strip-query: \(filtered.string)")
        }
        _ = FuzzState.trapGuard.rejection(for: filtered)
    }
    return 0
}

/// The extractor is reused across inputs, as a parse worker reuses it across pages.
enum FuzzState {
    static let maxLinks = 200
    // nonisolated(unsafe): libFuzzer calls LLVMFuzzerTestOneInput from one thread only.
    nonisolated(unsafe) static let extractor = LinkExtractor(maxLinks: maxLinks)
    nonisolated(unsafe) static let wideExtractor = LinkExtractor(maxLinks: 100_000)
    static let page = try! CrawlURL(parsing: "http://fuzz.example/dir/page.html?x=1")
    static let queryFilter = QueryFilter(patterns: ["utm_*", "sid", "x?y"])
    static let trapGuard = TrapGuard()
}
