import SessionModel

/// JamBot's SQL rows (FORMATS.md 5): the SQLite database `Base.metadata.create_all` makes
/// (`jambot-sqlite`) or a JSON dump of its rows (`jambot-rows-json`, sqlite3 row dicts with
/// the JSON columns still as text). Both hold many sessions.
///
/// Each `user_sessions` row becomes one session (its uuid is kept). The chat's messages
/// become `message.<role>` entries in `sequence_order`; the session row, its chat, mission,
/// hops, tool steps, assets (mission and hop scope) and the mapping/execution rows that point
/// at them stay in `state` as whole rows, JSON columns parsed (docs/mapping/jambot.md).
public struct JamBotImporter: SessionImporter {
    public let system = "jambot"
    public static let sqliteFormat = "jambot-sqlite"
    public static let rowsFormat = "jambot-rows-json"

    public init() {}

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        switch input.kind {
        case .sqlite:
            let names: [String]
            do {
                names = try ReadOnlySQLite(path: input.file.path, displayPath: input.file.displayPath).tableNames()
            } catch {
                // A damaged database cannot show its tables; JamBot is the only SQLite format
                // SessionSync reads, so claim it and let the import report SQLite's error.
                return DetectedFormat(
                    system: system, format: Self.sqliteFormat, version: nil, role: .container,
                    note: "the schema cannot be read: \((error as? FormatError)?.reason ?? "\(error)")")
            }
            guard JamBotTables.requiredTables.allSatisfy(names.contains) else { return nil }
            return DetectedFormat(system: system, format: Self.sqliteFormat, version: nil, role: .container)
        case .json:
            guard case .object(let top)? = input.json,
                JamBotTables.requiredTables.allSatisfy({ top[$0] != nil })
            else { return nil }
            return DetectedFormat(system: system, format: Self.rowsFormat, version: nil, role: .container)
        default:
            return nil
        }
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        let tables: JamBotTables
        if format.format == Self.sqliteFormat {
            tables = try JamBotTables(sqlitePath: input.file.path, displayPath: input.file.displayPath)
        } else {
            guard case .object(let top)? = input.json else {
                throw FormatError(file: input.file.displayPath, location: "", reason: "expected an object of tables")
            }
            tables = try JamBotTables(rowsDump: top, file: input.file.displayPath)
        }
        var assembler = JamBotAssembler(tables: tables, format: format.qualifiedName, options: context.options)
        return try assembler.sessions()
    }
}

/// Joins the tables into sessions and tracks which rows no session claimed.
private struct JamBotAssembler {
    let tables: JamBotTables
    let format: String
    let options: ImportOptions
    /// Per table, the row indices some session took.
    var claimed: [String: Set<Int>] = [:]
    /// `options` reading naive times as UTC (see ``session(_:index:source:messagesByChat:chatIndex:missionIndex:)``).
    let utcOptions: ImportOptions

    init(tables: JamBotTables, format: String, options: ImportOptions) {
        self.tables = tables
        self.format = format
        self.options = options
        utcOptions = (try? ImportOptions(assumeTimeZoneName: "UTC")) ?? options
    }

    func rows(_ table: String) -> [JSONObject] { tables.rows[table] ?? [] }

    /// Row indices by the string value of a column, for the joins a session needs; built
    /// once, so a database with many sessions is read in linear time.
    var index: [String: [String: [Int]]] = [:]
    static let joins = [
        ("hops", "mission_id"), ("tool_steps", "hop_id"), ("mission_assets", "mission_id"), ("hop_assets", "hop_id"),
        ("assets", "id"), ("assets", "scope_id"), ("tool_executions", "mission_id"), ("tool_executions", "hop_id"),
        ("tool_executions", "tool_step_id"),
    ]

    mutating func buildIndexes() {
        for (table, column) in Self.joins {
            var map: [String: [Int]] = [:]
            for (i, row) in rows(table).enumerated() {
                if case .string(let v)? = row[column] { map[v, default: []].append(i) }
            }
            index[table + "." + column] = map
        }
    }

    /// Row indices of `table` whose `column` holds one of `ids`, in table order.
    func indices(_ table: String, where column: String, in ids: Set<String>) -> [Int] {
        guard !ids.isEmpty, let map = index[table + "." + column] else { return [] }
        return Set(ids.flatMap { map[$0] ?? [] }).sorted()
    }

    mutating func take(_ table: String, _ indices: [Int]) -> [JSONValue] {
        claimed[table, default: []].formUnion(indices)
        return indices.map { .object(rows(table)[$0]) }
    }

