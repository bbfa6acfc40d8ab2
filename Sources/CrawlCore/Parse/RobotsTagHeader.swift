import Foundation

/// `X-Robots-Tag` response headers: "noindex, nofollow", "none", or directives for one crawler
/// ("crawl: nofollow"), which apply only when the name is our product token. Pure.
enum RobotsTagHeader {
    /// Names before a colon that are directives with a value, not crawler names.
    private static let valuedDirectives: Set<String> = [
        "unavailable_after", "max-snippet", "max-image-preview", "max-video-preview",
    ]

    static func directives(_ values: [String], userAgentToken: String) -> MetaRobotsDirectives {
        var directives = MetaRobotsDirectives()
        for value in values {
            var content = Substring(value)
            if let colon = value.firstIndex(of: ":") {
                let name = value[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                if !name.isEmpty, !name.contains(","), !name.contains(" "), !valuedDirectives.contains(name) {
                    guard name == userAgentToken.lowercased() else { continue }  // for another crawler
                    content = value[value.index(after: colon)...]
                }
            }
            directives.add(content: String(content))
        }
        return directives
    }
}
