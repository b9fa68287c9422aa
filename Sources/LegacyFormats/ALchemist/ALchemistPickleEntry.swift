import Foundation
import Pickle
import SessionModel

/// Turns an interpreted store entry into the JSON document the JSON-era store would hold for the
/// same session, plus `state.pickle` for what that document has no place for.
///
/// Locations in errors are JSON Pointers into the pickled entry dict, with object fields as
/// members (`/session/experiment_manager/df`).
struct PickleEntryReader {
    let file: String
    let entry: PickleStoreEntry

    /// What `document(legacyID:)` builds.
    struct Built {
        var document: JSONValue
        var pickleState: JSONObject
        /// The session had no `metadata` (before 9c4310c); the document's was made from the store times.
        var metadataAbsent: Bool
        /// The DataFrame's columns when it has no rows (rows carry them otherwise).
        var columns: [String]?
    }

    func error(_ location: String, _ reason: String) -> FormatError {
        FormatError(file: file, location: location, reason: reason)
    }

    /// The session's legacy id: the store keys its files by `str(uuid4())`, which is the id the
    /// REST API and its clients use; a renamed copy falls back to `metadata.session_id`.
    func storeID(fileName: String) throws -> String {
        var stem = fileName
        if stem.hasSuffix(".pkl") { stem.removeLast(4) }
        if SessionID.normalizedUUID(stem) != nil { return stem }
        if case .string(let id)? = entry.session["metadata"]?["session_id"] { return id }
        throw error(
            "/session",
            "the file name is not a store id (a uuid) and the session has no metadata.session_id, so it has no id")
    }

