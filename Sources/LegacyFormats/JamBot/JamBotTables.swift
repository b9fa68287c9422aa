import SessionModel

/// JamBot's session tables as read from either source (the SQLite database or the JSON rows
/// dump), with the JSON columns parsed as the app's SQLAlchemy `JSON` type would parse them.
struct JamBotTables {
    /// The tables that make up a user session, in the order exports write them (the order
    /// of the sample rows dump). `users` is not among them: owner is kept as `user_id`.
    static let sessionTables = [
        "user_sessions", "chats", "chat_messages", "missions", "hops", "tool_steps", "assets", "mission_assets",
        "hop_assets", "tool_executions",
    ]
    /// Tables that must exist for a source to be JamBot's.
    static let requiredTables = ["user_sessions", "chats", "chat_messages"]

    /// The columns declared `JSON` in `backend/models.py` (schema_sqlite.sql), per table.
    static let jsonColumns: [String: Set<String>] = [
        "user_sessions": ["session_metadata"],
        "chats": ["context_data"],
        "chat_messages": ["message_metadata"],
        "missions": ["success_criteria", "mission_metadata"],
        "hops": ["success_criteria", "hop_metadata"],
        "tool_steps": [
            "parameter_mapping", "result_mapping", "resource_configs", "validation_errors", "execution_result",
        ],
        "assets": ["schema_definition", "content", "asset_metadata", "db_entity_metadata"],
        "tool_executions": [
            "input_parameters", "input_assets", "output_results", "output_assets", "execution_config", "error_details",
        ],
    ]

    /// Row member listing the JSON columns that were SQL NULL (all other nulls in JSON
    /// columns were the JSON text `null`, which SQLAlchemy writes for a Python `None`).
    static let sqlNullKey = "$sql_null"

    /// Where rows come from, for error locations.
    enum Source {
        case sqlite(file: String)
        case rowsJSON(file: String)

        var file: String {
            switch self {
            case .sqlite(let f), .rowsJSON(let f): return f
            }
        }

        /// `table chats row 2 column id` for SQLite (1-based, rowid order), a JSON Pointer
        /// (`/chats/1/id`) for the rows dump.
        func location(_ table: String, _ index: Int, _ column: String? = nil) -> String {
            switch self {
            case .sqlite:
                return "table \(table) row \(index + 1)" + (column.map { " column \($0)" } ?? "")
            case .rowsJSON:
                return "/\(JSONPointer.escape(table))/\(index)"
                    + (column.map { "/" + JSONPointer.escape($0) } ?? "")
            }
        }

        func error(_ table: String, _ index: Int, _ column: String?, _ reason: String) -> FormatError {
            FormatError(file: file, location: location(table, index, column), reason: reason)
        }
    }

    let source: Source
    /// Column names per session table present in the source, in the table's column order.
    var columns: [String: [String]] = [:]
    /// Decoded rows per session table present in the source, in rowid (dump) order.
    var rows: [String: [JSONObject]] = [:]
    /// Row counts of other tables (not part of a session), in source order.
    var otherTables: [(name: String, rows: Int)] = []

    /// Reads the session tables of a SQLite database at `path`, read-only.
    init(sqlitePath path: String, displayPath: String) throws {
        source = .sqlite(file: displayPath)
        let db = try ReadOnlySQLite(path: path, displayPath: displayPath)
        let names = try db.tableNames()
        for table in names {
            let result = try db.rows(of: table)
            if JamBotTables.sessionTables.contains(table) {
                columns[table] = result.columns
                rows[table] = try result.rows.enumerated().map {
                    try decode($0.element, table: table, index: $0.offset)
                }
            } else if !result.rows.isEmpty {
                otherTables.append((table, result.rows.count))
            }
        }
        for table in JamBotTables.requiredTables where columns[table] == nil {
            throw FormatError(file: displayPath, location: "table \(table)", reason: "JamBot table \(table) is missing")
        }
    }

