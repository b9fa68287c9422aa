import SessionModel

/// The files that make up one Lobster session, gathered before the canonical session is built.
///
/// State layout (docs/mapping/lobster.md):
/// - `state.session_json`: the session JSON without `session_id` (→ `origin.legacy_id`) and
///   `conversation` (→ `message.*` entries), every other member as read;
/// - `state.provenance_metadata`: the session folder's `metadata.json` as read;
/// - `state.provenance_skipped_lines`: `[{line, reason, text}]` for lines the app skips;
/// - `state.provenance_export`: an `export_to_json()` file without its activities, whose
///   `activities` member lists the activity ids in export order (the activities themselves are
///   audit entries).
///
/// `origin.files` names the files the session was read from, so the exporter writes the same set.
struct LobsterParts {
    var format: DetectedFormat
    var mainFile: String
    var legacyID = ""
    var warnings: [ImportWarning] = []
    var joinedFiles: [String] = []

    private var messages: [(role: String, payload: JSONObject)] = []
    private var activities: [(activity: JSONObject, location: String)] = []
    private var state = JSONObject()
    private var files: [String] = []
    private var createdAt: [(JSONValue?, String)] = []
    private var updatedAt: [(JSONValue?, String)] = []
    private var hasNaiveTimes = false

    init(format: DetectedFormat, mainFile: String) {
        self.format = format
        self.mainFile = mainFile
    }

    static let roles: Set<String> = ["user", "assistant", "system"]

    /// The session JSON: its conversation must be a list of `{role, content}` objects whose
    /// role is one the app writes (it maps every other message type to "system").
    mutating func addSessionJSON(_ doc: JSONObject, file: String) throws {
        let reader = RecordReader(file: file)
        legacyID = try reader.string(doc["session_id"], at: "/session_id")
        if let version = doc["schema_version"], version.stringValue == nil {
            throw reader.error("/schema_version", "expected a string, found \(version.kindName)")
        }
        let conversation = try reader.array(doc["conversation"], at: "/conversation")
        for (i, item) in conversation.enumerated() {
            let message = try reader.object(item, at: "/conversation/\(i)")
            let role = try reader.string(message["role"], at: "/conversation/\(i)/role")
            guard LobsterParts.roles.contains(role) else {
                throw reader.error(
                    "/conversation/\(i)/role", "unknown role \"\(role)\" (Lobster writes user, assistant or system)")
            }
            messages.append((role, PythonDictOrder.without(message, "role")))
        }
        var metadataCreated: JSONValue? = nil
        if let metadata = doc["metadata"] {
            metadataCreated = try reader.object(metadata, at: "/metadata")["created_at"]
        }
        createdAt.append((metadataCreated, "/metadata/created_at"))
        updatedAt.append((doc["exported_at"], "/exported_at"))
        state["session_json"] = .object(PythonDictOrder.without(doc, "session_id", "conversation"))
        files.append("session_json")
        hasNaiveTimes = true
    }

    /// The session folder beside a session JSON: its provenance log and metadata, if present.
    mutating func addSessionFolder(of id: String, in workspace: String, displayWorkspace: String, layout: LobsterLayout)
    {
        guard let folder = layout.sessionFolder(for: id, in: workspace) else { return }
        let displayFolder = LobsterLayout.join(LobsterLayout.sessionsFolder(of: displayWorkspace), id)
        if let bytes = layout.related.read(LobsterLayout.join(folder, "provenance.jsonl")) {
            let shown = LobsterLayout.join(displayFolder, "provenance.jsonl")
            joinedFiles.append(shown)
            addProvenanceLog(LobsterProvenanceLog(bytes: bytes), file: shown, prefix: shown + " ")
        }
        addProvenanceMetadata(
            layout.related.read(LobsterLayout.join(folder, "metadata.json")),
            file: LobsterLayout.join(displayFolder, "metadata.json"))
    }

    mutating func addProvenanceLog(_ log: LobsterProvenanceLog, file: String, prefix: String) {
        for line in log.lines { activities.append((line.activity, prefix + "line \(line.number)")) }
        warnings += log.warnings(prefix: prefix)
        if !log.skipped.isEmpty {
            state["provenance_skipped_lines"] = .array(
                log.skipped.map { s in
                    .object(
                        JSONObject([("line", .int(s.number)), ("reason", .string(s.reason)), ("text", .string(s.text))])
                    )
                })
        }
        files.append("provenance_jsonl")
    }