    static func ids(_ rows: [JSONValue]) -> Set<String> { Set(rows.compactMap { $0["id"]?.stringValue }) }

    mutating func sessions() throws -> [ImportedSession] {
        let source = tables.source
        buildIndexes()
        // Index messages by chat once: a database can hold many sessions.
        var messagesByChat: [String: [Int]] = [:]
        for (i, row) in rows("chat_messages").enumerated() {
            if case .string(let chat)? = row["chat_id"] { messagesByChat[chat, default: []].append(i) }
        }
        var chatIndex: [String: Int] = [:]
        for (i, row) in rows("chats").enumerated() {
            if case .string(let id)? = row["id"], chatIndex[id] == nil { chatIndex[id] = i }
        }
        var missionIndex: [String: Int] = [:]
        for (i, row) in rows("missions").enumerated() {
            if case .string(let id)? = row["id"], missionIndex[id] == nil { missionIndex[id] = i }
        }

        var out: [ImportedSession] = []
        for (index, row) in rows("user_sessions").enumerated() {
            claimed["user_sessions", default: []].insert(index)
            out.append(
                try session(
                    row, index: index, source: source, messagesByChat: messagesByChat, chatIndex: chatIndex,
                    missionIndex: missionIndex))
        }

        // Rows that belong to no session, and other tables, are named once in the report.
        var notes: [ImportWarning] = []
        for table in JamBotTables.sessionTables {
            let unclaimed = rows(table).count - (claimed[table]?.count ?? 0)
            if unclaimed > 0 {
                notes.append(
                    ImportWarning(
                        "unattached-rows", table,
                        "\(unclaimed) row\(unclaimed == 1 ? "" : "s") of \(table) belong to no user session; not migrated"
                    ))
            }
        }
        for other in tables.otherTables {
            notes.append(
                ImportWarning(
                    "table-not-migrated", other.name,
                    "\(other.rows) row\(other.rows == 1 ? "" : "s") of \(other.name): not part of a user session; not migrated"
                ))
        }
        if !notes.isEmpty, !out.isEmpty { out[0].warnings += notes }
        return out
    }

