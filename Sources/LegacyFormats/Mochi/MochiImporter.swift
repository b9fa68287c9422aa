import SessionModel

/// mochi-server chat sessions, formats 1.3 and 1.4 (FORMATS.md 3):
/// `{data_dir}/chat_sessions/<session_id>.json`, `{"metadata": {...}, "messages": [...]}`.
///
/// - `origin.format`: `mochi-session/1.4` or `mochi-session/1.3` (also when `format_version`
///   is missing, as the app reads it); `origin.legacy_id`: `metadata.session_id`.
/// - `metadata`: `name` and `tags` from the summary (`summary.summary`, `summary.topics`),
///   `created_at`/`updated_at` from the metadata.
/// - Audit log: one `message.<role>` entry per message, in order; `actor` is the model for
///   assistant messages, else the role; `payload` is the rest of the message.
/// - `state`: the metadata without `session_id` and the two times (kept only when the
///   exporter could not write the same text back), every other member as read.
public struct MochiImporter: SessionImporter {
    public let system = "mochi"
    public init() {}

    static let format = "mochi-session"
    static let roles: Set<String> = ["system", "user", "assistant", "tool"]

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        guard input.kind == .json, case .object(let top)? = input.json, top["messages"] != nil,
            case .object(let metadata)? = top["metadata"], metadata["session_id"] != nil,
            metadata["created_at"] != nil || metadata["format_version"] != nil || metadata["message_count"] != nil
        else { return nil }
        switch metadata["format_version"] {
        case nil:
            return DetectedFormat(
                system: system, format: MochiImporter.format, version: "1.3",
                note: "no format_version: 1.3, as the app reads it")
        case .string(let v)?:
            return DetectedFormat(system: system, format: MochiImporter.format, version: v)
        case let other?:
            return DetectedFormat(
                system: system, format: MochiImporter.format, version: nil,
                note: "format_version is a \(other.kindName), not a string")
        }
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        let reader = RecordReader(file: input.file.displayPath)
        let top = try reader.object(input.json, at: "")
        let metadata = try reader.object(top["metadata"], at: "/metadata")
        let messages = try reader.array(top["messages"], at: "/messages")
        let legacyID = try reader.string(metadata["session_id"], at: "/metadata/session_id")
        // mochi names the file `<session_id>.json` and lists sessions by file stem, so an id
        // that is not a plain file name (a path such as `../../etc/x`) cannot come from the app.
        if legacyID.isEmpty || legacyID == "." || legacyID == ".."
            || legacyID.contains(where: { $0 == "/" || $0 == "\\" || $0 == "\0" })
        {
            throw reader.error(
                "/metadata/session_id", "\"\(legacyID)\" cannot be a mochi session id (it would not be a file name)")
        }
        if case let v? = metadata["format_version"], v.stringValue == nil {
            throw reader.error("/metadata/format_version", "expected a string, found \(v.kindName)")
        }
        var log = ConversionLog(options: context.options)
        var warnings: [ImportWarning] = []

        var state = PythonDictOrder.without(metadata, "session_id")
        let created = MochiImporter.time(
            metadata["created_at"], at: "/metadata/created_at", dropFrom: &state, key: "created_at", log: &log)
        let updated = MochiImporter.time(
            metadata["updated_at"], at: "/metadata/updated_at", dropFrom: &state, key: "updated_at", log: &log)

        var entries: [AuditEntry] = []
        for (i, item) in messages.enumerated() {
            let message = try reader.object(item, at: "/messages/\(i)")
            let role = try reader.string(message["role"], at: "/messages/\(i)/role")
            guard MochiImporter.roles.contains(role) else {
                // The app's loader raises on an unknown role.
                throw reader.error(
                    "/messages/\(i)/role", "unknown role \"\(role)\" (mochi knows system, user, assistant, tool)")
            }
            var payload = PythonDictOrder.without(message, "role")
            let timestamp = MochiImporter.time(
                message["timestamp"], at: "/messages/\(i)/timestamp", dropFrom: &payload, key: "timestamp", log: &log)
            var actor = role
            // The model leaves the payload for `actor`, unless the exporter could not tell it
            // from a message without a model (whose actor is the role).
            if role == "assistant", case .string(let model)? = message["model"] {
                actor = model
                if model != role { payload.removeValue(forKey: "model") }
            }
            entries.append(AuditEntry(kind: "message." + role, timestamp: timestamp, actor: actor, payload: payload))
        }
        if case .int(let count)? = metadata["message_count"], count != messages.count {
            warnings.append(
                ImportWarning(
                    "message-count-mismatch", "/metadata/message_count",
                    "message_count is \(count) but the file holds \(messages.count) messages; an export writes \(messages.count)"
                ))
        }
        // Members beside `metadata` and `messages` are not the app's, but nothing is dropped.
        let others = PythonDictOrder.without(top, "metadata", "messages")
        if !others.isEmpty { state["document_extra"] = .object(others) }

        var summaryText: String? = nil
        var topics: [String]? = nil
        if case .object(let summary)? = metadata["summary"] {
            summaryText = summary["summary"]?.stringValue
            if case .array(let list)? = summary["topics"] {
                let strings = list.compactMap(\.stringValue)
                if strings.count == list.count { topics = strings }
            }
        }
        var session = Session(
            sessionID: SessionID.derive(system: system, legacyID: legacyID),
            origin: Origin(system: system, format: format.qualifiedName, legacyID: legacyID),
            metadata: Metadata(name: summaryText, tags: topics, createdAt: created, updatedAt: updated),
            state: state, auditLog: entries)
        session.sealAuditLog()
        return [ImportedSession(session: session, warnings: warnings + log.allWarnings)]
    }

    /// A mochi time (`isoformat()` of an aware UTC time with a `Z`): its canonical form, and
    /// the text removed from `object` when the exporter writes the same text back.
    static func time(
        _ value: JSONValue?, at location: @autoclosure () -> String, dropFrom object: inout JSONObject, key: String,
        log: inout ConversionLog
    ) -> String? {
        let canonical = log.time(value, at: location())
        if case .string(let text)? = value, LegacyTimeText.regenerates(text, from: canonical, suffix: "Z") {
            object.removeValue(forKey: key)
        }
        return canonical
    }
}
