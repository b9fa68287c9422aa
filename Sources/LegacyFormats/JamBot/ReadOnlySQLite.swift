import CSQLite
import SessionModel

/// A read-only view of a SQLite database file, just enough to read JamBot's tables.
///
/// The database is opened through a `file:…?immutable=1` URI with `SQLITE_OPEN_READONLY`:
/// SQLite then never writes, never takes a lock and never creates a `-journal`, `-wal` or
/// `-shm` file beside the source (SPEC 6: sources are opened read-only). This object is the
/// one owner of the C handle: every statement is finalized before the call that prepared it
/// returns, and the connection is closed in `deinit`. Nothing of the C API leaks out: rows
/// come back as ``JSONValue``s, failures as ``FormatError``s naming the table and row.
final class ReadOnlySQLite {
    private let handle: OpaquePointer
    /// The display path, for error messages.
    let file: String

    /// Opens `path` read-only. Throws a ``FormatError`` if SQLite cannot open it.
    init(path: String, displayPath: String) throws {
        file = displayPath
        var db: OpaquePointer?
        let uri = "file:" + ReadOnlySQLite.uriPath(path) + "?immutable=1"
        let rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw FormatError(file: displayPath, location: "", reason: "SQLite cannot open the database: \(message)")
        }
        handle = db
    }

    deinit { sqlite3_close_v2(handle) }

    /// The names of the tables in the schema, in `sqlite_master` order.
    func tableNames() throws -> [String] {
        let result = try query(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid", table: "sqlite_master")
        return result.rows.compactMap { $0.first?.stringValue }
    }

    /// Every row of `table` in rowid order (the order the app inserted them), each as an
    /// object whose members follow the table's column order. `table` must be a known name
    /// (it is quoted, never taken from input data).
    func rows(of table: String) throws -> (columns: [String], rows: [JSONObject]) {
        let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let result = try query("SELECT * FROM \(quoted) ORDER BY rowid", table: table)
        let objects = result.rows.map { values in
            JSONObject(Array(zip(result.columns, values)).map { (key: $0.0, value: $0.1) })
        }
        return (result.columns, objects)
    }

    /// Runs one statement and copies every value into Swift before finalizing it.
    private func query(_ sql: String, table: String) throws -> (columns: [String], rows: [[JSONValue]]) {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error(table: table, row: nil)
        }
        defer { sqlite3_finalize(statement) }
        let count = Int(sqlite3_column_count(statement))
        let columns = (0..<count).map { i in sqlite3_column_name(statement, Int32(i)).map { String(cString: $0) } ?? ""
        }
        var rows: [[JSONValue]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(table: table, row: rows.count + 1) }
            var values: [JSONValue] = []
            values.reserveCapacity(count)
            for i in 0..<count {
                values.append(try value(statement, Int32(i), table: table, row: rows.count + 1, column: columns[i]))
            }
            rows.append(values)
        }
        return (columns, rows)
    }

    private func value(_ statement: OpaquePointer, _ i: Int32, table: String, row: Int, column: String) throws
        -> JSONValue
    {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .int(Int(sqlite3_column_int64(statement, i)))
        case SQLITE_FLOAT: return .float(sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            let length = Int(sqlite3_column_bytes(statement, i))
            guard let base = sqlite3_column_text(statement, i) else { return .string("") }
            let bytes = UnsafeBufferPointer(start: base, count: length)
            // Invalid UTF-8 would be silently replaced by U+FFFD: refuse it instead.
            guard let text = validatedString(bytes) else {
                throw FormatError(
                    file: file, location: "table \(table) row \(row) column \(column)",
                    reason: "text is not valid UTF-8")
            }
            return .string(text)
        default:
            // JamBot's schema has no BLOB column; bytes cannot be expressed as JSON text.
            throw FormatError(
                file: file, location: "table \(table) row \(row) column \(column)", reason: "unexpected BLOB value")
        }
    }

    /// The SQLite error of the last call, as a ``FormatError`` at `table` (and `row`).
    private func error(table: String, row: Int?) -> FormatError {
        let message = String(cString: sqlite3_errmsg(handle))
        let location = row.map { "table \(table) row \($0)" } ?? "table \(table)"
        return FormatError(file: file, location: location, reason: "SQLite: \(message)")
    }

    /// Percent-encodes a file path for a `file:` URI: `?`, `#`, `%` and anything outside
    /// the unreserved set would otherwise be read as URI syntax.
    static func uriPath(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        // `file://x` would make `x` an authority: collapse leading slashes to one.
        while out.hasPrefix("//") { out.removeFirst() }
        return out
    }
}
