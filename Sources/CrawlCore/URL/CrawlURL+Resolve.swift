/// Reference resolution (RFC 3986 §5.2) and the single parsing pipeline behind both
/// ``CrawlURL/init(parsing:)`` and ``CrawlURL/resolve(_:)``.
///
/// Pipeline: strip whitespace and controls → split into scheme / authority / path / query
/// (fragment dropped) → pick the target components per §5.2.2 → write the normalized serialization
/// into a stack buffer, removing dot segments while the path is written → build the Strings.
extension CrawlURL {
    /// Resolves a reference (as found in an `href`) against `self` per RFC 3986 §5.2, then normalizes.
    ///
    /// Throws `.unsupportedScheme` for `mailto:`, `javascript:`, `tel:`, `data:`, `ftp:`, `file:` and
    /// every other scheme except http(s); `.missingHost`, `.invalidHost` or `.invalidPort` for a bad
    /// authority in an absolute or `//host` reference. An empty or fragment-only reference yields
    /// `self`. `http:path` (no `//`) against an http base is treated as relative, the
    /// backward-compatible reading RFC 3986 §5.4.2 allows. Callable from any thread; a typical
    /// relative link costs 150-300 ns in release builds.
    public func resolve(_ reference: String) throws(URLParseError) -> CrawlURL {
        try CrawlURL.make(from: reference, base: self).get()
    }

    /// Parses `text` as an absolute URL (`base == nil`) or as a reference resolved against `base`.
    static func make(from text: String, base: CrawlURL?) -> Result<CrawlURL, URLParseError> {
        let direct = text.utf8.withContiguousStorageIfAvailable { bytes in
            make(cleaning: bytes, base: base)
        }
        if let direct { return direct }
        let copied = Array(text.utf8)
        return copied.withUnsafeBufferPointer { make(cleaning: $0, base: base) }
    }

    /// Strips leading/trailing bytes ≤ 0x20 and removes tab, LF and CR inside, as browsers do.
    private static func make(
        cleaning raw: UnsafeBufferPointer<UInt8>, base: CrawlURL?
    ) -> Result<CrawlURL, URLParseError> {
        var lower = 0
        var upper = raw.count
        while lower < upper, raw[lower] <= 0x20 { lower += 1 }
        while upper > lower, raw[upper - 1] <= 0x20 { upper -= 1 }
        let trimmed = UnsafeBufferPointer(rebasing: raw[lower..<upper])
        let hasLineBreak = trimmed.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard hasLineBreak else { return make(trimmed: trimmed, base: base) }
        let filtered = trimmed.filter { $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        return filtered.withUnsafeBufferPointer { make(trimmed: $0, base: base) }
    }

    /// RFC 3986 §5.2.2 on already-cleaned bytes.
    private static func make(
        trimmed input: UnsafeBufferPointer<UInt8>, base: CrawlURL?
    ) -> Result<CrawlURL, URLParseError> {
        guard !input.isEmpty else {
            if let base { return .success(base) }
            return .failure(.empty)
        }
        let parts = ReferenceParts(splitting: input)
        let scheme: HTTPScheme
        if let schemeRange = parts.scheme {
            guard let matched = HTTPScheme(input, schemeRange) else {
                let name = String(decoding: UnsafeBufferPointer(rebasing: input[schemeRange]), as: UTF8.self)
                return .failure(.unsupportedScheme(name.lowercased()))
            }
            if parts.authority == nil {
                guard let base, base.scheme == matched.name else { return .failure(.missingHost) }
                return .success(base.resolveRelative(input, parts))
            }
            scheme = matched
        } else {
            guard let base else { return .failure(.unsupportedScheme("")) }
            guard parts.authority != nil else { return .success(base.resolveRelative(input, parts)) }
            scheme = base.scheme == "https" ? .https : .http
        }
        return makeWithAuthority(input, parts, scheme: scheme)
    }

    /// Target of an absolute URL or a network-path reference (`//host/path`): everything but the
    /// scheme comes from the input.
    private static func makeWithAuthority(
        _ input: UnsafeBufferPointer<UInt8>, _ parts: ReferenceParts, scheme: HTTPScheme
    ) -> Result<CrawlURL, URLParseError> {
        guard let authorityRange = parts.authority else { return .failure(.missingHost) }
        let authority: URLAuthority
        switch URLAuthority.parse(input, authorityRange, defaultPort: scheme.defaultPort) {
        case .success(let parsed): authority = parsed
        case .failure(let error): return .failure(error)
        }
        let queryCapacity = parts.query.map { 1 + 3 * $0.count } ?? 0
        let capacity =
            8 + 3 * (authority.userinfo?.count ?? 0) + 1 + authority.hostCapacity + 6
            + 3 * parts.path.count + 2 + queryCapacity
        let url = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var writer = URLComponentWriter(buffer: buffer)
            writer.append(scheme.name)
            writer.append("://")
            var userinfo: String?
            if let userinfoRange = authority.userinfo {
                writer.appendUserinfo(input, userinfoRange)
                userinfo = writer.string(scheme.name.utf8.count + 3..<writer.count)
                writer.append(URLByteClass.at)
            }
            let hostStart = writer.count
            authority.writeHost(from: input, to: &writer)
            let host = writer.string(hostStart..<writer.count)
            if let port = authority.port {
                writer.append(URLByteClass.colon)
                writer.appendDecimal(port)
            }
            let pathStart = writer.count
            if !parts.path.isEmpty {
                // With an authority the path is empty or begins with "/".
                let segments = parts.path.lowerBound + 1..<parts.path.upperBound
                writer.appendPathSegments(input, segments, pathStart: pathStart)
            }
            return finish(
                &writer, input, parts, pathStart: pathStart,
                scheme: scheme.name, userinfo: userinfo, host: host, port: authority.port)
        }
        return .success(url)
    }