    mutating func session(
        _ row: JSONObject, index: Int, source: JamBotTables.Source, messagesByChat: [String: [Int]],
        chatIndex: [String: Int], missionIndex: [String: Int]
    ) throws -> ImportedSession {
        let table = "user_sessions"
        guard case .string(let legacyID)? = row["id"] else {
            throw source.error(
                table, index, "id", "expected the session's id (VARCHAR(36)), found \(row["id"]?.kindName ?? "nothing")"
            )
        }
        let owner: String
        switch row["user_id"] {
        case .int(let i)?: owner = String(i)
        case .string(let s)?: owner = s
        case let other:
            throw source.error(
                table, index, "user_id", "expected an integer user id, found \(other?.kindName ?? "nothing")")
        }
        guard case .string(let status)? = row["status"] else {
            throw source.error(
                table, index, "status", "expected a status name, found \(row["status"]?.kindName ?? "nothing")")
        }
        let name: String?
        switch row["name"] {
        case .none, .null?: name = nil
        case .string(let s)?: name = s
        case let other?: throw source.error(table, index, "name", "expected text or NULL, found \(other.kindName)")
        }
        guard case .string(let chatID)? = row["chat_id"] else {
            throw source.error(
                table, index, "chat_id", "expected the chat's id, found \(row["chat_id"]?.kindName ?? "nothing")")
        }

        // JamBot writes `datetime.utcnow()`: its naive times are UTC by the app's own
        // convention, so they are read as UTC whatever --assume-timezone says.
        var log = ConversionLog(options: utcOptions)
        var warnings: [ImportWarning] = []
        if options.assumeTimeZoneName != "UTC" {
            warnings.append(
                ImportWarning(
                    "timezone-not-applied", "",
                    "JamBot stores datetime.utcnow() times: read as UTC, not \(options.assumeTimeZoneName)"))
        }

        var state = JSONObject()
        var columns = JSONObject()
        for t in JamBotTables.sessionTables {
            if let names = tables.columns[t] { columns[t] = .array(names.map(JSONValue.string)) }
        }
        state["columns"] = .object(columns)
        state["user_session"] = .object(row)

        if let c = chatIndex[chatID] {
            state["chat"] = take("chats", [c]).first ?? .null
        } else {
            state["chat"] = .null
            warnings.append(
                ImportWarning(
                    "missing-row", source.location(table, index, "chat_id"), "chat \(chatID) is not in the chats table")
            )
        }

        var missionIDs = Set<String>()
        if case .string(let missionID)? = row["mission_id"] {
            if let m = missionIndex[missionID] {
                state["mission"] = take("missions", [m]).first ?? .null
                missionIDs.insert(missionID)
            } else {
                state["mission"] = .null
                warnings.append(
                    ImportWarning(
                        "missing-row", source.location(table, index, "mission_id"),
                        "mission \(missionID) is not in the missions table"))
            }
        } else {
            state["mission"] = .null
        }
        let hops = take("hops", indices("hops", where: "mission_id", in: missionIDs))
        let hopIDs = Self.ids(hops)
        let steps = take("tool_steps", indices("tool_steps", where: "hop_id", in: hopIDs))
        let stepIDs = Self.ids(steps)
        let missionAssets = take("mission_assets", indices("mission_assets", where: "mission_id", in: missionIDs))
        let hopAssets = take("hop_assets", indices("hop_assets", where: "hop_id", in: hopIDs))
        let linkedAssets = Set((missionAssets + hopAssets).compactMap { $0["asset_id"]?.stringValue })
        let assetIndices = Set(
            indices("assets", where: "id", in: linkedAssets)
                + indices("assets", where: "scope_id", in: missionIDs.union(hopIDs))
        )
        .filter { i in
            let asset = rows("assets")[i]
            if case .string(let id)? = asset["id"], linkedAssets.contains(id) { return true }
            guard case .string(let scope)? = asset["scope_type"], case .string(let scopeID)? = asset["scope_id"] else {
                return false
            }
            return (scope == "MISSION" && missionIDs.contains(scopeID)) || (scope == "HOP" && hopIDs.contains(scopeID))
        }.sorted()
        let assets = take("assets", assetIndices)
        let executionIndices = Set(
            indices("tool_executions", where: "mission_id", in: missionIDs)
                + indices("tool_executions", where: "hop_id", in: hopIDs)
                + indices("tool_executions", where: "tool_step_id", in: stepIDs)
        ).sorted()
        let executions = take("tool_executions", executionIndices)
        for (key, list) in [
            ("hops", hops), ("tool_steps", steps), ("assets", assets), ("mission_assets", missionAssets),
            ("hop_assets", hopAssets), ("tool_executions", executions),
        ] where tables.columns[key] != nil {
            state[key] = .array(list)
        }

        // Messages in sequence_order; equal orders keep the table's (rowid) order.
        var messages: [(Int, Int, AuditEntry)] = []
        for i in messagesByChat[chatID] ?? [] {
            let message = rows("chat_messages")[i]
            guard case .int(let order)? = message["sequence_order"] else {
                throw source.error(
                    "chat_messages", i, "sequence_order",
                    "expected an integer, found \(message["sequence_order"]?.kindName ?? "nothing")")
            }
            guard case .string(let role)? = message["role"] else {
                throw source.error(
                    "chat_messages", i, "role", "expected a role name, found \(message["role"]?.kindName ?? "nothing")")
            }
            let time = log.time(message["created_at"], at: source.location("chat_messages", i, "created_at"))
            messages.append(
                (
                    order, i,
                    AuditEntry(kind: "message." + CasefileText.kindSegment(role), timestamp: time, payload: message)
                ))
        }
        claimed["chat_messages", default: []].formUnion(messages.map(\.1))
        messages.sort { ($0.0, $0.1) < ($1.0, $1.1) }

        let created = log.time(row["created_at"], at: source.location(table, index, "created_at"))
        let updated = log.time(row["updated_at"], at: source.location(table, index, "updated_at"))
        let lastActivity = log.time(row["last_activity_at"], at: source.location(table, index, "last_activity_at"))
        var session = Session(
            sessionID: SessionID.derive(system: "jambot", legacyID: legacyID),
            origin: Origin(system: "jambot", format: format, legacyID: legacyID, extra: log.originExtra),
            metadata: Metadata(name: name, owner: owner, status: status, createdAt: created, updatedAt: updated),
            state: state, auditLog: messages.map(\.2))
        session.sealAuditLog()
        // The newest of the row's own times decides between copies of one session.
        let modified = [updated, lastActivity].compactMap { $0 }.max {
            CasefileEntryOrder(canonicalTime: $0, rank: 0) < CasefileEntryOrder(canonicalTime: $1, rank: 0)
        }
        return ImportedSession(session: session, warnings: log.allWarnings + warnings, modifiedAt: modified)
    }
}
