import Foundation
import SessionModel

/// What the ALchemist importer and exporters share: the app's member orders, the audit-kind
/// mapping, the audit hash, and the rules that record member orders the canonical format would
/// otherwise lose (canonical JSON sorts keys; ALchemist writes them in its own order, and the
/// order of a DataFrame's columns carries meaning).
///
/// See docs/mapping/alchemist.md for the state layout these helpers read and write.
enum ALchemistLayout {
    static let system = "alchemist"

    // MARK: - The app's member orders (FORMATS.md 1.1; dataclass and dict-literal orders)

    /// Top-level keys of `save_session`, then the store's and the recovery backup's keys.
    static let topLevelOrder = [
        "version", "metadata", "audit_log", "search_space", "experiments", "staged_experiments",
        "objective_metadata", "last_suggestions", "provenance", "config", "model_config", "model_state",
        "_session_store_metadata", "_recovery_metadata",
    ]
    /// `SessionMetadata` (dataclass field order).
    static let metadataOrder = ["session_id", "name", "created_at", "last_modified", "description", "author", "tags"]
    /// `AuditEntry` (dataclass field order).
    static let entryOrder = ["timestamp", "entry_type", "parameters", "hash", "notes"]
    static let auditLogOrder = ["entries", "search_space", "experiment_data"]
    static let experimentsOrder = ["data", "n_total", "target_columns"]
    static let searchSpaceOrder = ["variables", "derived_variables"]
    static let variableOrder = ["name", "type", "min", "max", "values"]
    static let derivedVariableOrder = ["name", "input_cols", "description"]
    static let queueItemOrder = [
        "id", "inputs", "reason", "status", "output", "noise", "error", "dataset_ref", "actual_inputs", "staged_at",
        "started_at", "completed_at",
    ]
    static let provenanceOrder = [
        "id", "iteration", "strategy", "acq_params", "suggested", "actual", "delta", "output", "noise", "timestamp",
    ]
    static let modelConfigOrder = ["backend", "kernel", "kernel_params", "hyperparameters", "metrics"]
    static let modelStateOrder = ["backend", "trained", "kernel", "hyperparameters"]
    static let configOrder = ["random_state", "verbose", "auto_train", "auto_train_threshold"]
    static let storeMetadataOrder = ["created_at", "last_accessed", "expires_at"]
    static let recoveryMetadataOrder = ["session_id", "backup_time", "session_name"]
    static let metricsOrder = ["rmse", "mae", "r2"]

    /// The order `AuditLog.lock_*` / `log_*` build each entry type's parameters in.
    static func parametersOrder(entryType: String) -> [String] {
        switch entryType {
        case "data_locked": return ["n_experiments", "variables", "data_hash"]
        case "model_locked": return ["backend", "kernel", "hyperparameters", "cv_metrics", "iteration"]
        case "acquisition_locked": return ["strategy", "parameters", "suggestions", "iteration"]
        case "config_changed": return ["component", "old", "new", "iteration"]
        case "objective_label_changed": return ["old", "new"]
        case "experiment_completed": return provenanceOrder
        default: return []
        }
    }