    func document(legacyID: String) throws -> Built {
        var pickleState = JSONObject()
        var doc = JSONObject()

        // Store bookkeeping: naive local datetimes, written as the JSON store writes them (isoformat()).
        var store = JSONObject()
        var entryOther = JSONObject()
        for e in entry.entries {
            guard case .string(let key) = e.key else {
                throw error("", "the store entry has a key that is not a string (\(Self.typeName(e.key)))")
            }
            switch key {
            case "session": continue
            case "created_at", "last_accessed", "expires_at":
                switch e.value {
                case .dateTime(let t): store[key] = .string(t.isoformat)
                case .string(let s): store[key] = .string(s)
                case .none: store[key] = .null
                default: throw error("/" + key, "expected a datetime, found \(Self.typeName(e.value))")
                }
            default: entryOther[key] = Self.json(e.value)
            }
        }
        let entryKeys = entry.entries.compactMap(\.key.stringValue)
        if entryKeys != ["session", "created_at", "last_accessed", "expires_at"] {
            pickleState["entry_keys"] = .array(entryKeys.map(JSONValue.string))
        }
        if !entryOther.isEmpty { pickleState["entry_other"] = .object(entryOther) }

        let session = entry.session
        var sessionOther = JSONObject()
        let fieldNames = session.fields.map { $0.key.stringValue ?? Self.typeName($0.key) }

        // Metadata (SessionMetadata, since 9c4310c), else made from the store's times.
        var metadataAbsent = false
        if let m = session["metadata"], !Self.isNone(m) {
            doc["metadata"] = .object(
                try fields(of: m, at: "/session/metadata", className: &pickleState, key: "metadata"))
        } else {
            metadataAbsent = true
            guard case .string(let created)? = store["created_at"] else {
                throw error("/created_at", "the session has no metadata and the store entry no created_at")
            }
            var m = JSONObject()
            m["session_id"] = .string(legacyID)
            m["name"] = "Untitled Session"  // required by the document; the canonical name is set to null after
            m["created_at"] = .string(created)
            m["last_modified"] = store["last_accessed"] ?? .string(created)
            doc["metadata"] = .object(m)
        }

        // Audit log: AuditLog.to_dict() of the code that pickled it: a list (9c4310c), or an
        // object once the log had its search-space and data snapshots.
        if let log = session["audit_log"], !Self.isNone(log) {
            doc["audit_log"] = try auditLog(log, pickleState: &pickleState)
        }

        // Search space: save_session writes {"variables": [...]}; the rest is the skopt view of it.
        guard let space = session["search_space"], case .dataObject(let spaceObject) = space else {
            throw error(
                "/session/search_space",
                "expected a SearchSpace, found \(session["search_space"].map(Self.typeName) ?? "nothing")")
        }
        guard let variables = spaceObject["variables"], variables.arrayValue != nil else {
            throw error("/session/search_space/variables", "expected a list of variables")
        }
        var spaceDoc = JSONObject()
        spaceDoc["variables"] = Self.json(variables)
        if let derived = spaceObject["derived_variables"] { spaceDoc["derived_variables"] = Self.json(derived) }
        doc["search_space"] = .object(spaceDoc)
        pickleState["search_space"] = .object(
            Self.objectState(spaceObject, mapped: ["variables", "derived_variables"]))

        // Experiments: the ExperimentManager's DataFrame as to_dict(orient='records').
        guard let manager = session["experiment_manager"], case .dataObject(let managerObject) = manager else {
            throw error(
                "/session/experiment_manager",
                "expected an ExperimentManager, found \(session["experiment_manager"].map(Self.typeName) ?? "nothing")")
        }
        guard let frameValue = managerObject["df"] else {
            throw error("/session/experiment_manager/df", "the ExperimentManager has no DataFrame")
        }
        guard case .dataFrame(let frame) = frameValue else {
            throw error(
                "/session/experiment_manager/df",
                "expected a pandas DataFrame readable as data, found \(Self.typeName(frameValue))")
        }
        let (rows, frameState) = try records(frame, at: "/session/experiment_manager/df")
        var experiments = JSONObject()
        experiments["data"] = .array(rows)
        experiments["n_total"] = .int(frame.rowCount)
        doc["experiments"] = .object(experiments)
        var managerState = Self.objectState(managerObject, mapped: ["df", "search_space"])
        managerState["df"] = .object(frameState)
        if let managerSpace = managerObject["search_space"] {
            // The manager holds the session's SearchSpace (one object, memoized); only a
            // different one is worth keeping.
            if managerSpace == space {
                managerState["search_space_is_session_search_space"] = true
            } else {
                managerState["search_space"] = Self.json(managerSpace)
            }
        }
        pickleState["experiment_manager"] = .object(managerState)

        if let config = session["config"], !Self.isNone(config) {
            guard config.dictValue != nil, case .object = Self.json(config) else {
                throw error("/session/config", "expected a dict, found \(Self.typeName(config))")
            }
            doc["config"] = Self.json(config)
        }
        if !store.isEmpty { doc["_session_store_metadata"] = .object(store) }

        // Every other field of the session (events, model, model_backend, acquisition, …).
        let mapped: Set<String> = ["metadata", "audit_log", "search_space", "experiment_manager", "config"]
        for f in session.fields {
            guard let name = f.key.stringValue, !mapped.contains(name) else { continue }
            sessionOther[name] = Self.json(f.value)
        }
        var sessionState = JSONObject()
        sessionState["class"] = .string(session.className)
        sessionState["fields"] = .array(fieldNames.map(JSONValue.string))
        if !sessionOther.isEmpty { sessionState["other"] = .object(sessionOther) }
        pickleState["session"] = .object(sessionState)

        let columns = frame.columns.compactMap(\.name.stringValue)
        return Built(
            document: .object(doc), pickleState: pickleState, metadataAbsent: metadataAbsent,
            columns: frame.rowCount == 0 && !columns.isEmpty ? columns : nil)
    }

    /// A dataclass instance (or a dict) as the object `asdict` gives; its class goes to `state.pickle`.
    private func fields(of value: PickleData, at location: String, className state: inout JSONObject, key: String)
        throws -> JSONObject
    {
        switch value {
        case .dataObject(let o):
            var s = JSONObject()
            s["class"] = .string(o.className)
            state[key] = .object(s)
            return Self.jsonObject(o.fields)
        case .dict(let entries), .orderedDict(let entries):
            return Self.jsonObject(entries)
        default:
            throw error(
                location,
                "expected a \(key == "metadata" ? "SessionMetadata" : "dataclass"), found \(Self.typeName(value))")
        }
    }

