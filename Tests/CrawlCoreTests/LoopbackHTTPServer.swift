import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP/1.1 keep-alive server on 127.0.0.1 with an ephemeral port, for fetcher tests.
/// One thread accepts, one thread per connection serves. Counts accepted connections and
/// requests so tests can check connection reuse.
///
/// Routes: /ok, /busy (503 + Retry-After), /missing (404), /redirect (301 to /ok), /gzip,
/// /bomb (gzip, 289 bytes on the wire, 256 KiB decoded), /large-declared (1 MiB with
/// Content-Length), /large-undeclared (1 MiB, no length, then close), /echo (the request head
/// as body), /hang (reads the request and never answers), /chunked-gzip (`gzipHello` in three
/// chunks), /deflate-zlib and /deflate-raw (`deflatePlainText` as `Content-Encoding: deflate`,
/// with and without the zlib wrapper), /brotli (claims `Content-Encoding: br`).
final class LoopbackHTTPServer: Sendable {
    static let okBody = "hello world"
    static let gzipPlainText = String(repeating: "hello gzip world\n", count: 100)
    static let bombDecodedSize = 256 * 1024
    static let largeBodySize = 1 << 20

    let port: UInt16
    let acceptedConnections = Atomic<Int>(0)
    let requestsServed = Atomic<Int>(0)
    private let listener: Int32
    private let clients = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Client connections not yet closed by either side.
    var openConnections: Int { clients.withLock { $0.count } }

    init() throws {
        let (socket, port) = try Self.bindLoopback(listen: true)
        listener = socket
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "test.http.accept"
        thread.start()
    }

    deinit { stop() }

