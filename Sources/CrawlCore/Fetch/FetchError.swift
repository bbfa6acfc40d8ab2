import CCurl

/// Why a fetch produced no usable response.
///
/// One case per failure family. The curl-backed cases carry curl's numeric `CURLcode` and its
/// most specific message (the transfer's error buffer, or `curl_easy_strerror` when that is
/// empty) for logs; only `kind` is meant to be stored or compared across versions.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The host name could not be resolved.
    case dns(code: Int, message: String)
    /// The TCP connection could not be established (refused, unreachable, ...).
    case connect(code: Int, message: String)
    /// The connect timeout, the total timeout or the low-speed limit was hit.
    case timeout(code: Int, message: String)
    /// The connection broke while sending or receiving (reset, closed early, empty reply).
    case reset(code: Int, message: String)
    /// TLS handshake or certificate verification failed.
    case tls(code: Int, message: String)
    /// The server spoke malformed HTTP (or HTTP/2 framing failed).
    case protocolError(code: Int, message: String)
    /// The URL's scheme is not http or https.
    case blockedScheme(code: Int, message: String)
    /// The body's Content-Encoding could not be decoded.
    case decode(code: Int, message: String)
    /// Anything else curl reported (malformed URL, out of memory, ...).
    case other(code: Int, message: String)
    /// The body was larger than `FetcherConfiguration.maxBodyBytes`: either announced by
    /// Content-Length or counted while decoding.
    case tooLarge(limit: Int)
    /// The fetch was cancelled (task cancellation or `Fetcher.shutdown()`).
    case cancelled

    /// A short stable token for storage: "dns", "connect", "timeout", "too_large", "reset",
    /// "tls", "protocol", "blocked_scheme", "decode", "cancelled" or "other".
    public var kind: String {
        switch self {
        case .dns: "dns"
        case .connect: "connect"
        case .timeout: "timeout"
        case .reset: "reset"
        case .tls: "tls"
        case .protocolError: "protocol"
        case .blockedScheme: "blocked_scheme"
        case .decode: "decode"
        case .other: "other"
        case .tooLarge: "too_large"
        case .cancelled: "cancelled"
        }
    }

    /// curl's numeric result code, when the error came from curl.
    public var curlCode: Int? {
        switch self {
        case .dns(let code, _), .connect(let code, _), .timeout(let code, _), .reset(let code, _),
            .tls(let code, _), .protocolError(let code, _), .blockedScheme(let code, _),
            .decode(let code, _), .other(let code, _):
            code
        case .tooLarge, .cancelled:
            nil
        }
    }

    public var description: String {
        switch self {
        case .dns(let code, let message), .connect(let code, let message),
            .timeout(let code, let message), .reset(let code, let message),
            .tls(let code, let message), .protocolError(let code, let message),
            .blockedScheme(let code, let message), .decode(let code, let message),
            .other(let code, let message):
            "\(kind): \(message) (curl \(code))"
        case .tooLarge(let limit):
            "too_large: body exceeds \(limit) bytes"
        case .cancelled:
            "cancelled"
        }
    }
}

extension FetchError {
    /// Maps a failed transfer's result code to its family.
    ///
    /// - Parameters:
    ///   - code: the transfer's result; must not be `CURLE_OK`.
    ///   - message: curl's message for the failure.
    ///   - bodyLimit: the configured body limit, reported by `.tooLarge`.
    init(curlCode code: CURLcode, message: String, bodyLimit: Int) {
        let number = Int(code.rawValue)
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .dns(code: number, message: message)
        case CURLE_COULDNT_CONNECT:
            self = .connect(code: number, message: message)
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout(code: number, message: message)
        case CURLE_RECV_ERROR where message.hasSuffix("in chunked-encoding"):
            // curl reports malformed chunked framing ("Malformed encoding found in
            // chunked-encoding", "Illegal or missing hexadecimal sequence in ...") as a receive
            // error; the server spoke broken HTTP, it did not reset anything.
            self = .protocolError(code: number, message: message)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            self = .reset(code: number, message: message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED,
            CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            self = .tls(code: number, message: message)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3,
            CURLE_QUIC_CONNECT_ERROR, CURLE_TOO_MANY_REDIRECTS, CURLE_HTTP_RETURNED_ERROR,
            CURLE_RANGE_ERROR:
            self = .protocolError(code: number, message: message)
        case CURLE_UNSUPPORTED_PROTOCOL:
            self = .blockedScheme(code: number, message: message)
        case CURLE_BAD_CONTENT_ENCODING:
            self = .decode(code: number, message: message)
        case CURLE_FILESIZE_EXCEEDED:
            self = .tooLarge(limit: bodyLimit)
        default:
            self = .other(code: number, message: message)
        }
    }
}
