import Foundation
import SessionModel

/// ALchemist session JSON (`OptimizationSession.save_session`), the REST server's store files
/// (`cache/sessions/<id>.json` with `_session_store_metadata`) and its recovery backups
/// (`cache/recovery/<id>_recovery_<time>.json` with `_recovery_metadata`), every version in
/// FORMATS.md 1.1–1.2.
///
/// Mapping (docs/mapping/alchemist.md): `metadata` → the common metadata; each audit entry →
/// one canonical entry (`data_locked` → `lock.data`, …, others `alchemist.<entry_type>`);
/// everything else → `state`, losslessly, with the member orders canonical JSON would lose
/// recorded in `state.key_order`, `state.experiments.columns` and each entry's
/// `payload.key_order`.
public struct ALchemistImporter: SessionImporter {
    public let system = "alchemist"
    public init() {}

    public static let sessionFormat = "alchemist-session"
    public static let serverFormat = "alchemist-server-json"
    public static let recoveryFormat = "alchemist-recovery"

    public func detect(_ input: ParsedInput, context: ImportContext) -> DetectedFormat? {
        guard input.kind == .json, case .object(let top)? = input.json else { return nil }
        // save_session always writes search_space and experiments, and metadata or an audit
        // log since the first release that had either; no other known app writes this pair.
        guard top["search_space"] != nil, top["experiments"] != nil, top["metadata"] != nil || top["audit_log"] != nil
        else { return nil }
        let format: String
        if top["_recovery_metadata"] != nil {
            format = Self.recoveryFormat
        } else if top["_session_store_metadata"] != nil {
            format = Self.serverFormat
        } else {
            format = Self.sessionFormat
        }
        var notes: [String] = []
        let version: String?
        switch top["version"] {
        case .string(let v)?: version = v
        case .none:
            version = "1.0.0"
            notes.append("no version key: read as 1.0.0, as the app's loader does")
        default: version = nil
        }
        if case .array? = top["audit_log"] { notes.append("audit log as a list: first audit release (9c4310c)") }
        if top["model_state"] != nil { notes.append("model_state: first audit release (9c4310c)") }
        if format == Self.serverFormat, top["_session_store_metadata"]?["expires_at"] != nil {
            notes.append("store metadata with expires_at (449b9f2 until 9c32cac)")
        }
        return DetectedFormat(
            system: system, format: format, version: version, role: .session,
            note: notes.isEmpty ? nil : notes.joined(separator: "; "))
    }

    public func importSessions(_ input: ParsedInput, as format: DetectedFormat, context: ImportContext) throws
        -> [ImportedSession]
    {
        var reader = Reader(
            r: RecordReader(file: input.file.displayPath), log: ConversionLog(options: context.options),
            zone: context.options.assumeTimeZone)
        let imported = try reader.read(input, format: format)
        return [imported]
    }

    public func snapshot(of session: Session, throughEntry index: Int) -> Session {
        ALchemistSnapshot.snapshot(of: session, throughEntry: index)
    }

    /// The server store's access times and a recovery backup's metadata belong to the copy.
    public var envelopeStateKeys: [String] { ["_session_store_metadata", "_recovery_metadata"] }

    /// Imports a document another reader rebuilt in this layout (the pickle importer turns a
    /// pickled store entry into the JSON the server store would hold), so every ALchemist
    /// source gets the same state layout, audit mapping and hash checks. `legacyID` is the
    /// store's key, decided by the caller; errors and warnings point into `document`.
    static func importDocument(
        _ document: JSONValue, file: SourceFile, as format: DetectedFormat, legacyID: String, context: ImportContext
    ) throws -> ImportedSession {
        var reader = Reader(
            r: RecordReader(file: file.displayPath), log: ConversionLog(options: context.options),
            zone: context.options.assumeTimeZone)
        reader.storeID = legacyID
        return try reader.read(ParsedInput(file: file, kind: .json, json: document), format: format)
    }
}

/// One file's conversion (a value type so each input has its own log).
private struct Reader {
    let r: RecordReader
    var log: ConversionLog
    let zone: TimeZone
    /// The store's key when the caller decided it (pickled store entries).
    var storeID: String? = nil

