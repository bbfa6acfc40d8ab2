import CCurl

/// Owns one libcurl multi handle (`CURLM *`): the transfer scheduler and the cache of live
/// connections that pooled easy handles share.
///
/// Not thread-safe: everything except `Waker.wake()` belongs to the fetcher's event-loop
/// thread. The handle is freed by `cleanup()` or in `deinit`, after every easy handle has been
/// removed from it.
final class CurlMulti {
    /// Wakes a `poll` in progress from any thread (curl_multi_wakeup is documented thread-safe).
    ///
    /// A plain copy of the multi pointer: the owner must stop all `wake()` calls before the
    /// multi handle is cleaned up. `Fetcher.Inbox` guarantees that by dropping its waker, under
    /// its lock, before the loop thread calls `cleanup()`.
    struct Waker: @unchecked Sendable {
        fileprivate let handle: UnsafeMutableRawPointer

        func wake() {
            _ = curl_multi_wakeup(handle)
        }
    }

    /// A transfer curl has finished (successfully or not).
    struct Completion {
        let easyHandle: UnsafeMutableRawPointer
        let result: CURLcode
    }

    /// `curl_global_init` must run once per process before the first handle; a static let is
    /// initialized exactly once, thread-safely, on first use.
    private static let globalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    /// The raw handle; `nil` after `cleanup()`.
    private(set) var handle: UnsafeMutableRawPointer?

    init() throws(FetchError) {
        let globalInit = Self.globalInitResult
        guard globalInit == CURLE_OK else {
            throw FetchError(curlCode: globalInit, message: "curl_global_init failed", bodyLimit: 0)
        }
        guard let handle = curl_multi_init() else {
            throw .other(code: Int(CURLE_FAILED_INIT.rawValue), message: "curl_multi_init failed")
        }
        self.handle = handle
    }

    deinit {
        cleanup()
    }

    /// Frees the multi handle and closes every cached connection. Idempotent.
    func cleanup() {
        if let handle {
            curl_multi_cleanup(handle)
            self.handle = nil
        }
    }

    var waker: Waker { Waker(handle: liveHandle) }

    func set(_ option: CURLMoption, _ value: Int) throws(FetchError) {
        let code = crawl_multi_setopt_long(liveHandle, option, value)
        guard code == CURLM_OK else {
            throw .other(code: Int(code.rawValue), message: Self.message(code, "curl_multi_setopt"))
        }
    }

    /// Starts driving `easy`. On failure the handle was not added.
    func add(_ easy: CurlEasy) throws(FetchError) {
        let code = curl_multi_add_handle(liveHandle, easy.handle)
        guard code == CURLM_OK else {
            throw .other(code: Int(code.rawValue), message: Self.message(code, "curl_multi_add_handle"))
        }
    }

    /// Stops driving `easy` (finished or not); its connection goes back to the cache when reusable.
    func remove(_ easy: CurlEasy) {
        _ = curl_multi_remove_handle(liveHandle, easy.handle)
    }

    /// Does all the I/O that is ready without blocking. Returns the number of running transfers.
    @discardableResult
    func perform() -> Int {
        var running: Int32 = 0
        _ = curl_multi_perform(liveHandle, &running)
        return Int(running)
    }

    /// Blocks until there is I/O to do, a curl timer expires, `Waker.wake()` is called, or
    /// `timeoutMilliseconds` pass.
    func poll(timeoutMilliseconds: Int) {
        _ = curl_multi_poll(liveHandle, nil, 0, Int32(timeoutMilliseconds), nil)
    }

    /// The next finished transfer, if any.
    func nextCompletion() -> Completion? {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(liveHandle, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else {
                continue
            }
            return Completion(easyHandle: easy, result: message.pointee.data.result)
        }
        return nil
    }

    private var liveHandle: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("CurlMulti used after cleanup()") }
        return handle
    }

    private static func message(_ code: CURLMcode, _ call: String) -> String {
        "\(call): " + String(cString: curl_multi_strerror(code))
    }
}
