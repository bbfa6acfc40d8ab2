import CSQLite

/// A value bound to a statement parameter.
enum SQLiteValue: Sendable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

/// One prepared statement (`sqlite3_stmt*`), finalized deterministically by its connection or deinit.
///
/// Used only on the thread that owns its ``SQLiteConnection``.
final class SQLiteStatement {
    private var handle: OpaquePointer?
    private unowned let connection: SQLiteConnection
    let sql: String

    init(connection: SQLiteConnection, sql: String) throws(StoreError) {
        self.connection = connection
        self.sql = sql
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw connection.classify(rc, message: connection.lastErrorMessage, sql: sql)
        }
        handle = statement
    }

    deinit { finalize() }

    func finalize() {
        if let handle { sqlite3_finalize(handle) }
        handle = nil
    }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: binding (1-based indexes, as in SQL)

    func bind(_ values: [SQLiteValue]) throws(StoreError) {
        for (offset, value) in values.enumerated() {
            try bind(value, at: Int32(offset + 1))
        }
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws(StoreError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case let .int(v): rc = sqlite3_bind_int64(handle, index, v)
        case let .double(v): rc = sqlite3_bind_double(handle, index, v)
        case let .text(v):
            var copy = v
            rc = copy.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    crawl_sqlite_bind_text_transient(handle, index, chars.baseAddress, Int32(chars.count))
                }
            }
        }
        if rc != SQLITE_OK { throw connection.classify(rc, message: connection.lastErrorMessage, sql: sql) }
    }

    func bind(_ value: Int64, at index: Int32) throws(StoreError) { try bind(.int(value), at: index) }
    func bind(_ value: Int, at index: Int32) throws(StoreError) { try bind(.int(Int64(value)), at: index) }
    func bind(_ value: Double, at index: Int32) throws(StoreError) { try bind(.double(value), at: index) }
    func bind(_ value: String?, at index: Int32) throws(StoreError) { try bind(value.map { .text($0) } ?? .null, at: index) }
    func bind(_ value: Int?, at index: Int32) throws(StoreError) { try bind(value.map { .int(Int64($0)) } ?? .null, at: index) }

    // MARK: stepping

    /// Advances to the next row; false when done.
    @discardableResult
    func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.classify(rc, message: connection.lastErrorMessage, sql: sql)
        }
    }

    /// Runs a statement that returns no rows, then resets it (also when it fails).
    func run(_ values: [SQLiteValue] = []) throws(StoreError) {
        defer { sqlite3_reset(handle) }
        if !values.isEmpty { try bind(values) }
        try step()
    }

    // MARK: columns (0-based)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The storage class of a column of the current row.
    enum ColumnType { case null, integer, real, text }

    func columnType(_ column: Int32) -> ColumnType {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer
        case SQLITE_FLOAT: .real
        default: .text
        }
    }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func optionalInt(_ column: Int32) -> Int? { isNull(column) ? nil : int(column) }
    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}
