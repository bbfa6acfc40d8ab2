import Foundation

/// What Tests/Fixtures/polite_server.py answers: routes per address (and for every address), by
/// request-target. Written as JSON to the server's `--scenario` file (see the script's docstring
/// for the meaning of every key; unknown paths get a 404).
struct PoliteScenario: Encodable, Sendable {
    /// Address ("127.0.0.103") → path → route.
    var hosts: [String: [String: PoliteRoute]] = [:]
    /// Routes of every address (looked up after the address's own).
    var all: [String: PoliteRoute] = [:]

    /// The route of `path` on `host`.
    subscript(host: String, path: String) -> PoliteRoute? {
        get { hosts[host]?[path] }
        set { hosts[host, default: [:]][path] = newValue }
    }
}

/// One route of a ``PoliteScenario``: every field optional, nil fields are left out of the JSON.
struct PoliteRoute: Encodable, Sendable {
    var status: Int?
    var location: String?
    var contentType: String?
    var charset: String?
    var headers: [String: String]?
    var body: String?
    /// Raw body bytes as hex: for bodies that are not UTF-8 (wins over `body`).
    var bodyHex: String?
    var padBefore: Int?
    var padTo: Int?
    var gzip: Bool?
    /// Seconds before the answer.
    var delay: Double?
    /// "reset" (TCP reset, no response) or "close" (no response).
    var action: String?
    /// The first `failFirst` requests get `fail` instead (status 503 when `fail` is nil).
    var failFirst: Int?
    var fail: PoliteFailure?

    enum CodingKeys: String, CodingKey {
        case status, location, charset, headers, body, gzip, delay, action, fail
        case contentType = "content_type", bodyHex = "body_hex", padBefore = "pad_before", padTo = "pad_to"
        case failFirst = "fail_first"
    }

    init(status: Int? = nil, location: String? = nil, contentType: String? = nil, charset: String? = nil,
         headers: [String: String]? = nil, body: String? = nil, bodyHex: String? = nil, delay: Double? = nil,
         action: String? = nil, failFirst: Int? = nil, fail: PoliteFailure? = nil) {
        self.status = status
        self.location = location
        self.contentType = contentType
        self.charset = charset
        self.headers = headers
        self.body = body
        self.bodyHex = bodyHex
        self.delay = delay
        self.action = action
        self.failFirst = failFirst
        self.fail = fail
    }

    /// A 200 HTML page holding `<a href>` links to `links` (written as given), plus `extra` HTML.
    static func page(_ links: [String] = [], head: String = "", extra: String = "", headers: [String: String]? = nil) -> PoliteRoute {
        let anchors = links.map { "<a href=\"\($0)\">link</a>" }.joined(separator: "\n")
        return PoliteRoute(
            headers: headers,
            body: "<!doctype html><html><head><title>t</title>\(head)</head><body>\n\(anchors)\n\(extra)</body></html>\n")
    }

    /// A redirect (301 unless `status` says otherwise) to `location`, written as given.
    static func redirect(_ location: String, status: Int = 301) -> PoliteRoute {
        PoliteRoute(status: status, location: location)
    }

    /// A robots.txt (text/plain).
    static func robots(_ text: String, status: Int = 200) -> PoliteRoute {
        PoliteRoute(status: status, contentType: "text/plain", body: text)
    }

    /// An answer with `status` and a short body.
    static func status(_ status: Int, headers: [String: String]? = nil) -> PoliteRoute {
        PoliteRoute(status: status, headers: headers, body: "status \(status)")
    }
}

/// What replaces a route's answer for its first `failFirst` requests.
struct PoliteFailure: Encodable, Sendable {
    var status: Int?
    var headers: [String: String]?
    var action: String?
    var delay: Double?
}