    /// `metadata.json`, if present. One that is not a JSON object is kept as text, with a
    /// warning: the app rewrites it after every activity, so it only matters for the export.
    mutating func addProvenanceMetadata(_ bytes: [UInt8]?, file: String) {
        guard let bytes else { return }
        let parsed = try? JSONReader.read(bytes, options: .legacy).value
        // Some other app's metadata.json beside a stray log is not joined (it is its own input).
        if case .object(let o)? = parsed, !LobsterImporter.isProvenanceMetadata(o) { return }
        if !joinedFiles.contains(file) && file != mainFile { joinedFiles.append(file) }
        guard case .object(let o)? = parsed else {
            warnings.append(
                ImportWarning(
                    "unreadable-part", file, "not a JSON object; kept as text in state.provenance_metadata_text"))
            state["provenance_metadata_text"] = .string(String(decoding: bytes, as: UTF8.self))
            return
        }
        createdAt.append((o["created_at"], file + " /created_at"))
        updatedAt.append((o["last_modified"], file + " /last_modified"))
        state["provenance_metadata"] = .object(o)
        files.append("metadata_json")
    }

    /// An `export_to_json()` file. Activities the provenance log already holds (same id, same
    /// content apart from `v`) are not repeated; the others become audit entries.
    mutating func addTrackerExport(_ doc: JSONObject, file: String) throws {
        let reader = RecordReader(file: file)
        let list = try reader.array(doc["activities"], at: "/activities")
        var known: [String: [JSONObject]] = [:]
        for (activity, _) in activities {
            if let id = activity["id"]?.stringValue {
                known[id, default: []].append(PythonDictOrder.without(activity, "v"))
            }
        }
        var ids: [JSONValue] = []
        for (i, item) in list.enumerated() {
            let activity = try reader.object(item, at: "/activities/\(i)")
            guard let id = activity["id"]?.stringValue else {
                // Without an id it cannot be referenced; it stays whole in the list.
                ids.append(.object(activity))
                continue
            }
            ids.append(.string(id))
            if known[id]?.contains(activity) == true { continue }
            activities.append((activity, file + " /activities/\(i)"))
        }
        var rest = PythonDictOrder.without(doc, "activities")
        rest = JSONObject(
            rest.members.flatMap { m -> [(key: String, value: JSONValue)] in
                m.key == "namespace" ? [m, ("activities", .array(ids))] : [m]
            })
        if rest["activities"] == nil { rest["activities"] = .array(ids) }
        updatedAt.append((doc["export_timestamp"], file + " /export_timestamp"))
        state["provenance_export"] = .object(rest)
        files.append("provenance_export")
    }

    /// The canonical session.
    func build(context: ImportContext) throws -> ImportedSession {
        var log = ConversionLog(options: context.options)
        var entries: [AuditEntry] = []
        var activityTimes: [String] = []
        for m in messages {
            entries.append(AuditEntry(kind: "message." + m.role, timestamp: nil, actor: m.role, payload: m.payload))
        }
        for (activity, location) in activities {
            var payload = activity
            var timestamp: String? = nil
            if case .string(let text)? = activity["timestamp"] {
                timestamp = log.time(.string(text), at: location + " /timestamp")
                // Dropped only when the exporter writes back the very same text.
                if LegacyTimeText.regenerates(text, from: timestamp, suffix: "+00:00") {
                    payload.removeValue(forKey: "timestamp")
                }
            } else if activity["timestamp"] != nil {
                _ = log.time(activity["timestamp"], at: location + " /timestamp")
            }
            var actor: String? = nil
            if case .string(let agent)? = activity["agent"] {
                actor = agent
                payload.removeValue(forKey: "agent")
            }
            if let timestamp { activityTimes.append(timestamp) }
            entries.append(
                AuditEntry(kind: "provenance.activity", timestamp: timestamp, actor: actor, payload: payload))
        }
        // The session JSON's creation time first (the session's own), else the tracker's, else
        // (a provenance log alone) the first activity's.
        var created: String? = nil
        for (value, location) in createdAt {
            let t = log.time(value, at: location)
            if created == nil { created = t }
        }
        if created == nil { created = activityTimes.first }
        // Last modified: the latest save, metadata rewrite, export or activity.
        var updates: [String?] = activityTimes.isEmpty ? [] : [LegacyTimeText.latest(activityTimes)]
        for (value, location) in updatedAt { updates.append(log.time(value, at: location)) }
        let updated = LegacyTimeText.latest(updates)

        var extra = hasNaiveTimes ? log.originExtra : JSONObject()
        extra["files"] = .array(files.map(JSONValue.string))
        var session = Session(
            sessionID: SessionID.derive(system: "lobster", legacyID: legacyID),
            origin: Origin(system: "lobster", format: format.qualifiedName, legacyID: legacyID, extra: extra),
            metadata: Metadata(createdAt: created, updatedAt: updated),
            state: state, auditLog: entries)
        session.sealAuditLog()
        return ImportedSession(session: session, warnings: warnings + log.allWarnings, joinedFiles: joinedFiles)
    }
}