    /// The template for an object at a path of the legacy document (array indices as
    /// numbers); nil means "code-point order".
    static func template(documentPath p: [String]) -> [String]? {
        func isIndex(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        switch p.count {
        case 0: return topLevelOrder
        case 1:
            switch p[0] {
            case "metadata": return metadataOrder
            case "audit_log": return auditLogOrder
            case "search_space": return searchSpaceOrder
            case "experiments": return experimentsOrder
            case "config": return configOrder
            case "model_config": return modelConfigOrder
            case "model_state": return modelStateOrder
            case "_session_store_metadata": return storeMetadataOrder
            case "_recovery_metadata": return recoveryMetadataOrder
            default: return nil
            }
        case 2:
            if p[0] == "model_config", p[1] == "metrics" { return metricsOrder }
            if p[0] == "staged_experiments", isIndex(p[1]) { return queueItemOrder }
            if p[0] == "provenance", isIndex(p[1]) { return provenanceOrder }
            return nil
        case 3:
            if p[0] == "search_space", p[1] == "variables", isIndex(p[2]) { return variableOrder }
            if p[0] == "search_space", p[1] == "derived_variables", isIndex(p[2]) { return derivedVariableOrder }
            return nil
        case 4:
            if p[0] == "audit_log", p[1] == "search_space", p[2] == "variables", isIndex(p[3]) { return variableOrder }
            return nil
        default: return nil
        }
    }

    /// The document's templates, with a DataFrame's rows following its column list and any
    /// other object keyed by variable names (suggestions, inputs, provenance records) following
    /// the search space's variable order.
    static func documentTemplate(columns: [String], snapshotColumns: [String], variables: [String])
        -> ([String]) -> [String]?
    {
        { p in
            if p.count == 3, p[0] == "experiments", p[1] == "data" { return columns }
            if p.count == 3, p[0] == "audit_log", p[1] == "experiment_data" { return snapshotColumns }
            return template(documentPath: p) ?? variables
        }
    }

    /// The search space's variable names, in order (the fallback order of variable-keyed objects).
    static func variableNames(_ searchSpace: JSONValue?) -> [String] {
        (searchSpace?["variables"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    /// Templates inside one audit entry (path relative to the entry object); variable-keyed
    /// objects follow `variables`.
    static func entryTemplate(entryType: String, path: [String], variables: [String]) -> [String]? {
        if path.isEmpty { return entryOrder }
        if path[0] == "parameters" {
            return parametersTemplate(entryType: entryType, path: Array(path.dropFirst())) ?? variables
        }
        return variables
    }

    /// Templates inside an entry's parameters (path relative to `parameters`).
    static func parametersTemplate(entryType: String, path: [String]) -> [String]? {
        if path.isEmpty { return parametersOrder(entryType: entryType) }
        if entryType == "model_locked", path == ["cv_metrics"] { return metricsOrder }
        if entryType == "data_locked", path.count == 2, path[0] == "variables" { return variableOrder }
        return nil
    }

    // MARK: - Ordering objects

    /// `keys` in template order: the template's keys that are present first, then the rest
    /// in code-point order. Without a template, plain code-point order.
    static func expectedOrder(_ keys: [String], template: [String]?) -> [String] {
        guard let template else { return keys.sorted(by: keyPrecedes) }
        var out: [String] = []
        for t in template where keys.contains(where: { keyEquals($0, t) }) { out.append(t) }
        let rest = keys.filter { k in !template.contains(where: { keyEquals($0, k) }) }.sorted(by: keyPrecedes)
        return out + rest
    }

    /// Reorders an object's members: a recorded order first (keys it names that exist), then
    /// the expected order for whatever it does not name.
    static func ordered(_ o: JSONObject, recorded: [String]?, template: [String]?) -> JSONObject {
        let expected = expectedOrder(o.keys, template: template)
        guard let recorded else { return JSONObject(expected.compactMap { k in o[k].map { (k, $0) } }) }
        var keys: [String] = []
        for k in recorded where o[k] != nil && !keys.contains(where: { keyEquals($0, k) }) { keys.append(k) }
        for k in expected where !keys.contains(where: { keyEquals($0, k) }) { keys.append(k) }
        return JSONObject(keys.compactMap { k in o[k].map { (k, $0) } })
    }

    /// Walks `value` and records, as `pointer → keys`, every object whose member order differs
    /// from what `template` gives. `skip` stops the walk at paths recorded another way (rows).
    static func recordOrders(
        _ value: JSONValue, path: [String], template: ([String]) -> [String]?,
        skip: ([String]) -> Bool = { _ in false },
        into out: inout [(key: String, value: JSONValue)]
    ) {
        var path = path
        walkOrders(value, path: &path, template: template, skip: skip, into: &out)
    }

    /// The walk behind ``recordOrders``: one path array, pushed and popped, and an order check
    /// that allocates nothing for the common case (an object already in its expected order).
    private static func walkOrders(
        _ value: JSONValue, path: inout [String], template: ([String]) -> [String]?,
        skip: ([String]) -> Bool, into out: inout [(key: String, value: JSONValue)]
    ) {
        if skip(path) { return }
        switch value {
        case .object(let o):
            if !isInExpectedOrder(o, template: template(path)) {
                out.append((pointer(path), .array(o.keys.map(JSONValue.string))))
            }
            // Only containers have member orders: scalars are not visited (most of a
            // session's values; no path component is made for them).
            for m in o.members where m.value.isContainer {
                path.append(m.key)
                walkOrders(m.value, path: &path, template: template, skip: skip, into: &out)
                path.removeLast()
            }
        case .array(let a):
            for (i, v) in a.enumerated() where v.isContainer {
                path.append(String(i))
                walkOrders(v, path: &path, template: template, skip: skip, into: &out)
                path.removeLast()
            }
        default: break
        }
    }

    /// Whether `o.keys == expectedOrder(o.keys, template:)`: the template's keys first, in the
    /// template's order, then the others in code point order.
    static func isInExpectedOrder(_ o: JSONObject, template: [String]?) -> Bool {
        guard let template else { return o.isSortedByCodePoint }
        var lastTemplateIndex = -1
        var previousOther: String?
        for m in o.members {
            if let t = position(of: m.key, in: template) {
                if previousOther != nil || t <= lastTemplateIndex { return false }
                lastTemplateIndex = t
            } else {
                if let previousOther, !keyPrecedes(previousOther, m.key) { return false }
                previousOther = m.key
            }
        }
        return true
    }

    /// Where `key` stands in `template` (compared by bytes, lengths first: every member of
    /// every walked object is looked for).
    private static func position(of key: String, in template: [String]) -> Int? {
        withUTF8Bytes(of: key) { k in
            template.firstIndex { candidate in
                candidate.utf8.count == k.count
                    && withUTF8Bytes(of: candidate) { c in k.count == 0 || memcmp(c.baseAddress!, k.baseAddress!, k.count) == 0 }
            }
        }
    }

    /// Rebuilds member orders in `value`: recorded orders from `orders`, templates elsewhere.
    static func applyOrders(
        _ value: JSONValue, path: [String], orders: JSONObject?, template: ([String]) -> [String]?,
        skip: ([String]) -> Bool = { _ in false }
    ) -> JSONValue {
        if skip(path) { return value }
        switch value {
        case .object(let o):
            let recorded = orders?[pointer(path)]?.arrayValue?.compactMap(\.stringValue)
            let base = ordered(o, recorded: recorded, template: template(path))
            return .object(
                JSONObject(
                    base.members.map { m in
                        (
                            m.key,
                            applyOrders(m.value, path: path + [m.key], orders: orders, template: template, skip: skip)
                        )
                    }))
        case .array(let a):
            return .array(
                a.enumerated().map { i, v in
                    applyOrders(v, path: path + [String(i)], orders: orders, template: template, skip: skip)
                })
        default: return value
        }
    }

    /// RFC 6901 pointer of a path ("" for the root).
    static func pointer(_ path: [String]) -> String { JSONPointer.pointer(path) }

    // MARK: - Audit kinds

    /// `data_locked` → `lock.data`, …; other entry types keep their name under `alchemist.`.
    /// A type that is not a lowercase word becomes `alchemist.other` with the original kept in
    /// the payload (`entry_type`), so every kind validates.
    static func kind(forEntryType type: String) -> (kind: String, keepType: Bool) {
        switch type {
        case "data_locked": return ("lock.data", false)
        case "model_locked": return ("lock.model", false)
        case "acquisition_locked": return ("lock.acquisition", false)
        default:
            if type != "other", SessionValidator.isValidKind("alchemist." + type), !type.contains(".") {
                return ("alchemist." + type, false)
            }
            return ("alchemist.other", true)
        }
    }

    /// The entry type a canonical entry is written back as (for any system's entries too).
    static func entryType(of entry: AuditEntry) -> String {
        if case .string(let t)? = entry.payload["entry_type"] { return t }
        switch entry.kind {
        case "lock.data": return "data_locked"
        case "lock.model": return "model_locked"
        case "lock.acquisition": return "acquisition_locked"
        default:
            if entry.kind.hasPrefix("alchemist.") { return String(entry.kind.dropFirst("alchemist.".count)) }
            return entry.kind
        }
    }

    // MARK: - The audit hash

    /// `sha256(json.dumps(parameters, sort_keys=True, default=str))[:16]`, as `AuditEntry.create`
    /// computes it. `default=str` only applies to non-JSON values, which a file cannot hold.
    static func auditHash(_ parameters: JSONValue) -> String {
        String(
            Digest.sha256Hex(PythonJSONWriter(indent: nil, ensureASCII: true, sortKeys: true).bytes(parameters)).prefix(
                16))
    }

    // MARK: - Times

    /// The app's text of a canonical time, as `datetime.now().isoformat()` wrote it in `zone`.
    static func appTime(_ canonical: String?, zone: TimeZone) -> String? {
        canonical.flatMap { Timestamp.pythonNaiveISO(fromCanonical: $0, in: zone) }
    }

    /// The zone recorded in `origin.assumed_timezone` (UTC when absent or unknown).
    static func zone(of session: Session) -> TimeZone {
        if case .string(let name)? = session.origin.extra["assumed_timezone"], let z = TimeZone(identifier: name) {
            return z
        }
        return TimeZone(secondsFromGMT: 0)!  // a fixed zone, not input data
    }
}
