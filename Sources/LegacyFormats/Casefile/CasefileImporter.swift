import SessionModel

/// The casefile service's Firestore exports (FORMATS.md 4): a flat JSON map
/// `{"<document path>": {fields}}` in the legacy layout (`sessions/{ts}` with `requests` and
/// `events` below it, `chat_sessions/{cs}`, `casefiles/{cf}`) or the unified layout
/// (`casefiles/{cf}/sessions/{id}` with `events` below it).
///
/// Each session document (tool session, chat session, unified session) becomes one canonical
/// session; the documents below it become audit entries (requests, tool events, execution
/// events) and a chat session's messages become `message.*` entries. The document itself, the
/// casefile it belongs to and the export's non-document members go into `state`, so the
/// exporter can write the same documents back (docs/mapping/casefile.md).
public struct CasefileImporter: SessionImporter {
    public let system = "casefile"
    /// `origin.format` of sessions from the legacy layout (code read at 47c432c).
    public static let legacyFormat = "casefile-legacy-export"
    /// `origin.format` of sessions from the unified layout (from the project's docs).
    public static let unifiedFormat = "casefile-unified-export"

    public init() {}

    /// An export is recognized by its keys: at least one of them must be the path of a
    /// session document in either layout. Neither layout carries a version.
    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        guard input.kind == .json, case .object(let top)? = input.json else { return nil }
        var legacy = 0
        var unified = 0
        for member in top.members {
            switch CasefileDocumentPath(member.key) {
            case .toolSession, .chatSession: legacy += 1
            case .unifiedSession: unified += 1
            default: break
            }
        }
        if legacy == 0 && unified == 0 { return nil }
        if legacy == 0 {
            return DetectedFormat(
                system: system, format: Self.unifiedFormat, version: nil, role: .container,
                note: "\(unified) unified session\(unified == 1 ? "" : "s")")
        }
        return DetectedFormat(
            system: system, format: Self.legacyFormat, version: nil, role: .container,
            note: unified == 0
                ? "\(legacy) legacy session\(legacy == 1 ? "" : "s")"
                : "\(legacy) legacy and \(unified) unified sessions (mixed layouts)")
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        let reader = RecordReader(file: input.file.displayPath)
        let top = try reader.object(input.json, at: "")
        let export = CasefileExport(top)

        var sessions: [ImportedSession] = []
        var referencedCasefiles = Set<[UInt8]>()
        for root in export.roots {
            var builder = SessionBuilder(root: root, export: export, reader: reader, options: context.options)
            let imported = try builder.build()
            if let casefile = builder.casefilePath { referencedCasefiles.insert(Array(casefile.utf8)) }
            sessions.append(imported)
        }

        // Documents that belong to no session are not sessions and are not migrated; the
        // report names each of them (on the file's first session, so it appears once).
        var unattached: [ImportWarning] = []
        for (path, _) in export.casefiles where !referencedCasefiles.contains(Array(path.utf8)) {
            unattached.append(
                ImportWarning(
                    "unattached-document", "/" + JSONPointer.escape(path),
                    "casefile document that no session in this export belongs to; not migrated"))
        }
        for path in export.unattached {
            unattached.append(
                ImportWarning(
                    "unattached-document", "/" + JSONPointer.escape(path),
                    "document outside every session of this export; not migrated"))
        }
        if !unattached.isEmpty, !sessions.isEmpty {
            sessions[0].warnings += unattached
        }
        return sessions
    }
}

/// The export's members sorted by role, in one pass over the (possibly large) top level.
struct CasefileExport {
    struct Root {
        var index: Int
        var path: String
        var kind: CasefileDocumentPath
        var value: JSONValue
        var children: [Child] = []
    }

    struct Child {
        var index: Int
        var path: String
        var kind: CasefileDocumentPath.ChildKind
        var value: JSONValue
    }

    /// Session documents in export order, each with the documents below it.
    var roots: [Root] = []
    /// Casefile documents by path, in export order.
    var casefiles: [(path: String, value: JSONValue)] = []
    var casefileIndex: [[UInt8]: Int] = [:]
    /// Top-level members that are not documents (keys without `/`, e.g. `_layout`).
    var exportMembers: [(key: String, value: JSONValue)] = []
    /// Paths of documents outside every session (other collections, children without a
    /// session document, keys with `/` that are not document paths).
    var unattached: [String] = []

