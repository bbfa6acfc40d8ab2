import Foundation

/// `crawl export --format jsonl|csv`: the URL table, one line per row, streamed from one SQLite
/// statement into a fixed-size buffer, so memory stays constant whatever the number of rows.
///
/// Call ``run(path:sink:)`` from any thread; it blocks (reads the database) until done.
public struct URLTableExport: Sendable {
    /// The columns that can be exported, in their default order.
    public enum Field: String, CaseIterable, Sendable {
        case url, state, status, contentType = "content_type", bytes, contentHash = "content_hash", depth, parent
        case fetchedAt = "fetched_at", bodyPath = "body_path", errorKind = "error_kind", error
        case id, kind, redirectTo = "redirect_to", attempts, etag, lastModified = "last_modified"
        case discoveredAt = "discovered_at"

        /// The columns exported when `--fields` is not given.
        public static let defaults: [Field] = [
            .url, .state, .status, .contentType, .bytes, .contentHash, .depth, .parent, .fetchedAt, .bodyPath, .errorKind, .error,
        ]

        /// Its SQL expression (`u` is the row, `p` its parent).
        var sql: String {
            switch self {
            case .parent: "p.url"
            default: "u." + rawValue
            }
        }
    }

    public enum Format: String, CaseIterable, Sendable {
        case jsonl, csv
    }

    public var format: Format
    public var fields: [Field] = Field.defaults
    /// Only rows in these states; all rows when empty.
    public var states: [URLState] = []

    public init(format: Format) {
        self.format = format
    }

    /// Writes the export of the database at `path` to `sink`, about 64 KiB at a time; returns
    /// the number of rows. A CSV export starts with a header line.
    @discardableResult
    public func run(path: String, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        let connection = try SQLiteJobStore.openForReading(path: path)
        defer { connection.close() }
        let statement = try connection.prepare(query)
        defer { statement.finalize() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(80 * 1024)
        func flush() throws {
            try buffer.withUnsafeBytes { try sink($0) }
            buffer.removeAll(keepingCapacity: true)
        }
        if format == .csv {
            buffer.append(contentsOf: fields.map(\.rawValue).joined(separator: ",").utf8)
            buffer.append(contentsOf: [13, 10])
        }
        var rows = 0
        while try statement.step() {
            append(row: statement, to: &buffer)
            rows += 1
            if buffer.count >= 64 * 1024 { try flush() }
        }
        if !buffer.isEmpty { try flush() }
        return rows
    }

    var query: String {
        var sql = "SELECT " + fields.map(\.sql).joined(separator: ", ") + " FROM urls u"
        if fields.contains(.parent) { sql += " LEFT JOIN urls p ON p.id = u.parent_id" }
        if !states.isEmpty { sql += " WHERE u.state IN (" + states.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")" }
        return sql + " ORDER BY u.id"
    }

    private func append(row statement: SQLiteStatement, to buffer: inout [UInt8]) {
        switch format {
        case .jsonl:
            buffer.append(UInt8(ascii: "{"))
            for (index, field) in fields.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(field.rawValue, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                let column = Int32(index)
                switch statement.columnType(column) {
                case .null: buffer.append(contentsOf: "null".utf8)
                case .integer: buffer.append(contentsOf: String(statement.int64(column)).utf8)
                case .real: buffer.append(contentsOf: Self.number(statement.double(column)).utf8)
                case .text: JSONText.appendQuoted(statement.text(column), to: &buffer)
                }
            }
            buffer.append(contentsOf: [UInt8(ascii: "}"), 10])
        case .csv:
            for index in fields.indices {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                let column = Int32(index)
                switch statement.columnType(column) {
                case .null: break
                case .integer: buffer.append(contentsOf: String(statement.int64(column)).utf8)
                case .real: buffer.append(contentsOf: Self.number(statement.double(column)).utf8)
                case .text: Self.appendCSV(statement.text(column), to: &buffer)
                }
            }
            buffer.append(contentsOf: [13, 10])
        }
    }

    /// A stored time or size as JSON and CSV write it: integral values without a fraction.
    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled.
    static func appendCSV(_ text: String, to buffer: inout [UInt8]) {
        let utf8 = text.utf8
        guard utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            buffer.append(contentsOf: utf8)
            return
        }
        buffer.append(34)
        for byte in utf8 {
            if byte == 34 { buffer.append(34) }
            buffer.append(byte)
        }
        buffer.append(34)
    }
}
