import Foundation
import SessionModel

/// Rebuilds the JSON document ALchemist wrote from a canonical session: the inverse of
/// ``ALchemistImporter``, shared by the session and the server-store exporters.
enum ALchemistDocument {
    /// Which store bookkeeping to write besides the session itself.
    enum Extras {
        /// `save_session`: neither store nor recovery metadata.
        case none
        /// The server store file: `_session_store_metadata` (kept, or made from the session's times).
        case store
        /// A recovery backup: `_recovery_metadata` as kept.
        case recovery
    }

    static func requireALchemist(_ session: Session, exporter: String) throws {
        guard session.origin.system == ALchemistLayout.system else {
            throw FormatError(
                file: session.sessionID, location: "/origin/system",
                reason:
                    "a \(session.origin.system) session cannot be written as ALchemist JSON (\(exporter)); use --to markdown for an audit trail"
            )
        }
    }

    /// The document, members in the app's order, ready for `json.dump(indent=2)`.
    static func build(_ session: Session, extras: Extras) -> JSONValue {
        // A session read from a canonical file holds NaN/Infinity as `{"$number": …}` markers;
        // the app writes bare tokens.
        var session = session
        session.state = restoringNonFinite(.object(session.state)).objectValue ?? session.state
        for i in session.auditLog.indices {
            session.auditLog[i].payload =
                restoringNonFinite(.object(session.auditLog[i].payload)).objectValue ?? session.auditLog[i].payload
        }
        let state = session.state
        let zone = ALchemistLayout.zone(of: session)
        var doc = JSONObject()

        if let v = state["version"] { doc["version"] = v }
        doc["metadata"] = .object(metadata(session, zone: zone))

        let auditState = state["audit_log"]?.objectValue ?? JSONObject()
        let variables = ALchemistLayout.variableNames(state["search_space"])
        let entries = session.auditLog.map { JSONValue.object(entry($0, zone: zone, variables: variables)) }
        let form = auditState["form"]?.stringValue ?? "object"
        let experiments = state["experiments"]?.objectValue ?? JSONObject()
        let rows = experiments["data"] ?? .array([])
        switch form {
        case "list":
            doc["audit_log"] = .array(entries)
        case "absent" where entries.isEmpty:
            break
        default:
            var log = JSONObject()
            if auditState["entries_absent"] != .bool(true) || !entries.isEmpty { log["entries"] = .array(entries) }
            if let ss = auditState["search_space"] { log["search_space"] = ss }
            if auditState["experiment_data_is_experiments"] == .bool(true) {
                log["experiment_data"] = rows
            } else if let snap = auditState["experiment_data"] {
                log["experiment_data"] = snap
            }
            for m in auditState["extra"]?.objectValue?.members ?? [] { log[m.key] = m.value }
            doc["audit_log"] = .object(log)
        }

        doc["search_space"] = state["search_space"] ?? .object(JSONObject([("variables", .array([]))]))
        var exp = experiments
        exp.removeValue(forKey: "columns")
        if exp["data"] == nil { exp["data"] = .array([]) }
        doc["experiments"] = .object(exp)

        for key in ALchemistLayout.topLevelOrder.dropFirst(5) {
            switch key {
            case "_session_store_metadata":
                if case .store = extras { doc[key] = storeMetadata(session, zone: zone) }
            case "_recovery_metadata":
                if case .recovery = extras, let v = state[key] { doc[key] = v }
            default:
                if let v = state[key] { doc[key] = v }
            }
        }
        for m in state["other"]?.objectValue?.members ?? [] where doc[m.key] == nil { doc[m.key] = m.value }

        let columns = experiments["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let snapshotColumns: [String]
        if auditState["experiment_data_is_experiments"] == .bool(true) {
            snapshotColumns = columns
        } else {
            snapshotColumns = auditState["experiment_data_columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        let listLog = form == "list"
        return ALchemistLayout.applyOrders(
            .object(doc), path: [], orders: state["key_order"]?.objectValue,
            template: ALchemistLayout.documentTemplate(
                columns: columns, snapshotColumns: snapshotColumns,
                variables: ALchemistLayout.variableNames(state["search_space"])),
            skip: { p in
                (p.count == 1 && p[0] == "audit_log" && listLog)
                    || (p.count == 2 && p[0] == "audit_log" && p[1] == "entries")
            })
    }

    /// `SessionMetadata` back from the common fields and what `state.metadata` kept.
    static func metadata(_ session: Session, zone: TimeZone) -> JSONObject {
        let kept = session.state["metadata"]?.objectValue ?? JSONObject()
        let m = session.metadata
        var o = JSONObject()
        o["session_id"] = kept["session_id"] ?? .string(session.origin.legacyID ?? session.sessionID)
        o["name"] = .string(m.name ?? "Untitled Session")
        o["created_at"] = kept["created_at"] ?? JSONValue(ALchemistLayout.appTime(m.createdAt, zone: zone))
        o["last_modified"] = kept["last_modified"] ?? JSONValue(ALchemistLayout.appTime(m.updatedAt, zone: zone))
        if let d = kept["description"] {
            o["description"] = d
        } else if let d = m.description {
            o["description"] = .string(d)
        }
        if let a = kept["author"] { o["author"] = a } else if let a = m.owner { o["author"] = .string(a) }
        if let tags = m.tags { o["tags"] = .array(tags.map(JSONValue.string)) }
        for member in kept.members
        where !["session_id", "created_at", "last_modified", "description", "author"].contains(member.key) {
            o[member.key] = member.value
        }
        return o
    }

    /// One `AuditEntry.to_dict()` back from a canonical entry.
    static func entry(_ e: AuditEntry, zone: TimeZone, variables: [String]) -> JSONObject {
        let p = e.payload
        let type = ALchemistLayout.entryType(of: e)
        var parameters: JSONValue
        if let kept = p["parameters"] {
            parameters = kept
        } else {
            // An entry from elsewhere: its payload is the closest thing to parameters.
            var o = p
            if let i = e.iteration, o["iteration"] == nil { o["iteration"] = .int(i) }
            parameters = .object(o)
        }
        var o = JSONObject()
        o["timestamp"] = p["timestamp"] ?? JSONValue(ALchemistLayout.appTime(e.timestamp, zone: zone))
        o["entry_type"] = .string(type)
        o["parameters"] = parameters
        o["hash"] = p["hash"] ?? .string(ALchemistLayout.auditHash(parameters))
        if let n = p["notes"] { o["notes"] = n } else if let n = e.notes { o["notes"] = .string(n) }
        if p["parameters"] == nil, e.notes == nil { o["notes"] = .string("") }
        for m in p["entry_extra"]?.objectValue?.members ?? [] { o[m.key] = m.value }
        let ordered = ALchemistLayout.applyOrders(
            .object(o), path: [], orders: p["key_order"]?.objectValue,
            template: { ALchemistLayout.entryTemplate(entryType: type, path: $0, variables: variables) })
        return ordered.objectValue ?? o
    }

    /// `_session_store_metadata`: kept, or the HEAD form made from the session's own times.
    static func storeMetadata(_ session: Session, zone: TimeZone) -> JSONValue {
        if let kept = session.state["_session_store_metadata"] { return kept }
        var o = JSONObject()
        o["created_at"] = JSONValue(ALchemistLayout.appTime(session.metadata.createdAt, zone: zone))
        o["last_accessed"] = JSONValue(
            ALchemistLayout.appTime(session.metadata.updatedAt ?? session.metadata.createdAt, zone: zone))
        return .object(o)
    }

    /// The value with canonical non-finite markers turned back into floats.
    static func restoringNonFinite(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            if let d = CanonicalJSON.nonFiniteValue(of: o) { return .float(d) }
            return .object(JSONObject(o.members.map { ($0.key, restoringNonFinite($0.value)) }))
        case .array(let a): return .array(a.map(restoringNonFinite))
        default: return v
        }
    }

    /// `json.dump(data, f, indent=2)`: ensure_ascii, NaN tokens, no final newline.
    static func bytes(_ value: JSONValue) -> [UInt8] {
        PythonJSONWriter(indent: 2, ensureASCII: true, sortKeys: false).bytes(value)
    }
}
