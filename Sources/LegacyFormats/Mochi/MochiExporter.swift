import SessionModel

/// Writes a mochi session back as `chat_sessions/<session_id>.json`, the way mochi-server
/// saves it: `json.dump(data, f, indent=2, ensure_ascii=False)` (raw UTF-8, no final newline),
/// metadata and message members in the order of the app's dataclasses.
///
/// The session keeps its own format version: a 1.3 session is written as 1.3 (with its
/// `tool_group`, and without `format_version` if it had none), so it reads back as the same
/// values; mochi-server itself upgrades it to 1.4 on load. `message_count` is written as the
/// number of messages, as the app keeps it.
public struct MochiExporter: SessionExporter {
    public let name = "mochi"
    public let summary = "mochi-server chat session JSON (chat_sessions/<id>.json)"
    public init() {}

    static let writer = PythonJSONWriter(indent: 2, ensureASCII: false)

    public func export(_ session: Session) throws -> [ExportedFile] {
        let file = session.sessionID
        guard session.origin.system == "mochi" else {
            throw FormatError(
                file: file, location: "/origin/system",
                reason: "a \(session.origin.system) session cannot be written as a mochi session")
        }
        guard let id = session.origin.legacyID, LegacyFileName.isSafe(id) else {
            throw FormatError(
                file: file, location: "/origin/legacy_id",
                reason:
                    "session id \"\(session.origin.legacyID ?? "null")\" cannot be a file name (mochi writes chat_sessions/<id>.json)"
            )
        }
        var messages: [JSONValue] = []
        for (i, entry) in session.auditLog.enumerated() {
            guard entry.kind.hasPrefix("message."), MochiImporter.roles.contains(String(entry.kind.dropFirst(8))) else {
                throw FormatError(
                    file: file, location: "/audit_log/\(i)/kind",
                    reason: "a \(entry.kind) entry has no place in a mochi session")
            }
            let role = String(entry.kind.dropFirst(8))
            var message = JSONObject([("role", .string(role))] + entry.payload.members)
            if role == "assistant", message["model"] == nil, let actor = entry.actor, actor != role {
                message["model"] = .string(actor)
            }
            if message["timestamp"] == nil, let t = entry.timestamp,
                let text = Timestamp.pythonAwareISO(fromCanonical: t, suffix: "Z")
            {
                message["timestamp"] = .string(text)
            }
            messages.append(MochiKeyOrder.message(role).apply(.object(message)))
        }

        var metadata = JSONObject([("session_id", .string(id))] + session.state.members)
        metadata.removeValue(forKey: "document_extra")
        for (key, time) in [("created_at", session.metadata.createdAt), ("updated_at", session.metadata.updatedAt)]
        where metadata[key] == nil {
            if let time, let text = Timestamp.pythonAwareISO(fromCanonical: time, suffix: "Z") {
                metadata[key] = .string(text)
            }
        }
        if metadata["message_count"] != nil { metadata["message_count"] = .int(messages.count) }
        var members: [(key: String, value: JSONValue)] = [
            ("metadata", MochiKeyOrder.metadata.apply(.object(metadata))), ("messages", .array(messages)),
        ]
        if case .object(let extra)? = session.state["document_extra"] { members += extra.members }
        return [
            ExportedFile(
                relativePath: "chat_sessions/" + id + ".json",
                bytes: MochiExporter.writer.bytes(.object(JSONObject(members))))
        ]
    }
}

/// The member order of mochi's dataclasses (`asdict`), read from `sessions/types.py`.
enum MochiKeyOrder {
    static let metadata = PythonDictOrder.object([
        ("session_id", .keep), ("model", .keep), ("created_at", .keep), ("updated_at", .keep), ("message_count", .keep),
        ("summary", .flat(["summary", "topics"])), ("summary_model", .keep), ("format_version", .keep),
        ("tool_settings", .flat(["tools", "tool_group", "execution_policy", "tool_policies"])),
        ("agent_settings", .flat(["enabled_agents"])),
        (
            "context_window_config",
            .object([
                ("dynamic_enabled", .keep), ("current_window", .keep), ("last_adjustment", .keep),
                ("adjustment_history", .list(.flat(["reason", "window", "usage_tokens"]))), ("manual_override", .keep),
            ])
        ),
    ])

    static let toolCalls = PythonDictOrder.list(.object([("function", .flat(["name", "arguments"]))]))

    static func message(_ role: String) -> PythonDictOrder {
        switch role {
        case "system": return .flat(["role", "content", "source_file", "message_id", "timestamp"])
        case "user": return .flat(["role", "content", "message_id", "timestamp"])
        case "tool": return .flat(["role", "tool_name", "content", "message_id", "timestamp"])
        default:
            return .object([
                ("role", .keep), ("content", .keep), ("model", .keep), ("message_id", .keep), ("timestamp", .keep),
                ("eval_count", .keep), ("prompt_eval_count", .keep), ("thinking", .keep), ("tool_calls", toolCalls),
            ])
        }
    }
}