    mutating func read(_ input: ParsedInput, format: DetectedFormat) throws -> ImportedSession {
        guard case .object(let top)? = input.json else { throw r.error("", "expected an object at top level") }
        var state = JSONObject()
        var other = JSONObject()

        if let v = top["version"] { state["version"] = .string(try r.string(v, at: "/version")) }

        // Metadata (SessionMetadata: session_id, name, created_at, last_modified required).
        let meta = try r.object(top["metadata"], at: "/metadata")
        let appSessionID = try r.string(meta["session_id"], at: "/metadata/session_id")
        var metadata = Metadata()
        var metaRest = JSONObject()
        metadata.name = try r.string(meta["name"], at: "/metadata/name")
        metadata.description = try r.optionalString(meta["description"], at: "/metadata/description")
        metadata.owner = try r.optionalString(meta["author"], at: "/metadata/author")
        if case .null? = meta["tags"] {
            metaRest["tags"] = .null
        } else if let tags = meta["tags"] {
            metadata.tags = try r.array(tags, at: "/metadata/tags").enumerated().map { i, t in
                try r.string(t, at: "/metadata/tags/\(i)")
            }
        }
        if case .null? = meta["description"] { metaRest["description"] = .null }
        if case .null? = meta["author"] { metaRest["author"] = .null }
        _ = try r.string(meta["created_at"], at: "/metadata/created_at")
        _ = try r.string(meta["last_modified"], at: "/metadata/last_modified")
        metadata.createdAt = mapTime(meta["created_at"], at: "/metadata/created_at", key: "created_at", into: &metaRest)
        metadata.updatedAt = mapTime(
            meta["last_modified"], at: "/metadata/last_modified", key: "last_modified", into: &metaRest)
        for m in meta.members where !ALchemistLayout.metadataOrder.contains(m.key) { metaRest[m.key] = m.value }

        // The session's id (SPEC 2.3; docs: "Session ids").
        let legacyID = try legacyIdentifier(top, format: format, input: input, appSessionID: appSessionID)
        if !keyEquals(legacyID, appSessionID) {
            metaRest["session_id"] = .string(appSessionID)
            if format.format == ALchemistImporter.serverFormat || storeID != nil {
                log.warn(
                    "id-from-file-name", "/metadata/session_id",
                    "the store id \(legacyID) (the file name) is the session's id; metadata.session_id \(appSessionID) differs (a store file from before 13556ce) and is kept in state.metadata.session_id"
                )
            } else {
                log.warn(
                    "session-id-mismatch", "/metadata/session_id",
                    "the store id \(legacyID) (_recovery_metadata.session_id) is the session's id; metadata.session_id \(appSessionID) differs and is kept in state.metadata.session_id"
                )
            }
        }
        if !metaRest.isEmpty { state["metadata"] = .object(metaRest) }

        // Audit log: object (entries + snapshots) or, in 9c4310c, a bare list.
        var auditState = JSONObject()
        var entryValues: [JSONValue] = []
        var entriesBase = "/audit_log/entries"
        switch top["audit_log"] {
        case .none: auditState["form"] = "absent"
        case .array(let list)?:
            auditState["form"] = "list"
            entryValues = list
            entriesBase = "/audit_log"
        case .object(let o)?:
            auditState["form"] = "object"
            if let e = o["entries"] {
                entryValues = try r.array(e, at: "/audit_log/entries")
            } else {
                auditState["entries_absent"] = true
            }
            if let ss = o["search_space"] { auditState["search_space"] = ss }
            var extra = JSONObject()
            for m in o.members where !ALchemistLayout.auditLogOrder.contains(m.key) { extra[m.key] = m.value }
            if !extra.isEmpty { auditState["extra"] = .object(extra) }
        case let v?: throw r.error("/audit_log", "expected an object or a list, found \(v.kindName)")
        }

        // Search space: the loader reads search_space.variables[*].name/type.
        let searchSpace = try r.object(top["search_space"], at: "/search_space")
        if let vars = searchSpace["variables"] {
            for (i, v) in try r.array(vars, at: "/search_space/variables").enumerated() {
                let o = try r.object(v, at: "/search_space/variables/\(i)")
                _ = try r.string(o["name"], at: "/search_space/variables/\(i)/name")
                _ = try r.string(o["type"], at: "/search_space/variables/\(i)/type")
            }
        }
        if let dv = searchSpace["derived_variables"] { _ = try r.array(dv, at: "/search_space/derived_variables") }
        state["search_space"] = .object(searchSpace)
        let variables = ALchemistLayout.variableNames(.object(searchSpace))

        // Experiments: DataFrame records; the column order is recorded explicitly.
        let experiments = try r.object(top["experiments"], at: "/experiments")
        let rows = try r.array(experiments["data"], at: "/experiments/data")
        let columns = try Self.columns(of: rows, at: "/experiments/data", reader: r)
        if let t = experiments["target_columns"] {
            for (i, c) in try r.array(t, at: "/experiments/target_columns").enumerated() {
                _ = try r.string(c, at: "/experiments/target_columns/\(i)")
            }
        }
        var expState = experiments
        expState["columns"] = .array(columns.map(JSONValue.string))
        state["experiments"] = .object(expState)

        if case .object(let o)? = top["audit_log"], let snapshotRows = o["experiment_data"] {
            let snap = try r.array(snapshotRows, at: "/audit_log/experiment_data")
            let snapColumns = try Self.columns(of: snap, at: "/audit_log/experiment_data", reader: r)
            if snap == rows, snapColumns == columns, Self.sameRowOrders(snap, rows) {
                // save_session copies the current data into the log's snapshot: no need to keep it twice.
                auditState["experiment_data_is_experiments"] = true
            } else {
                auditState["experiment_data"] = .array(snap)
                auditState["experiment_data_columns"] = .array(snapColumns.map(JSONValue.string))
            }
        }
        state["audit_log"] = .object(auditState)

        // The other sections, kept as the app wrote them (types the loader relies on checked).
        for key in ["staged_experiments", "last_suggestions", "provenance"] {
            if let v = top[key] {
                if !v.isNull { _ = try r.array(v, at: "/" + key) }
                state[key] = v
            }
        }
        for key in ["objective_metadata", "config", "model_config", "model_state", "_session_store_metadata"] {
            if let v = top[key] {
                state[key] = .object(try r.object(v, at: "/" + key))
            }
        }
        if let v = top["_recovery_metadata"] {
            let o = try r.object(v, at: "/_recovery_metadata")
            _ = try r.string(o["session_id"], at: "/_recovery_metadata/session_id")
            state["_recovery_metadata"] = v
        }
        for m in top.members where !ALchemistLayout.topLevelOrder.contains(m.key) { other[m.key] = m.value }
        if !other.isEmpty { state["other"] = .object(other) }

        // Member orders canonical JSON would lose (rows and entries are recorded elsewhere).
        var orders: [(key: String, value: JSONValue)] = []
        let snapshotColumns: [String]
        if case .object(let o)? = top["audit_log"], case .array(let snap)? = o["experiment_data"] {
            snapshotColumns = try Self.columns(of: snap, at: "/audit_log/experiment_data", reader: r)
        } else {
            snapshotColumns = []
        }
        let isListLog = top["audit_log"]?.arrayValue != nil
        ALchemistLayout.recordOrders(
            input.json ?? .null, path: [],
            template: ALchemistLayout.documentTemplate(
                columns: columns, snapshotColumns: snapshotColumns, variables: variables),
            skip: { p in
                (p.count == 1 && p[0] == "audit_log" && isListLog)
                    || (p.count == 2 && p[0] == "audit_log" && p[1] == "entries")
            }, into: &orders)
        if !orders.isEmpty { state["key_order"] = .object(JSONObject(orders)) }

        // Audit entries.
        var entries: [AuditEntry] = []
        for (i, v) in entryValues.enumerated() {
            entries.append(try entry(v, at: "\(entriesBase)/\(i)", variables: variables))
        }

        let origin = Origin(
            system: ALchemistLayout.system, format: format.qualifiedName, legacyID: legacyID,
            extra: log.naiveTimes > 0 ? log.originExtra : JSONObject())
        var session = Session(
            sessionID: SessionID.derive(system: ALchemistLayout.system, legacyID: legacyID), origin: origin,
            metadata: metadata, state: state, auditLog: entries)
        session.sealAuditLog()
        // The session's own modification time decides between a server file and its recovery
        // backup (SPEC 2.3), never the store's last_accessed or the backup time.
        return ImportedSession(session: session, warnings: log.allWarnings, modifiedAt: metadata.updatedAt)
    }

