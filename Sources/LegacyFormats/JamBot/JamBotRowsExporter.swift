import SessionModel

/// Writes a JamBot session back as a rows dump like `jambot_rows.json`: `{"table": [rows]}`
/// with the session's rows of every session table the source had, in the source's table
/// order and column order, JSON columns as the text SQLAlchemy stores (`json.dumps`
/// defaults), SQL NULL as `null`. Written with
/// `json.dumps(indent=2, ensure_ascii=False)`, no final newline. `users` rows are not part
/// of a session and are not written; chat messages follow the audit log (sequence order).
public struct JamBotRowsExporter: SessionExporter {
    public let name = "jambot-rows"
    public let summary = "JamBot rows dump (JSON: table → rows, JSON columns as text)"

    public init() {}

    public func export(_ session: Session) throws -> [ExportedFile] {
        func fail(_ location: String, _ reason: String) -> FormatError {
            FormatError(file: session.sessionID, location: location, reason: reason)
        }
        guard session.origin.system == "jambot" else {
            throw fail("/origin/system", "a \(session.origin.system) session cannot be written as JamBot rows")
        }
        guard case .object(let columns)? = session.state["columns"],
            case .object(let userSession)? = session.state["user_session"]
        else {
            throw fail("/state", "expected the JamBot rows (state.columns, state.user_session)")
        }

        func rows(_ value: JSONValue?, at location: String) throws -> [JSONObject] {
            switch value {
            case .none, .null?: return []
            case .object(let o)?: return [o]
            case .array(let list)?:
                return try list.enumerated().map { i, v in
                    guard case .object(let o) = v else { throw fail("\(location)/\(i)", "expected a row object") }
                    return o
                }
            case let other?: throw fail(location, "expected rows, found \(other.kindName)")
            }
        }

        var messages: [JSONObject] = []
        for (i, entry) in session.auditLog.enumerated() where entry.kind.hasPrefix("message.") {
            guard entry.payload["id"] != nil else {
                throw fail("/audit_log/\(i)/payload", "a message entry without a chat_messages row")
            }
            messages.append(entry.payload)
        }

        var out: [(key: String, value: JSONValue)] = []
        for table in JamBotTables.sessionTables {
            guard case .array(let names)? = columns[table] else { continue }
            let order = names.compactMap(\.stringValue)
            let list: [JSONObject]
            switch table {
            case "user_sessions": list = [userSession]
            case "chats": list = try rows(session.state["chat"], at: "/state/chat")
            case "chat_messages": list = messages
            case "missions": list = try rows(session.state["mission"], at: "/state/mission")
            default: list = try rows(session.state[table], at: "/state/\(table)")
            }
            out.append(
                (
                    table,
                    .array(
                        list.map {
                            .object(JamBotTables.encode(NonFiniteMarkers.restore($0), table: table, order: order))
                        })
                ))
        }
        let bytes = PythonJSONWriter(indent: 2, ensureASCII: false).bytes(.object(JSONObject(out)))
        return [ExportedFile(relativePath: "jambot_rows_\(session.sessionID).json", bytes: bytes)]
    }
}