    private func auditLog(_ value: PickleData, pickleState: inout JSONObject) throws -> JSONValue {
        let base = "/session/audit_log"
        guard case .dataObject(let log) = value else {
            throw error(base, "expected an AuditLog, found \(Self.typeName(value))")
        }
        guard let entriesValue = log["entries"], let items = entriesValue.arrayValue else {
            throw error(base + "/entries", "expected a list of AuditEntry")
        }
        var entries: [JSONValue] = []
        for (i, item) in items.enumerated() {
            switch item {
            case .dataObject(let e): entries.append(.object(Self.jsonObject(e.fields)))
            case .dict(let e): entries.append(.object(Self.jsonObject(e)))
            default: throw error("\(base)/entries/\(i)", "expected an AuditEntry, found \(Self.typeName(item))")
            }
        }
        var logState = Self.objectState(log, mapped: ["entries", "search_space_definition", "experiment_data"])
        let hasSnapshots = log["search_space_definition"] != nil || log["experiment_data"] != nil
        guard hasSnapshots else {
            pickleState["audit_log"] = .object(logState)
            return .array(entries)
        }
        var out = JSONObject()
        out["entries"] = .array(entries)
        if let ss = log["search_space_definition"], !Self.isNone(ss) { out["search_space"] = Self.json(ss) }
        if let data = log["experiment_data"], !Self.isNone(data) {
            guard case .dataFrame(let frame) = data else {
                throw error(base + "/experiment_data", "expected a pandas DataFrame, found \(Self.typeName(data))")
            }
            let (rows, frameState) = try records(frame, at: base + "/experiment_data")
            out["experiment_data"] = .array(rows)
            logState["experiment_data"] = .object(frameState)
        }
        pickleState["audit_log"] = .object(logState)
        return .object(out)
    }

    /// `DataFrame.to_dict(orient='records')`, and the frame's own description (column dtypes,
    /// a non-default index) for `state.pickle`.
    private func records(_ frame: PickleDataFrame, at location: String) throws -> ([JSONValue], JSONObject) {
        var names: [String] = []
        for (i, c) in frame.columns.enumerated() {
            guard case .string(let name) = c.name else {
                throw error(
                    "\(location)/columns/\(i)", "a column label that is not a string (\(Self.typeName(c.name)))")
            }
            guard c.values.count == frame.rowCount else {
                throw error(
                    "\(location)/columns/\(i)",
                    "column \"\(name)\" has \(c.values.count) values for \(frame.rowCount) rows")
            }
            names.append(name)
        }
        var rows: [JSONValue] = []
        rows.reserveCapacity(frame.rowCount)
        for r in 0..<frame.rowCount {
            rows.append(.object(JSONObject(zip(names, frame.columns).map { ($0, Self.json($1.values[r])) })))
        }
        var state = JSONObject()
        state["dtypes"] = .object(JSONObject(zip(names, frame.columns).map { ($0, JSONValue.string($1.dtype)) }))
        let defaultIndex = frame.index.enumerated().allSatisfy { $1 == .int($0) }
        if !defaultIndex { state["index"] = .array(frame.index.map(Self.json)) }
        if !Self.isNone(frame.indexName) { state["index_name"] = Self.json(frame.indexName) }
        return (rows, state)
    }

    /// An allowlisted object's class, field order and the fields not mapped elsewhere.
    static func objectState(_ o: PickleDataObject, mapped: Set<String>) -> JSONObject {
        var s = JSONObject()
        s["class"] = .string(o.className)
        s["fields"] = .array(o.fields.map { .string($0.key.stringValue ?? typeName($0.key)) })
        var other = JSONObject()
        for f in o.fields {
            guard let name = f.key.stringValue, !mapped.contains(name) else { continue }
            other[name] = json(f.value)
        }
        if !other.isEmpty { s["other"] = .object(other) }
        return s
    }

    // MARK: - Values

    static func isNone(_ v: PickleData) -> Bool {
        if case .none = v { return true }
        return false
    }