    /// The app's id for the session in this file. The REST store keys its files by a uuid4
    /// (the file name; `_recovery_metadata.session_id` for backups), which is the id clients
    /// use; before 13556ce `metadata.session_id` could differ from it.
    func legacyIdentifier(_ top: JSONObject, format: DetectedFormat, input: ParsedInput, appSessionID: String) throws
        -> String
    {
        if let storeID { return storeID }
        switch format.format {
        case ALchemistImporter.recoveryFormat:
            return try r.string(top["_recovery_metadata"]?["session_id"], at: "/_recovery_metadata/session_id")
        case ALchemistImporter.serverFormat:
            var stem = input.file.fileName
            if stem.hasSuffix(".json") { stem.removeLast(5) }
            // Only a uuid file name is the store's key; anything else (a renamed copy) is not an id.
            if SessionID.normalizedUUID(stem) != nil { return stem }
            return appSessionID
        default:
            return appSessionID
        }
    }

    /// A canonical time for a common field; the app's text is kept in `state` only when the
    /// canonical time would not give it back (an offset, a zone gap, a malformed value).
    mutating func mapTime(
        _ value: JSONValue?, at location: @autoclosure () -> String, key: String, into rest: inout JSONObject
    ) -> String? {
        guard let value else { return nil }
        let canonical = log.time(value, at: location())
        if ALchemistLayout.appTime(canonical, zone: zone).map(JSONValue.string) != value { rest[key] = value }
        return canonical
    }

