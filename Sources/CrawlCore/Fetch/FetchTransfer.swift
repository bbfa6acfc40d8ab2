import CCurl

/// One request in flight on the event loop: the pooled easy handle it borrowed, its header
/// list, the growing body and the slot its caller awaits.
///
/// Loop-thread only. While the easy handle sits in the multi handle, curl holds one retained
/// reference to the transfer (CURLOPT_PRIVATE and CURLOPT_WRITEDATA); `configure` takes it and
/// `releaseResources` gives it back, exactly once.
final class FetchTransfer {
    let id: UInt64
    let request: FetchRequest
    let slot: ContinuationSlot<FetchResponse>
    let easy: CurlEasy

    private let bodyLimit: Int
    private var body: [UInt8] = []
    /// Set in capture mode (``FetcherConfiguration/capturesExchange``): keeps the exchange as is.
    private var capture: ExchangeCapture?
    private var sizedFromContentLength = false
    /// Set when the decoded body would pass `bodyLimit`; the write callback then aborts.
    private(set) var exceededBodyLimit = false
    /// When the transfer was handed to curl (monotonic seconds); set by the event loop.
    var addedAt: Double = 0
    /// When curl was about to send the request (monotonic seconds), from CURLOPT_PREREQFUNCTION:
    /// on a starved loop thread this can be well after `addedAt` plus curl's own timers, which
    /// start at its first look at the transfer, not at `addedAt`.
    private var sendingAt: Double?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// The reference curl holds through CURLOPT_PRIVATE / CURLOPT_WRITEDATA.
    private var curlReference: Unmanaged<FetchTransfer>?

    init(
        id: UInt64, request: FetchRequest, slot: ContinuationSlot<FetchResponse>, easy: CurlEasy,
        bodyLimit: Int
    ) {
        self.id = id
        self.request = request
        self.slot = slot
        self.easy = easy
        self.bodyLimit = bodyLimit
    }

    deinit {
        precondition(curlReference == nil, "FetchTransfer freed while curl still references it")
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// The transfer that owns a finished easy handle, found through CURLOPT_PRIVATE.
    static func owning(easyHandle: UnsafeMutableRawPointer) -> FetchTransfer? {
        var opaque: UnsafeMutableRawPointer?
        guard crawl_easy_getinfo_pointer(easyHandle, CURLINFO_PRIVATE, &opaque) == CURLE_OK,
            let opaque
        else { return nil }
        return Unmanaged<FetchTransfer>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Sets the options of the request on its pooled easy handle: on a new handle every option
    /// this fetcher's transfers share first (they stay set from one transfer to the next, so a
    /// reused handle is neither reset nor configured again), then the URL, the headers and the
    /// pointers back to this transfer. On failure the caller still calls `releaseResources()`.
    func configure(_ configuration: FetcherConfiguration) throws(FetchError) {
        let reference = Unmanaged.passRetained(self)
        curlReference = reference
        let opaque = reference.toOpaque()

        if !easy.hasSharedOptions {
            try setSharedOptions(configuration)
            easy.hasSharedOptions = true
        }
        easy.clearErrorMessage()
        try easy.set(CURLOPT_URL, request.url)
        try easy.set(CURLOPT_PRIVATE, pointer: opaque)
        try easy.set(CURLOPT_WRITEDATA, pointer: opaque)
        try easy.set(CURLOPT_PREREQDATA, pointer: opaque)
        if configuration.capturesExchange {
            capture = ExchangeCapture(bodyLimit: bodyLimit, rawLimit: configuration.rawBodyLimit)
            try easy.set(CURLOPT_HEADERDATA, pointer: opaque)
            try easy.set(CURLOPT_DEBUGDATA, pointer: opaque)
        }
        if !request.headers.isEmpty { try buildHeaderList() }
        // Always set: nil takes back the list of the handle's previous transfer, freed since.
        try easy.set(CURLOPT_HTTPHEADER, list: headerList)
    }

    /// The options every transfer of a fetcher shares (its configuration never changes), set
    /// once on each new easy handle. The callbacks find their transfer through the per-transfer
    /// data pointers.
    private func setSharedOptions(_ configuration: FetcherConfiguration) throws(FetchError) {
        try easy.set(CURLOPT_NOSIGNAL, true)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, false)
        if configuration.capturesExchange {
            try configureCapture()
        } else {
            try easy.set(CURLOPT_ACCEPT_ENCODING, "")  // every built-in decoder: gzip, deflate, br, zstd
        }
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, configuration.connectTimeoutMilliseconds)
        try easy.set(CURLOPT_TIMEOUT_MS, configuration.timeoutMilliseconds)
        try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
        try easy.set(CURLOPT_LOW_SPEED_TIME, configuration.lowSpeedSeconds)
        try easy.set(CURLOPT_MAXFILESIZE_LARGE, offset: Int64(configuration.maxBodyBytes))
        try easy.set(CURLOPT_TCP_NODELAY, true)
        try easy.set(CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            Unmanaged<FetchTransfer>.fromOpaque(userdata!).takeUnretainedValue().didReceive(data, size * count)
        }
        try easy.set(CURLOPT_PREREQFUNCTION, prereqFunction: { userdata, _, _, _, _ in
            Unmanaged<FetchTransfer>.fromOpaque(userdata!).takeUnretainedValue().requestIsBeingSent()
        })
    }