    init(_ top: JSONObject) {
        // Keys are compared by their bytes (as JSONObject does), never by `String ==`.
        var rootIndex: [[UInt8]: Int] = [:]
        var pendingChildren: [(Int, String, [UInt8], CasefileDocumentPath.ChildKind, JSONValue)] = []
        for (i, member) in top.members.enumerated() {
            let kind = CasefileDocumentPath(member.key)
            switch kind {
            case .toolSession, .chatSession, .unifiedSession:
                rootIndex[Array(member.key.utf8)] = roots.count
                roots.append(Root(index: i, path: member.key, kind: kind, value: member.value))
            case .casefile:
                casefileIndex[Array(member.key.utf8)] = casefiles.count
                casefiles.append((member.key, member.value))
            case .sessionChild(let root, let childKind):
                pendingChildren.append((i, member.key, Array(root.utf8), childKind, member.value))
            case .otherDocument:
                unattached.append(member.key)
            case .notADocument:
                if member.key.contains("/") {
                    unattached.append(member.key)
                } else {
                    exportMembers.append(member)
                }
            }
        }
        for (i, path, root, kind, value) in pendingChildren {
            if let r = rootIndex[root] {
                roots[r].children.append(Child(index: i, path: path, kind: kind, value: value))
            } else {
                unattached.append(path)
            }
        }
    }

    func casefile(at path: String) -> JSONValue? {
        casefileIndex[Array(path.utf8)].map { casefiles[$0].value }
    }
}

/// Builds one canonical session from a session document and what belongs to it.
private struct SessionBuilder {
    let root: CasefileExport.Root
    let export: CasefileExport
    let reader: RecordReader
    var log: ConversionLog
    var extraWarnings: [ImportWarning] = []
    /// The casefile document this session belongs to, when the export holds it.
    var casefilePath: String?

    init(root: CasefileExport.Root, export: CasefileExport, reader: RecordReader, options: ImportOptions) {
        self.root = root
        self.export = export
        self.reader = reader
        self.log = ConversionLog(options: options)
    }

    /// `/` + the document's path as one JSON Pointer token.
    func pointer(_ path: String) -> String { "/" + JSONPointer.escape(path) }

    mutating func build() throws -> ImportedSession {
        let at = pointer(root.path)
        var document = try reader.object(root.value, at: at)
        let (legacyID, prefixes, format): (String, [String], String)
        switch root.kind {
        case .toolSession(let id): (legacyID, prefixes, format) = (id, ["ts_"], CasefileImporter.legacyFormat)
        case .chatSession(let id): (legacyID, prefixes, format) = (id, ["cs_"], CasefileImporter.legacyFormat)
        case .unifiedSession(_, let id):
            (legacyID, prefixes, format) = (id, ["ts_", "cs_"], CasefileImporter.unifiedFormat)
        default: throw reader.error(at, "not a session document")
        }
        // The service's id validators only check the prefixes; a document whose id would
        // fail them was not written by the service.
        let expected = prefixes.joined(separator: "\" or \"")
        guard prefixes.contains(where: legacyID.hasPrefix) else {
            throw reader.error(at, "session id \"\(legacyID)\" does not start with \"\(expected)\"")
        }
        if let field = document["session_id"] {
            let id = try reader.string(field, at: at + "/session_id")
            guard prefixes.contains(where: id.hasPrefix) else {
                throw reader.error(at + "/session_id", "session id \"\(id)\" does not start with \"\(expected)\"")
            }
            if id != legacyID {
                extraWarnings.append(
                    ImportWarning(
                        "id-mismatch", at + "/session_id",
                        "session_id \"\(id)\" differs from the document id \"\(legacyID)\"; the document id is used"))
            }
        }
        let owner = try reader.string(document["user_id"], at: at + "/user_id")
        let casefileID = try reader.optionalString(document["casefile_id"], at: at + "/casefile_id")

        // The casefile this session belongs to: the parent document in the unified layout,
        // the `casefile_id` field in the legacy one.
        var casefileDocPath: String?
        if case .unifiedSession(let cf, _) = root.kind {
            casefileDocPath = "casefiles/" + cf
            if let casefileID, casefileID != cf {
                extraWarnings.append(
                    ImportWarning(
                        "casefile-mismatch", at + "/casefile_id",
                        "casefile_id \"\(casefileID)\" differs from the casefile \"\(cf)\" the session is stored under")
                )
            }
        } else if let casefileID {
            casefileDocPath = "casefiles/" + casefileID
        }
        var casefileState: JSONValue = .null
        if let path = casefileDocPath, let doc = export.casefile(at: path) {
            casefilePath = path
            casefileState = CasefileText.pathAndDocument(path, doc)
        }

        // Audit entries, each with its sort key.
        var entries: [(CasefileEntryOrder, AuditEntry)] = []
        var subdocuments: [(key: String, value: JSONValue)] = []
        if case .chatSession = root.kind {
            let messages = try reader.array(document.removeValue(forKey: "messages"), at: at + "/messages")
            for (i, message) in messages.enumerated() {
                entries.append(try messageEntry(message, index: i, at: at + "/messages/\(i)"))
            }
        }
        for child in root.children {
            let childAt = pointer(child.path)
            switch child.kind {
            case .request: entries.append(try requestEntry(child, at: childAt))
            case .toolEvent, .executionEvent: entries.append(try eventEntry(child, at: childAt))
            case .other: subdocuments.append((child.path, child.value))
            }
        }
        entries.sort { $0.0 < $1.0 }

        var state = JSONObject()
        state["session_document"] = CasefileText.pathAndDocument(root.path, .object(document))
        state["casefile"] = casefileState
        if !subdocuments.isEmpty { state["subdocuments"] = .object(JSONObject(subdocuments)) }
        if !export.exportMembers.isEmpty { state["export_members"] = .object(JSONObject(export.exportMembers)) }

        let status: String? = document["active"]?.boolValue.map { $0 ? "active" : "inactive" }
        let metadata = Metadata(
            owner: owner, status: status,
            createdAt: log.time(document["created_at"], at: at + "/created_at"),
            updatedAt: log.time(document["updated_at"], at: at + "/updated_at"))
        let extra = format == CasefileImporter.legacyFormat || log.naiveTimes > 0 ? log.originExtra : JSONObject()
        var session = Session(
            sessionID: SessionID.derive(system: "casefile", legacyID: legacyID),
            origin: Origin(system: "casefile", format: format, legacyID: legacyID, extra: extra),
            metadata: metadata, state: state, auditLog: entries.map(\.1))
        session.sealAuditLog()
        return ImportedSession(session: session, warnings: log.allWarnings + extraWarnings)
    }