    mutating func entry(_ value: JSONValue, at path: String, variables: [String]) throws -> AuditEntry {
        let o = try r.object(value, at: path)
        let type = try r.string(o["entry_type"], at: path + "/entry_type")
        let parameters = try r.object(o["parameters"], at: path + "/parameters")
        let hash = try r.string(o["hash"], at: path + "/hash")
        _ = try r.string(o["timestamp"], at: path + "/timestamp")
        let notes = try r.optionalString(o["notes"], at: path + "/notes")

        var payload = JSONObject()
        payload["parameters"] = .object(parameters)
        payload["hash"] = .string(hash)
        let (kind, keepType) = ALchemistLayout.kind(forEntryType: type)
        if keepType { payload["entry_type"] = .string(type) }
        if case .null? = o["notes"] { payload["notes"] = .null }
        let timestamp = mapTime(o["timestamp"], at: path + "/timestamp", key: "timestamp", into: &payload)
        var extra = JSONObject()
        for m in o.members where !ALchemistLayout.entryOrder.contains(m.key) { extra[m.key] = m.value }
        if !extra.isEmpty { payload["entry_extra"] = .object(extra) }
        var orders: [(key: String, value: JSONValue)] = []
        ALchemistLayout.recordOrders(
            value, path: [],
            template: { ALchemistLayout.entryTemplate(entryType: type, path: $0, variables: variables) },
            into: &orders)
        if !orders.isEmpty { payload["key_order"] = .object(JSONObject(orders)) }

        let expected = ALchemistLayout.auditHash(.object(parameters))
        if expected != hash {
            log.warn(
                "hash-mismatch", path + "/hash",
                "the entry's hash is \(hash), but its parameters give \(expected) (sha256 of json.dumps(parameters, sort_keys=True))"
            )
        }
        let iteration = parameters["iteration"]?.intValue
        return AuditEntry(
            kind: kind, timestamp: timestamp, iteration: iteration, actor: nil, notes: notes, payload: payload)
    }

    /// The DataFrame's columns: every row's keys, in first-seen order. Keys are told apart by
    /// their bytes, as everywhere else; a row with exactly the columns so far, in order (nearly
    /// every row of a DataFrame's records), is passed over without a lookup per key.
    static func columns(of rows: [JSONValue], at path: String, reader r: RecordReader) throws -> [String] {
        var columns: [String] = []
        for (i, row) in rows.enumerated() {
            let o = try r.object(row, at: "\(path)/\(i)")
            if sameKeys(o, columns) { continue }
            for m in o.members where !columns.contains(where: { keyEquals($0, m.key) }) { columns.append(m.key) }
        }
        return columns
    }

    /// Whether the object's keys are exactly `keys`, in this order.
    static func sameKeys(_ o: JSONObject, _ keys: [String]) -> Bool {
        o.count == keys.count && zip(o.members, keys).allSatisfy { keyEquals($0.key, $1) }
    }

    static func sameRowOrders(_ a: [JSONValue], _ b: [JSONValue]) -> Bool {
        zip(a, b).allSatisfy { x, y in
            switch (x, y) {
            case (.object(let ox), .object(let oy)): return sameKeys(ox, oy.members.map(\.key))
            case (.object, _), (_, .object): return false
            default: return true
            }
        }
    }
}