    /// Target of a reference without authority: authority from `self`, path merged per §5.2.2/§5.2.3.
    private func resolveRelative(_ input: UnsafeBufferPointer<UInt8>, _ parts: ReferenceParts) -> CrawlURL {
        let path = parts.path
        if path.isEmpty, parts.query == nil { return self }
        let queryCapacity = 1 + max(3 * (parts.query?.count ?? 0), query?.utf8.count ?? 0)
        let capacity = string.utf8.count + 3 * path.count + 2 + queryCapacity
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var writer = URLComponentWriter(buffer: buffer)
            writer.append(scheme)
            writer.append("://")
            if let userinfo {
                writer.append(userinfo)
                writer.append(URLByteClass.at)
            }
            writer.append(host)
            if let port {
                writer.append(URLByteClass.colon)
                writer.appendDecimal(port)
            }
            let pathStart = writer.count
            if path.isEmpty {
                writer.append(self.path)
            } else if input[path.lowerBound] == URLByteClass.slash {
                writer.appendPathSegments(input, path.lowerBound + 1..<path.upperBound, pathStart: pathStart)
            } else {
                writer.appendBaseDirectory(of: self.path)
                writer.appendPathSegments(input, path, pathStart: pathStart)
            }
            return CrawlURL.finish(
                &writer, input, parts, pathStart: pathStart,
                scheme: scheme, userinfo: userinfo, host: host, port: port,
                baseQuery: path.isEmpty ? query : nil)
        }
    }

    /// Writes the query and builds the value once the path has been written.
    /// `baseQuery` is used when the reference has no query of its own (only for an empty path).
    private static func finish(
        _ writer: inout URLComponentWriter, _ input: UnsafeBufferPointer<UInt8>, _ parts: ReferenceParts,
        pathStart: Int, scheme: String, userinfo: String?, host: String, port: Int?,
        baseQuery: String? = nil
    ) -> CrawlURL {
        if writer.count == pathStart { writer.append(URLByteClass.slash) }
        let path = writer.string(pathStart..<writer.count)
        var query: String?
        if let queryRange = parts.query {
            writer.append(URLByteClass.question)
            let queryStart = writer.count
            writer.appendQuery(input, queryRange)
            query = writer.string(queryStart..<writer.count)
        } else if let baseQuery {
            writer.append(URLByteClass.question)
            writer.append(baseQuery)
            query = baseQuery
        }
        return CrawlURL(
            scheme: scheme, userinfo: userinfo, host: host, port: port,
            path: path, query: query, string: writer.string())
    }
}

extension URLComponentWriter {
    /// Appends `basePath` up to, not including, its last `/` — the directory a relative path merges
    /// into (RFC 3986 §5.2.3), in the `/seg/seg` form ``appendPathSegments(_:_:pathStart:)`` expects.
    mutating func appendBaseDirectory(of basePath: String) {
        var basePath = basePath
        basePath.withUTF8 { bytes in
            var end = bytes.count
            while end > 0, bytes[end - 1] != URLByteClass.slash { end -= 1 }
            if end > 1 { append(UnsafeBufferPointer(rebasing: bytes[0..<end - 1])) }
        }
    }
}
