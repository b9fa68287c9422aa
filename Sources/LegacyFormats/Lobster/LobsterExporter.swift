import SessionModel

/// Writes a Lobster session back the way Lobster writes it (FORMATS.md 2):
///
/// - `session_<id>.json`: `json.dump(indent=2, default=str)`, ASCII-escaped, no final newline;
/// - `.lobster/sessions/<id>/provenance.jsonl`: one `json.dumps({"v": 1, **activity}, default=str)`
///   line per activity, each ending in `\n`;
/// - `.lobster/sessions/<id>/metadata.json`: `indent=2`;
/// - `provenance_export.json`: an `export_to_json()` file, for sessions read from one.
///
/// It writes the files the session was read from (`origin.files`), plus a session JSON when
/// the log holds messages and a provenance log when it holds activities from one. Lines the
/// app skipped on load are not written back (the app would skip them again).
public struct LobsterExporter: SessionExporter {
    public let name = "lobster"
    public let summary = "Lobster session JSON + .lobster/sessions/<id>/provenance.jsonl + metadata.json"
    public init() {}

    static let indented = PythonJSONWriter(indent: 2, ensureASCII: true)
    static let line = PythonJSONWriter(indent: nil, ensureASCII: true)

    public func export(_ session: Session) throws -> [ExportedFile] {
        let file = session.sessionID
        guard session.origin.system == "lobster" else {
            throw FormatError(
                file: file, location: "/origin/system",
                reason: "a \(session.origin.system) session cannot be written as a Lobster session")
        }
        guard let id = session.origin.legacyID else {
            throw FormatError(
                file: file, location: "/origin/legacy_id", reason: "a Lobster session needs its session_id")
        }
        let files = Set(
            session.origin.extra["files"]?.arrayValue?.compactMap(\.stringValue) ?? [
                "session_json", "provenance_jsonl",
            ])

        var conversation: [JSONValue] = []
        var logged: [JSONObject] = []
        var exportOnly: [JSONObject] = []
        for (i, entry) in session.auditLog.enumerated() {
            switch entry.kind {
            case "message.user", "message.assistant", "message.system":
                let role = String(entry.kind.dropFirst("message.".count))
                conversation.append(
                    LobsterKeyOrder.message.apply(
                        .object(JSONObject([("role", .string(role))] + entry.payload.members))))
            case "provenance.activity":
                let activity = LobsterExporter.activity(from: entry)
                if activity["v"] != nil { logged.append(activity) } else { exportOnly.append(activity) }
            default:
                throw FormatError(
                    file: file, location: "/audit_log/\(i)/kind",
                    reason: "a \(entry.kind) entry has no place in a Lobster session")
            }
        }

        var out: [ExportedFile] = []
        let needsFolder = files.contains("provenance_jsonl") || files.contains("metadata_json") || !logged.isEmpty
        if files.contains("session_json") || !conversation.isEmpty || needsFolder {
            guard LegacyFileName.isSafe(id) else {
                throw FormatError(
                    file: file, location: "/origin/legacy_id",
                    reason: "session id \"\(id)\" cannot be a file name (Lobster writes session_<id>.json)")
            }
        }
        if files.contains("session_json") || !conversation.isEmpty {
            // `session_id` first and `conversation` after `metadata`, where the app writes them.
            let rest = session.state["session_json"]?.objectValue ?? JSONObject()
            var members: [(key: String, value: JSONValue)] = [("session_id", .string(id))]
            for m in rest.members where m.key != "session_id" && m.key != "conversation" {
                members.append(m)
                if m.key == "metadata" { members.append(("conversation", .array(conversation))) }
            }
            if rest["metadata"] == nil { members.insert(("conversation", .array(conversation)), at: 1) }
            let ordered = LobsterKeyOrder.sessionJSON.apply(.object(JSONObject(members)))
            out.append(
                ExportedFile(
                    relativePath: "session_" + id + ".json",
                    bytes: LobsterExporter.indented.bytes(ordered)))
        }
        let folder = ".lobster/sessions/" + id + "/"
        if files.contains("provenance_jsonl") || !logged.isEmpty {
            var bytes: [UInt8] = []
            for activity in logged {
                bytes += LobsterExporter.line.bytes(.object(activity))
                bytes.append(0x0A)
            }
            out.append(ExportedFile(relativePath: folder + "provenance.jsonl", bytes: bytes))
        }
        if let metadata = session.state["provenance_metadata"] {
            out.append(
                ExportedFile(
                    relativePath: folder + "metadata.json",
                    bytes: LobsterExporter.indented.bytes(LobsterKeyOrder.provenanceMetadata.apply(metadata))))
        } else if case .string(let text)? = session.state["provenance_metadata_text"] {
            out.append(ExportedFile(relativePath: folder + "metadata.json", bytes: Array(text.utf8)))
        }
        if case .object(let export)? = session.state["provenance_export"] {
            out.append(
                ExportedFile(
                    relativePath: "provenance_export.json",
                    bytes: LobsterExporter.indented.bytes(
                        LobsterKeyOrder.trackerExport.apply(
                            .object(LobsterExporter.trackerExport(export, exportOnly: exportOnly, logged: logged))))))
        }
        return out
    }

    /// An activity as the app holds it: the payload with `agent` (from the actor) and
    /// `timestamp` (from the entry's time, as `isoformat()` writes UTC) put back in place.
    static func activity(from entry: AuditEntry) -> JSONObject {
        var activity = entry.payload
        if activity["agent"] == nil, let actor = entry.actor { activity["agent"] = .string(actor) }
        if activity["timestamp"] == nil, let time = entry.timestamp,
            let text = Timestamp.pythonAwareISO(fromCanonical: time, suffix: "+00:00")
        {
            activity["timestamp"] = .string(text)
        }
        return LobsterKeyOrder.activity.apply(.object(activity)).objectValue ?? activity
    }

    /// The export's activities rebuilt from their ids: the export's own version of an activity
    /// when it had one, else the provenance log's without `v`.
    static func trackerExport(_ export: JSONObject, exportOnly: [JSONObject], logged: [JSONObject]) -> JSONObject {
        var own: [String: [JSONObject]] = [:]
        for a in exportOnly { if let id = a["id"]?.stringValue { own[id, default: []].append(a) } }
        var fromLog: [String: [JSONObject]] = [:]
        for a in logged {
            if let id = a["id"]?.stringValue { fromLog[id, default: []].append(PythonDictOrder.without(a, "v")) }
        }
        var activities: [JSONValue] = []
        for item in export["activities"]?.arrayValue ?? [] {
            guard case .string(let id) = item else {
                activities.append(item)
                continue
            }
            if var list = own[id], !list.isEmpty {
                activities.append(.object(list.removeFirst()))
                own[id] = list
            } else if var list = fromLog[id], !list.isEmpty {
                activities.append(.object(list.removeFirst()))
                fromLog[id] = list
            }
        }
        var o = export
        o["activities"] = .array(activities)
        return o
    }
}