    /// A chat message: `message.<message_type>`, payload `{position, message}` (the position
    /// in the document's `messages` list, so the exporter can restore the list's order).
    mutating func messageEntry(_ value: JSONValue, index: Int, at: String) throws -> (CasefileEntryOrder, AuditEntry) {
        let message = try reader.object(value, at: at)
        let type = try reader.string(message["message_type"], at: at + "/message_type")
        let time = log.time(message["timestamp"], at: at + "/timestamp")
        let payload = JSONObject([(key: "position", value: .int(index)), (key: "message", value: value)])
        return (
            CasefileEntryOrder(canonicalTime: time, rank: index),
            AuditEntry(kind: "message." + CasefileText.kindSegment(type), timestamp: time, payload: payload)
        )
    }

    /// A tool request document: `request.<operation>` at the document's `created_at` (the
    /// request's own `timestamp` when that is missing); actor is the requesting user.
    mutating func requestEntry(_ child: CasefileExport.Child, at: String) throws -> (CasefileEntryOrder, AuditEntry) {
        let document = try reader.object(child.value, at: at)
        let request = try reader.object(document["request"], at: at + "/request")
        let operation =
            try reader.optionalString(request["operation"], at: at + "/request/operation") ?? "tool_execution"
        let actor = try reader.optionalString(request["user_id"], at: at + "/request/user_id")
        let time: String?
        if let created = document["created_at"], !created.isNull {
            time = log.time(created, at: at + "/created_at")
        } else {
            time = log.time(request["timestamp"], at: at + "/request/timestamp")
        }
        return (
            CasefileEntryOrder(canonicalTime: time, rank: child.index),
            AuditEntry(
                kind: "request." + CasefileText.kindSegment(operation), timestamp: time, actor: actor,
                payload: CasefileText.pathAndDocument(child.path, child.value).objectValue ?? JSONObject())
        )
    }

    /// A legacy ToolEvent (`timestamp`, actor = `initiator`) or a unified ExecutionEvent
    /// (`started_at`, else `completed_at`): `event.<event_type>`.
    mutating func eventEntry(_ child: CasefileExport.Child, at: String) throws -> (CasefileEntryOrder, AuditEntry) {
        let document = try reader.object(child.value, at: at)
        let type = try reader.string(document["event_type"], at: at + "/event_type")
        var time: String?
        var actor: String?
        if child.kind == .executionEvent {
            if let started = document["started_at"], !started.isNull {
                time = log.time(started, at: at + "/started_at")
            } else {
                time = log.time(document["completed_at"], at: at + "/completed_at")
            }
        } else {
            time = log.time(document["timestamp"], at: at + "/timestamp")
            actor = try reader.optionalString(document["initiator"], at: at + "/initiator")
        }
        return (
            CasefileEntryOrder(canonicalTime: time, rank: child.index),
            AuditEntry(
                kind: "event." + CasefileText.kindSegment(type), timestamp: time, actor: actor,
                payload: CasefileText.pathAndDocument(child.path, child.value).objectValue ?? JSONObject())
        )
    }
}