    /// The JSON value `json.dump(default=str)` would write for plain data (what save_session
    /// does), with tagged objects for Python values JSON has no form for, and objects that are
    /// not data reduced to `{"not_data": "<class>"}` (never executed).
    static func json(_ d: PickleData) -> JSONValue {
        switch d {
        case .none: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .bigInt(let b): return b.intValue.map(JSONValue.int) ?? .bigInt(b.description)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .uuid(let s): return .string(s)
        case .list(let items), .tuple(let items): return .array(items.map(json))
        case .dict(let entries), .orderedDict(let entries), .defaultDict(_, let entries):
            return .object(jsonObject(entries))
        case .dateTime(let t):
            // str(datetime), as default=str writes it.
            return .string(t.isoformat.replacingOccurrences(of: "T", with: " "))
        case .date(let t): return .string(t.isoformat)
        case .time(let t): return .string(t.isoformat)
        case .timeDelta(let t):
            return tagged(
                "timedelta",
                .object(
                    JSONObject([
                        ("days", .int(t.days)), ("seconds", .int(t.seconds)), ("microseconds", .int(t.microseconds)),
                    ])))
        case .complex(let re, let im): return tagged("complex", .array([.float(re), .float(im)]))
        case .bytes(let b): return tagged("bytes", .string(Data(b).base64EncodedString()))
        case .bytearray(let b): return tagged("bytearray", .string(Data(b).base64EncodedString()))
        case .set(let items): return tagged("set", .array(items.map(json)))
        case .frozenset(let items): return tagged("frozenset", .array(items.map(json)))
        case .global(let module, let name): return tagged("global", .string("\(module).\(name)"))
        case .ndarray(let a):
            return tagged(
                "ndarray",
                .object(
                    JSONObject([
                        ("dtype", .string(a.dtype.name)), ("shape", .array(a.shape.map(JSONValue.int))),
                        ("values", .array(a.values.map(json))),
                    ])))
        case .dtype(let t): return tagged("dtype", .string(t.name))
        case .dataFrame(let f):
            let columns = f.columns.map { c in
                JSONValue.object(
                    JSONObject([
                        ("name", json(c.name)), ("dtype", .string(c.dtype)), ("values", .array(c.values.map(json))),
                    ]))
            }
            return tagged(
                "DataFrame", .object(JSONObject([("columns", .array(columns)), ("index", .array(f.index.map(json)))])))
        case .dataObject(let o):
            return .object(JSONObject([("class", .string(o.className)), ("fields", .object(jsonObject(o.fields)))]))
        case .opaque(let o): return .object(JSONObject([("not_data", .string(className(o)))]))
        case .cycle: return .object(JSONObject([("not_data", "<reference to an enclosing container>")]))
        }
    }

    private static func tagged(_ type: String, _ value: JSONValue) -> JSONValue {
        .object(JSONObject([("python_type", .string(type)), ("value", value)]))
    }

    /// Dict entries with json.dumps's key rules (str keys as they are; int, float, bool and None
    /// as their JSON text); other keys cannot be JSON keys and are written as their type.
    static func jsonObject(_ entries: [PickleDataEntry]) -> JSONObject {
        var o = JSONObject()
        for e in entries {
            let key: String
            switch e.key {
            case .string(let s): key = s
            case .int(let i): key = String(i)
            case .bigInt(let b): key = b.description
            case .bool(let b): key = b ? "true" : "false"
            case .none: key = "null"
            case .float(let f): key = PythonText.floatRepr(f)
            default: key = "<\(typeName(e.key))>"
            }
            o[key] = json(e.value)
        }
        return o
    }

    /// The class an opaque object would have been an instance of (seeing through copyreg).
    static func className(_ o: PickleObject) -> String {
        if let (module, name) = o.global, module == "copyreg",
            name == "_reconstructor" || name == "__newobj__" || name == "__newobj_ex__",
            case .global(let m, let n)? = o.args.first
        {
            return "\(m).\(n)"
        }
        return o.className
    }

    static func typeName(_ d: PickleData) -> String {
        switch d {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .complex: return "complex"
        case .string: return "str"
        case .bytes: return "bytes"
        case .bytearray: return "bytearray"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .set: return "set"
        case .frozenset: return "frozenset"
        case .orderedDict: return "OrderedDict"
        case .defaultDict: return "defaultdict"
        case .dateTime: return "datetime"
        case .date: return "date"
        case .time: return "time"
        case .timeDelta: return "timedelta"
        case .uuid: return "UUID"
        case .global(let m, let n): return "\(m).\(n)"
        case .ndarray: return "numpy.ndarray"
        case .dtype: return "numpy.dtype"
        case .dataFrame: return "pandas.DataFrame"
        case .dataObject(let o): return o.className
        case .opaque(let o): return "\(className(o)) (not data)"
        case .cycle: return "a reference to an enclosing container"
        }
    }

    // MARK: - Locations

    /// A JSON Pointer into the rebuilt document, as the place in the pickled entry.
    static func picklePointer(_ location: String) -> String {
        func under(_ prefix: String) -> String? {
            if location == prefix { return "" }
            if location.hasPrefix(prefix + "/") { return String(location.dropFirst(prefix.count)) }
            return nil
        }
        if let rest = under("/experiments/data") { return "/session/experiment_manager/df/records" + rest }
        if let rest = under("/experiments") { return "/session/experiment_manager/df" + rest }
        if let rest = under("/_session_store_metadata") { return rest }
        if let rest = under("/audit_log/search_space") { return "/session/audit_log/search_space_definition" + rest }
        for key in ["/metadata", "/audit_log", "/search_space", "/config"] {
            if let rest = under(key) { return "/session" + key + rest }
        }
        return location
    }
}
