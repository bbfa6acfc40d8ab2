import Foundation

/// What kind of content a response holds. Pure functions; callable from any thread.
///
/// ``isHTML(contentType:body:)`` runs once per response, so it reads bytes: no Foundation
/// trimming or lower-casing (which cost 1.5% of a crawl's CPU on the bench site).
enum ContentKind {
    /// HTML by its Content-Type (`text/html` or `application/xhtml+xml`, any case, parameters and
    /// surrounding blanks ignored); without one, by the body's first bytes (`<!doctype html` or
    /// `<html` after blanks and byte order marks).
    static func isHTML(contentType: String?, body: [UInt8]) -> Bool {
        if let contentType {
            var contentType = contentType
            return contentType.withUTF8 { isHTMLMediaType($0) }
        }
        return body.withUnsafeBufferPointer { startsLikeHTML($0) }
    }

    /// Whether the media type of a Content-Type value (what comes before `;`, without the
    /// blanks around it) is `text/html` or `application/xhtml+xml`, ignoring ASCII case.
    static func isHTMLMediaType(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var end = value.firstIndex(of: UInt8(ascii: ";")) ?? value.count
        var start = 0
        while start < end, isBlank(value[start]) { start += 1 }
        while end > start, isBlank(value[end - 1]) { end -= 1 }
        let media = UnsafeBufferPointer(rebasing: value[start..<end])
        return HTMLBytes.equalsIgnoringASCIICase(media, "text/html") || HTMLBytes.equalsIgnoringASCIICase(media, "application/xhtml+xml")
    }

    /// Whether the first 256 bytes, after blanks and UTF-8 byte order marks, open an HTML document.
    static func startsLikeHTML(_ body: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = UnsafeBufferPointer(rebasing: body.prefix(256))
        var index = 0
        while index < head.count {
            switch head[index] {
            case 0x20, 0x0A, 0x0D, 0x09:
                index += 1
            case 0xEF where index + 2 < head.count && head[index + 1] == 0xBB && head[index + 2] == 0xBF:
                index += 3
            default:
                let rest = UnsafeBufferPointer(rebasing: head[index...])
                return HTMLBytes.hasPrefixIgnoringASCIICase(rest, "<!doctype html") || HTMLBytes.hasPrefixIgnoringASCIICase(rest, "<html")
            }
        }
        return false
    }

    /// A NUL byte in the first KiB: not text in any charset HTML is served in.
    static func looksBinary(_ body: [UInt8]) -> Bool {
        body.prefix(1024).contains(0)
    }

    /// The charset parameter of a Content-Type value, if any.
    static func charset(of contentType: String?) -> String? {
        // Most values have no parameter at all: no need to split them.
        guard let contentType, contentType.utf8.contains(UInt8(ascii: ";")) else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// HTTP's optional whitespace (space, tab), which is all a header value may carry around it.
    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
