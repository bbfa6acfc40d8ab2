/// One GET to perform. A plain value; build it on any thread.
public struct FetchRequest: Sendable {
    /// Absolute http or https URL, already normalized and percent-encoded.
    public var url: String
    /// Extra request header lines, each "Name: value" (for example "If-None-Match: \"abc\"").
    public var headers: [String] = []

    public init(url: String) {
        self.url = url
    }
}