    /// Reads the session tables of a rows dump `{"table": [row objects]}` (sqlite3 row dicts
    /// written with `json.dumps`, JSON columns still as text).
    init(rowsDump top: JSONObject, file: String) throws {
        source = .rowsJSON(file: file)
        for member in top.members {
            guard JamBotTables.sessionTables.contains(member.key) else {
                let count = member.value.arrayValue?.count ?? 0
                if count > 0 { otherTables.append((member.key, count)) }
                continue
            }
            let table = member.key
            guard case .array(let list) = member.value else {
                throw FormatError(
                    file: file, location: "/" + JSONPointer.escape(table),
                    reason: "expected a list of rows, found \(member.value.kindName)")
            }
            var names: [String] = []
            var seen = Set<[UInt8]>()
            var decoded: [JSONObject] = []
            for (i, value) in list.enumerated() {
                guard case .object(let row) = value else {
                    throw source.error(table, i, nil, "expected a row object, found \(value.kindName)")
                }
                // Rows of one table nearly always have the same columns in the same order.
                let sameColumns =
                    row.count == names.count
                    && zip(row.members, names).allSatisfy { keyEquals($0.key, $1) }
                if !sameColumns {
                    for m in row.members where seen.insert(Array(m.key.utf8)).inserted { names.append(m.key) }
                }
                decoded.append(try decode(row, table: table, index: i))
            }
            columns[table] = names
            rows[table] = decoded
        }
        for table in JamBotTables.requiredTables where columns[table] == nil {
            throw FormatError(file: file, location: "/" + table, reason: "JamBot table \(table) is missing")
        }
    }

    /// Parses the JSON columns of one row as SQLAlchemy's `JSON` type does (`json.loads`),
    /// keeping SQL NULL apart from the text `null`. The value is what the app reads; the
    /// text's layout (spacing, key order) is not kept: MySQL's JSON type does not keep it
    /// either, and `json.dumps` of the value gives the text back for app-written rows.
    func decode(_ row: JSONObject, table: String, index: Int) throws -> JSONObject {
        guard let json = JamBotTables.jsonColumns[table] else { return row }
        var out: [(key: String, value: JSONValue)] = []
        out.reserveCapacity(row.count + 1)
        var sqlNull: [JSONValue] = []
        for member in row.members {
            guard json.contains(member.key) else {
                out.append(member)
                continue
            }
            switch member.value {
            case .null:
                out.append((member.key, .null))
                sqlNull.append(.string(member.key))
            case .string(let text):
                let parsed: JSONValue
                do {
                    parsed = try JSONReader.read(text, options: .legacy).value
                } catch {
                    throw source.error(table, index, member.key, "JSON column does not hold JSON (\(error))")
                }
                out.append((member.key, parsed))
            default:
                throw source.error(
                    table, index, member.key,
                    "a JSON column must hold JSON text or NULL, found \(member.value.kindName)")
            }
        }
        // (A column of that name, which JamBot has not, would be replaced in place.)
        if !sqlNull.isEmpty { out.append((JamBotTables.sqlNullKey, .array(sqlNull))) }
        return JSONObject(out)
    }

    /// The inverse of ``decode(_:table:index:)``: the row as the database holds it (JSON
    /// columns as `json.dumps` text with its defaults, as SQLAlchemy writes them; SQL NULL
    /// for the columns listed in `$sql_null`), columns in `order` first.
    static func encode(_ row: JSONObject, table: String, order: [String]) -> JSONObject {
        let json = jsonColumns[table] ?? []
        let sqlNull = Set((row[sqlNullKey]?.arrayValue ?? []).compactMap { $0.stringValue.map { Array($0.utf8) } })
        var names = order.filter { row[$0] != nil }
        let known = Set(names.map { Array($0.utf8) })
        names += row.keys.filter { !known.contains(Array($0.utf8)) && $0 != sqlNullKey }
        var out: [(key: String, value: JSONValue)] = []
        for name in names {
            let value = row[name] ?? .null
            if json.contains(name) {
                if sqlNull.contains(Array(name.utf8)) {
                    out.append((name, .null))
                } else {
                    out.append((name, .string(PythonJSONWriter().string(value))))
                }
            } else {
                out.append((name, value))
            }
        }
        return JSONObject(out)
    }
}
