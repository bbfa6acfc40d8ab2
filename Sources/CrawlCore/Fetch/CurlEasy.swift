import CCurl

/// Owns one libcurl easy handle (`CURL *`) and the error buffer curl writes its messages into.
///
/// Not thread-safe: a handle belongs to the fetcher's event-loop thread for its whole life.
/// The handle is freed by `cleanup()` or, at the latest, in `deinit`; it must have been removed
/// from any multi handle before either.
final class CurlEasy {
    /// The raw handle; `nil` after `cleanup()`.
    private(set) var handle: UnsafeMutableRawPointer?
    /// CURL_ERROR_SIZE bytes registered as CURLOPT_ERRORBUFFER; lives as long as this object.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates a handle with default options plus the error buffer.
    init() throws(FetchError) {
        guard let handle = curl_easy_init() else {
            throw .other(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try attachErrorBuffer()
    }

    deinit {
        cleanup()
        errorBuffer.deallocate()
    }

    /// Frees the curl handle now. Idempotent.
    func cleanup() {
        if let handle {
            curl_easy_cleanup(handle)
            self.handle = nil
        }
    }

    /// Whether the options every transfer of this fetcher shares are set already
    /// (``FetchTransfer/configure(_:)`` sets them once per handle, then only the per-transfer ones).
    var hasSharedOptions = false

    /// Forgets the last transfer's error message, before the handle runs another transfer.
    func clearErrorMessage() {
        errorBuffer.pointee = 0
    }

    /// The message curl left for the last failure, or the generic text for `code`.
    func errorMessage(for code: CURLcode) -> String {
        if errorBuffer.pointee != 0 {
            var message = String(cString: errorBuffer)
            while message.last == "\n" { message.removeLast() }
            return message
        }
        return String(cString: curl_easy_strerror(code))
    }

    private var liveHandle: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("CurlEasy used after cleanup()") }
        return handle
    }

    private func attachErrorBuffer() throws(FetchError) {
        errorBuffer.pointee = 0
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
    }

    private func check(_ code: CURLcode, _ what: CURLoption) throws(FetchError) {
        guard code == CURLE_OK else {
            let message = "setting option \(what.rawValue): " + String(cString: curl_easy_strerror(code))
            throw FetchError(curlCode: code, message: message, bodyLimit: 0)
        }
    }
}

// MARK: - Typed option setters

extension CurlEasy {
    func set(_ option: CURLoption, _ value: Int) throws(FetchError) {
        try check(crawl_easy_setopt_long(liveHandle, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws(FetchError) {
        try set(option, value ? 1 : 0)
    }

    /// For `curl_off_t` options (the `_LARGE` ones).
    func set(_ option: CURLoption, offset value: Int64) throws(FetchError) {
        try check(crawl_easy_setopt_off(liveHandle, option, curl_off_t(value)), option)
    }

    /// curl copies string options, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws(FetchError) {
        let handle = liveHandle
        let code = value.withCString { crawl_easy_setopt_string(handle, option, $0) }
        try check(code, option)
    }

    /// The pointer is stored as is; the caller keeps it valid while the handle may use it.
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(FetchError) {
        try check(crawl_easy_setopt_pointer(liveHandle, option, value), option)
    }

    /// The list is not copied; the caller frees it after the transfer, once the option no
    /// longer names it (set again, to another list or nil).
    func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) throws(FetchError) {
        try check(crawl_easy_setopt_slist(liveHandle, option, value), option)
    }

    /// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION (same signature).
    func set(_ option: CURLoption, writeFunction value: curl_write_callback) throws(FetchError) {
        try check(crawl_easy_setopt_write_cb(liveHandle, option, value), option)
    }

    func set(_ option: CURLoption, debugFunction value: curl_debug_callback) throws(FetchError) {
        try check(crawl_easy_setopt_debug_cb(liveHandle, option, value), option)
    }

    /// CURLOPT_PREREQFUNCTION: called right before a request goes out on its connection.
    func set(_ option: CURLoption, prereqFunction value: curl_prereq_callback) throws(FetchError) {
        try check(crawl_easy_setopt_prereq_cb(liveHandle, option, value), option)
    }
}

// MARK: - Typed info getters

extension CurlEasy {
    func info(int info: CURLINFO) -> Int? {
        var value = 0
        return crawl_easy_getinfo_long(liveHandle, info, &value) == CURLE_OK ? value : nil
    }

    func info(offset info: CURLINFO) -> Int64? {
        var value: curl_off_t = 0
        return crawl_easy_getinfo_off(liveHandle, info, &value) == CURLE_OK ? Int64(value) : nil
    }

    /// A string info; `nil` when curl has none (or an empty one).
    func info(string info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard crawl_easy_getinfo_string(liveHandle, info, &value) == CURLE_OK,
            let value, value.pointee != 0
        else { return nil }
        return String(cString: value)
    }

    func info(pointer info: CURLINFO) -> UnsafeMutableRawPointer? {
        var value: UnsafeMutableRawPointer?
        return crawl_easy_getinfo_pointer(liveHandle, info, &value) == CURLE_OK ? value : nil
    }

    /// The first value of response header `name` (case-insensitive) of the last request made,
    /// as sent (curl trims surrounding blanks); `nil` when absent.
    func responseHeader(_ name: String) -> String? {
        var header: UnsafeMutablePointer<curl_header>?
        let handle = liveHandle
        let found = name.withCString { curl_easy_header(handle, $0, 0, UInt32(CURLH_HEADER), -1, &header) }
        guard found == CURLHE_OK, let header, let value = header.pointee.value else { return nil }
        return String(cString: value)
    }

    /// Every value of response header `name` (case-insensitive) of the last request, in order.
    func responseHeaderValues(_ name: String) -> [String] {
        var header: UnsafeMutablePointer<curl_header>?
        let handle = liveHandle
        guard name.withCString({ curl_easy_header(handle, $0, 0, UInt32(CURLH_HEADER), -1, &header) }) == CURLHE_OK,
              let first = header else { return [] }
        let amount = first.pointee.amount
        var values: [String] = []
        for index in 0..<amount {
            var nth: UnsafeMutablePointer<curl_header>?
            if name.withCString({ curl_easy_header(handle, $0, index, UInt32(CURLH_HEADER), -1, &nth) }) == CURLHE_OK,
               let nth, let value = nth.pointee.value {
                values.append(String(cString: value))
            }
        }
        return values
    }
}