    /// Capture mode: curl decodes nothing and hands over the request head it sends (debug
    /// callback) and every response header line; the body is decoded by ``ExchangeCapture``.
    private func configureCapture() throws(FetchError) {
        try easy.set(CURLOPT_ACCEPT_ENCODING, "gzip, deflate")
        try easy.set(CURLOPT_HTTP_CONTENT_DECODING, false)
        try easy.set(CURLOPT_HTTP_TRANSFER_DECODING, false)
        try easy.set(CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            let transfer = Unmanaged<FetchTransfer>.fromOpaque(userdata!).takeUnretainedValue()
            transfer.capture?.headerLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        // The debug callback is the one place curl shows the request head as sent; VERBOSE
        // only routes curl's messages to it (nothing is printed).
        try easy.set(CURLOPT_DEBUGFUNCTION) { _, type, data, size, userdata in
            if type == CURLINFO_HEADER_OUT, let userdata {
                let transfer = Unmanaged<FetchTransfer>.fromOpaque(userdata).takeUnretainedValue()
                transfer.capture?.requestHeadSent(UnsafeRawBufferPointer(start: data, count: size))
            }
            return 0
        }
        try easy.set(CURLOPT_VERBOSE, true)
    }

    /// Gives back curl's reference and frees the header list. Call once the easy handle is out
    /// of the multi handle (or never got in), and before the handle is reused (whose next
    /// ``configure(_:)`` replaces the freed list).
    func releaseResources() {
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        curlReference?.release()
        curlReference = nil
    }

    /// Called by curl (through the write callback) with each piece of decoded body.
    /// Returns `count` to continue, or 0 to abort the transfer with CURLE_WRITE_ERROR.
    func didReceive(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        if let capture {
            guard capture.body(UnsafeRawBufferPointer(start: data, count: count)) else {
                if capture.failure == .tooLarge { exceededBodyLimit = true }
                return 0
            }
            return count
        }
        guard count <= bodyLimit - body.count else {
            exceededBodyLimit = true
            return 0
        }
        if !sizedFromContentLength {
            sizedFromContentLength = true
            if let length = easy.info(offset: CURLINFO_CONTENT_LENGTH_DOWNLOAD_T), length > 0 {
                body.reserveCapacity(Int(min(length, Int64(bodyLimit))))
            }
        }
        let needed = body.count + count
        if needed > body.capacity {
            // Doubling, but never past the limit: a body near the cap holds the cap, not twice it
            // (a gzip bomb's Content-Length is its compressed size, so it grows this way).
            body.reserveCapacity(min(bodyLimit, max(needed, body.capacity * 2)))
        }
        body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return count
    }

    /// CURLOPT_PREREQFUNCTION, on the loop thread: the request goes out now.
    private func requestIsBeingSent() -> Int32 {
        sendingAt = MonotonicClock.now
        return Int32(CURL_PREREQFUNC_OK)
    }

    /// Reads everything the response needs from the finished handle. Call before the handle
    /// is reset; hands the body over (the transfer keeps none of it).
    func makeResponse(result: CURLcode) -> FetchResponse {
        let status = easy.info(int: CURLINFO_RESPONSE_CODE) ?? 0
        var response = FetchResponse(url: request.url, status: status)
        response.primaryIP = easy.info(string: CURLINFO_PRIMARY_IP)
        response.totalSeconds = Double(easy.info(offset: CURLINFO_TOTAL_TIME_T) ?? 0) / 1_000_000
        if let sendingAt {
            response.requestSentAt = sendingAt
        } else if let pretransfer = easy.info(offset: CURLINFO_PRETRANSFER_TIME_T), pretransfer > 0 {
            response.requestSentAt = addedAt + Double(pretransfer) / 1_000_000
        }
        if status > 0 {
            response.contentType = easy.info(string: CURLINFO_CONTENT_TYPE)
            if (300..<400).contains(status) {
                response.location = easy.info(string: CURLINFO_REDIRECT_URL)
            }
            response.etag = easy.responseHeader("ETag")
            response.lastModified = easy.responseHeader("Last-Modified")
            response.retryAfter = easy.responseHeader("Retry-After")
            response.robotsTags = easy.responseHeaderValues("X-Robots-Tag")
        }
        if exceededBodyLimit {
            response.error = .tooLarge(limit: bodyLimit)
        } else if let failure = capture?.failure {
            if case .framing = failure {
                response.error = .protocolError(code: Int(CURLE_RECV_ERROR.rawValue), message: failure.message)
            } else {
                response.error = .decode(code: Int(CURLE_BAD_CONTENT_ENCODING.rawValue), message: failure.message)
            }
        } else if result != CURLE_OK {
            response.error = FetchError(
                curlCode: result, message: easy.errorMessage(for: result), bodyLimit: bodyLimit)
        } else if let capture {
            let sentAt = MonotonicClock.wallNow - (MonotonicClock.now - (response.requestSentAt ?? MonotonicClock.now))
            (response.body, response.exchange) = capture.finish(sentAt: sentAt)
        } else {
            response.body = body
        }
        body = []
        capture = nil
        return response
    }

    private func buildHeaderList() throws(FetchError) {
        for line in request.headers {
            guard let appended = line.withCString({ curl_slist_append(headerList, $0) }) else {
                throw .other(
                    code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_slist_append failed")
            }
            headerList = appended
        }
    }
}
