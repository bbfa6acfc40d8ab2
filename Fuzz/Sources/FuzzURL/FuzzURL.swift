import CrawlCore
import FuzzSupport

/// The URL parser, resolver and normalizer (`CrawlURL(parsing:)`, `resolve`).
///
/// Input: `BASE \0 REFERENCE`, or without a NUL the whole input as both an absolute URL and a
/// reference against a fixed base. Every URL that comes out must satisfy ``URLInvariants``
/// (http/https only, normalized, idempotent, parses again), and an absolute URL resolves to
/// itself against any base; errors are fine, traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURL(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var baseText = "http://www.example.com/a/b/c/d;p?q"
    var referenceBytes = bytes[...]
    if let nul = bytes.firstIndex(of: 0) {
        baseText = String(decoding: bytes[..<nul], as: UTF8.self)
        referenceBytes = bytes[(nul + 1)...]
    }
    let reference = String(decoding: referenceBytes, as: UTF8.self)
    let absolute = try? CrawlURL(parsing: reference)
    if let absolute { URLInvariants.check(absolute, from: reference) }
    if let base = try? CrawlURL(parsing: baseText) {
        URLInvariants.check(base, from: baseText)
        let resolved = try? base.resolve(reference)
        if let resolved { URLInvariants.check(resolved, from: baseText + " + " + reference) }
        // An absolute http(s) URL means the same whatever page it is found on.
        if let absolute, resolved != absolute {
            fatalError("absolute \(reference.debugDescription) resolves to \(resolved?.string.debugDescription ?? "an error") against \(base.string)")
        }
    }
    return 0
}
