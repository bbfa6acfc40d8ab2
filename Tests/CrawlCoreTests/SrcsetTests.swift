import Testing

@testable import CrawlCore

@Suite struct SrcsetTests {
    @Test(arguments: [
        ("a.jpg", ["a.jpg"]),
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("a.jpg 100w,b.jpg 200w", ["a.jpg", "b.jpg"]),
        ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),
        ("a.jpg,b.jpg", ["a.jpg,b.jpg"]),
        ("a.jpg,,,", ["a.jpg"]),
        ("  ,, a.jpg ,,, b.jpg  ", ["a.jpg", "b.jpg"]),
        ("data:image/png;base64,iVBORw0= 1x, /b.png 2x", ["data:image/png;base64,iVBORw0=", "/b.png"]),
        ("a.jpg (1x, 2x), b.jpg", ["a.jpg", "b.jpg"]),
        ("a.jpg 1x (never closed, b.jpg", ["a.jpg"]),
        ("a.jpg\n1x,\tb.jpg\u{0C}2x,\r\nc.jpg", ["a.jpg", "b.jpg", "c.jpg"]),
        ("a.jpg 2q, b.jpg", ["a.jpg", "b.jpg"]),
        ("/img/é.png 1x", ["/img/é.png"]),
        ("", []),
        (" , ,\t", []),
    ])
    func splitsCandidateURLs(value: String, expected: [String]) {
        #expect(Srcset.candidateURLs(in: value) == expected)
    }
}
