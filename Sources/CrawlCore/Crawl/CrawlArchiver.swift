/// Feeds the WARC writer from the crawl's response path (`--warc`): turns a fetch into its
/// records — request, response (or revisit), and a metadata record with the page's outlinks —
/// on the parse worker that processed it, which then appends them to the WARC files. The fetcher
/// and the parser know nothing of WARC; this is the only place that maps crawl results to records.
///
/// ``records(url:response:result:previous:encoder:)`` and ``write(_:)`` run on a parse worker (with
/// that worker's encoder).
struct CrawlArchiver: Sendable {
    let writer: WarcWriter

    /// The `warcinfo` fields of every file of a job with these settings.
    static func info(settings: CrawlSettings) -> [WarcInfoField] {
        [
            WarcInfoField("software", "crawl/\(CrawlArchiver.version)"),
            WarcInfoField("format", "WARC File Format 1.1"),
            WarcInfoField("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
            WarcInfoField("hostname", WarcFileName.localHost),
            WarcInfoField("http-header-user-agent", settings.userAgent),
            WarcInfoField("robots", settings.obeyRobots ? "obey" : "ignore"),
        ]
    }

    static let version = "0.1.0"

    /// The records of one fetch of `url`, or nil when no complete response came back (transport
    /// errors leave no record). `result` (a URL's processed outcome) decides between response and
    /// revisit and supplies the outlinks, and its `contentHash` (the SHA-256 of the body as
    /// stored) is the payload digest when the body came as stored; robots.txt and sitemap fetches
    /// pass nil and always get a response record.
    static func records(url: String, response: FetchResponse, result: URLResult?, previous: PreviousFetch?,
                        encoder: WarcRecordEncoder) -> WarcRecordGroup? {
        guard response.error == nil, response.status > 0, let exchange = response.exchange else { return nil }
        let responseID = encoder.newRecordID()
        let requestID = encoder.newRecordID()
        let address = response.primaryIP.map { [(name: "WARC-IP-Address", value: $0)] } ?? []
        var group = WarcRecordGroup()

        var request = WarcRecord(
            type: "request", id: requestID, date: exchange.sentAt, targetURI: url, contentType: WarcRecord.httpRequestType,
            block: [exchange.requestHead])
        request.fields = address + [("WARC-Concurrent-To", responseID)]
        encoder.append(request, to: &group)

        // The payload is the body as received; without chunked framing or a content coding
        // (rawBody nil) that is the body the processor hashed, so its digest is known already.
        let payload = exchange.rawBody ?? response.body
        let knownDigest = exchange.rawBody == nil ? result?.contentHash.flatMap(WarcDigest.label(sha256Hex:)) : nil
        var record = WarcRecord(
            type: "response", id: responseID, date: exchange.sentAt, targetURI: url, contentType: WarcRecord.httpResponseType,
            block: [exchange.responseHead, payload])
        record.fields = address + [("WARC-Concurrent-To", requestID)]
        record.payload = knownDigest.map { .given($0) } ?? .fromPart(1)
        // A digest of an older job in another algorithm (sha1) compares with nothing written now:
        // such a page gets a full response, which later revisits refer to.
        let original = previous?.archivedResponse
        let originalDigest = original?.payloadDigest.flatMap { WarcDigest.isCurrent($0) ? $0 : nil }
        switch result?.outcome {
        case .notModified?:
            record.type = "revisit"
            record.fields += revisitFields(profile: WarcRecord.profileServerNotModified, url: url, original: original)
            record.payload = originalDigest.map { .given($0) } ?? .none
        case .unchanged? where originalDigest != nil:
            // Same body by its SHA-256; a revisit only if the bytes as received are the same too.
            let digest = knownDigest ?? WarcDigest.label(of: payload)
            if digest == originalDigest {
                record.type = "revisit"
                record.fields += revisitFields(profile: WarcRecord.profileIdenticalPayload, url: url, original: original)
                record.block = [exchange.responseHead]
                record.payload = .given(digest)
            }
        default:
            break
        }
        encoder.append(record, to: &group, primary: true)

        if let result, result.redirectTo == nil, !result.links.isEmpty {
            var fields = [("fetchTimeMs", String(Int((response.totalSeconds * 1000).rounded())))]
            fields += result.links.map { ("outlink", $0.url) }
            var metadata = WarcRecord(
                type: "metadata", id: encoder.newRecordID(), date: exchange.sentAt, targetURI: url, contentType: WarcRecord.warcFieldsType,
                block: [WarcRecord.warcFields(fields)])
            metadata.fields = [("WARC-Concurrent-To", responseID)]
            encoder.append(metadata, to: &group)
        }
        return group
    }

    private static func revisitFields(profile: String, url: String, original: ArchivedResponse?) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("WARC-Profile", profile)]
        if let original {
            fields.append(("WARC-Refers-To", original.recordID))
            fields.append(("WARC-Refers-To-Date", WarcDate.format(original.date)))
        }
        fields.append(("WARC-Refers-To-Target-URI", url))
        return fields
    }

    /// Appends `group` to the WARC files and writes it: the record the database keeps (nil for a
    /// group without one), or the error. Blocks on file I/O: call from a parse worker.
    func write(_ group: WarcRecordGroup) -> Result<ArchivedRecord?, WarcError> {
        writer.append(group).map { ArchivedRecord(group: group, placement: $0) }
    }
}