    /// Closes the listener and every client connection. Idempotent.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        clients.withLock { fds in
            for fd in fds { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    /// A loopback port with nothing listening on it: bound briefly, then closed.
    static func closedPort() throws -> UInt16 {
        let (socket, port) = try bindLoopback(listen: false)
        close(socket)
        return port
    }

    private static func bindLoopback(listen shouldListen: Bool) throws -> (Int32, UInt16) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound, !shouldListen || listen(fd, 512) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .acquiring) {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            acceptedConnections.add(1, ordering: .relaxed)
            let registered = clients.withLock { fds in
                fds.insert(fd)
                return !stopped.load(ordering: .acquiring)
            }
            guard registered else {
                close(fd)
                return
            }
            let thread = Thread { [self] in serve(fd) }
            thread.name = "test.http.client"
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            clients.withLock { _ = $0.remove(fd) }
            close(fd)
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let end = pending.firstRange(of: terminator) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<end.upperBound)
                requestsServed.add(1, ordering: .relaxed)
                let path = head.split(separator: " ", maxSplits: 2).dropFirst().first.map(String.init) ?? "/"
                guard let (response, keepAlive) = respond(to: path, head: head) else { continue }
                guard sendAll(fd, response), keepAlive else { return }
                continue
            }
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else { return }
            pending.append(contentsOf: chunk[..<received])
        }
    }

    /// The bytes to send and whether the connection stays open; `nil` to never answer.
    private func respond(to path: String, head: String) -> ([UInt8], Bool)? {
        switch path {
        case "/ok":
            return (Self.message(
                status: "200 OK",
                headers: [
                    "Content-Type: text/html; charset=utf-8", "ETag: \"abc123\"",
                    "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT",
                ],
                body: Array(Self.okBody.utf8)), true)
        case "/busy":
            return (Self.message(status: "503 Service Unavailable", headers: ["Retry-After: 120"],
                body: Array("busy".utf8)), true)
        case "/redirect":
            return (Self.message(status: "301 Moved Permanently", headers: ["Location: /ok"], body: []), true)
        case "/gzip":
            return (Self.message(status: "200 OK",
                headers: ["Content-Type: text/plain", "Content-Encoding: gzip"], body: Self.gzipHello), true)
        case "/bomb":
            return (Self.message(status: "200 OK", headers: ["Content-Encoding: gzip"], body: Self.gzipBomb), true)
        case "/large-declared":
            return (Self.message(status: "200 OK", headers: [],
                body: [UInt8](repeating: 0x61, count: Self.largeBodySize)), true)
        case "/large-undeclared":
            var bytes = Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8)
            bytes += [UInt8](repeating: 0x61, count: Self.largeBodySize)
            return (bytes, false)
        case "/bad-chunked":
            let bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\nzz\r\n"
            return (Array(bytes.utf8), false)
        case "/short":
            return (Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly this".utf8), false)
        case "/echo":
            return (Self.message(status: "200 OK", headers: [], body: Array(head.utf8)), true)
        case "/hang":
            return nil
        case "/chunked-gzip":
            var bytes = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
            bytes += Self.chunkedGzipHello
            return (bytes, true)
        case "/deflate-zlib":
            return (Self.message(status: "200 OK", headers: ["Content-Encoding: deflate"], body: Self.deflateZlib), true)
        case "/deflate-raw":
            return (Self.message(status: "200 OK", headers: ["Content-Encoding: deflate"], body: Self.deflateRaw), true)
        case "/brotli":
            return (Self.message(status: "200 OK", headers: ["Content-Encoding: br"], body: [1, 2, 3, 4]), true)
        default:
            return (Self.message(status: "404 Not Found", headers: [], body: Array("not found".utf8)), true)
        }
    }

    private static func message(status: String, headers: [String], body: [UInt8]) -> [UInt8] {
        var head = "HTTP/1.1 \(status)\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += header + "\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        return bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = send(fd, buffer.baseAddress! + offset, buffer.count - offset, flags)
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// gzip of `gzipPlainText` (python: gzip.compress(text, 9, mtime=0)).
    static let gzipHello: [UInt8] = [
        31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 87, 72, 175, 202, 44, 80, 40, 207,
        47, 202, 73, 225, 202, 24, 21, 24, 21, 24, 21, 24, 21, 24, 21, 24, 21, 24, 28, 2, 0, 198,
        235, 175, 208, 164, 6, 0, 0,
    ]

    /// `gzipHello` as a chunked body: chunks of 20, 20 and the rest (with an extension on the
    /// second), the last chunk, and one trailer field.
    static let chunkedGzipHello: [UInt8] = {
        let parts = [Array(gzipHello[0..<20]), Array(gzipHello[20..<40]), Array(gzipHello[40...])]
        var bytes: [UInt8] = []
        for (index, part) in parts.enumerated() {
            bytes += Array((String(part.count, radix: 16) + (index == 1 ? ";name=value" : "") + "\r\n").utf8) + part + [13, 10]
        }
        return bytes + Array("0\r\nX-Trailer: yes\r\n\r\n".utf8)
    }()

    static let deflatePlainText = String(repeating: "hello deflate world\n", count: 50)

    /// python: zlib.compress(deflatePlainText, 9)
    static let deflateZlib: [UInt8] = [
        120, 218, 203, 72, 205, 201, 201, 87, 72, 73, 77, 203, 73, 44, 73, 85, 40, 207, 47, 202, 73, 225, 202, 24, 21,
        27, 21, 27, 21, 27, 86, 98, 0, 188, 23, 111, 214,
    ]

    /// The same without the zlib wrapper (raw deflate, what some servers send as `deflate`).
    static let deflateRaw: [UInt8] = Array(deflateZlib[2..<(deflateZlib.count - 4)])

    /// gzip of 256 KiB of zero bytes (python: gzip.compress(b"\0" * 262144, 9, mtime=0)).
    static let gzipBomb: [UInt8] =
        [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 237, 193, 49, 1, 0, 0, 0, 194, 160, 245, 79, 237, 109, 7, 160]
        + [UInt8](repeating: 0, count: 254)
        + [222, 0, 34, 234, 14, 226, 0, 0, 4, 0]
}
