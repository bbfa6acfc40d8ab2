/// Works around libxml2 2.9's handling of NUL bytes: a NUL in text or in an attribute value
/// makes its HTML parser drop the rest of the document. The HTML standard only asks for the
/// NUL itself to be ignored or replaced, so before parsing, NULs become spaces.
///
/// Only for charsets where a NUL byte is a NUL character: UTF-16 and UTF-32 documents are
/// full of NUL bytes and are left alone. Pure functions; callable from any thread.
enum NULByteScrubber {
    /// Whether `body` (to be decoded as `label`, or sniffed when nil), which holds a NUL byte
    /// when `containsNUL` (``BodyByteScan``), should have its NULs replaced before parsing.
    static func needsScrubbing(_ body: UnsafeRawBufferPointer, label: String?, containsNUL: Bool) -> Bool {
        containsNUL && !mayBeWideEncoding(body, label: label)
    }

    /// A copy of `body` with every NUL byte replaced by a space.
    static func replacingNULs(in body: UnsafeRawBufferPointer) -> [UInt8] {
        var copy = Array(body)
        for index in copy.indices where copy[index] == 0 { copy[index] = 0x20 }
        return copy
    }

    /// UTF-16/UTF-32 by label (`utf-16le`, `UCS-2`, `utf-32`...), by byte order mark, or by a
    /// NUL among the first four bytes (how libxml2 spots `<` or `<?` in a wide encoding).
    static func mayBeWideEncoding(_ body: UnsafeRawBufferPointer, label: String?) -> Bool {
        if let label {
            let lowered = label.lowercased()
            if lowered.contains("16") || lowered.contains("32") || lowered.contains("ucs") { return true }
        }
        if body.prefix(4).contains(0) { return true }
        guard body.count >= 2 else { return false }
        let first = body[0]
        let second = body[1]
        if (first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF) { return true }
        return body.count >= 4 && first == 0 && second == 0 && body[2] == 0xFE && body[3] == 0xFF
    }
}
