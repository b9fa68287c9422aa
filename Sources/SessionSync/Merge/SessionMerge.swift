import SessionModel

/// The outcome of a three-way merge: the merged session (always valid `sessionsync/1`, its
/// conflicts recorded in `state["sessionsync_conflicts"]`) and the conflicts.
public struct MergeResult: Sendable {
    public var session: Session
    public var conflicts: [MergeConflict]
    /// Audit entries that were in the base and are gone from the merge (one side removed them).
    public var removedEntries: Int
    /// New audit entries taken from ours only, from theirs only, and from both.
    public var addedFromOurs: Int
    public var addedFromTheirs: Int
    public var addedByBoth: Int

    public var isClean: Bool { conflicts.isEmpty }
}

/// Three-way merge of one session (SPEC 5), usable as a git merge driver.
///
/// The rules, in full, are in docs/diff-merge.md. In short:
/// - `metadata`, `origin`, `state`: per JSON path, a change on one side wins; the same change on
///   both is fine; different changes are a ``MergeConflict/Kind/value`` conflict and the merged
///   document keeps *ours* there. Objects merge key by key; arrays of equal length element by
///   element; other arrays are values. `metadata.updated_at` changed on both sides takes the
///   later time (not a conflict: both sides touched the session, that is all it says).
/// - the audit log: base entries both sides kept, in base order; then the entries new on either
///   side, merged like the merge step of merge sort (each side keeps its order; across sides the
///   earlier time first, equal times by smaller id; an entry both added once). Entries either
///   side removed stay removed. Lock decisions taken differently, removals against changes and
///   removals against entries written after them are conflicts; every entry is kept in the log.
/// - without a base, the base audit log is the common prefix of both logs and there is no base
///   value for any path (so values differing on the two sides conflict, and keys only one side
///   has are taken).
public enum SessionMerge {
    /// The key under `state` where conflicts are recorded.
    public static let conflictsKey = "sessionsync_conflicts"

    public static func merge(base: Session?, ours: Session, theirs: Session) throws -> MergeResult {
        guard ours.sessionID == theirs.sessionID else {
            throw MergeError(
                "ours is session \(ours.sessionID) and theirs is \(theirs.sessionID): merge joins two versions of one session"
            )
        }
        if let base, base.sessionID != ours.sessionID {
            throw MergeError("the base is session \(base.sessionID), not \(ours.sessionID)")
        }
        var conflicts: [MergeConflict] = []
        let metadata = ValueMerge.merge(
            base?.metadata.jsonValue, ours.metadata.jsonValue, theirs.metadata.jsonValue, at: "/metadata",
            into: &conflicts)
        let origin = ValueMerge.merge(
            base?.origin.jsonValue, ours.origin.jsonValue, theirs.origin.jsonValue, at: "/origin", into: &conflicts)
        let state = ValueMerge.merge(
            base.map { .object($0.state) }, .object(ours.state), .object(theirs.state), at: "/state", into: &conflicts)

        let log = AuditLogMerge(base: base?.auditLog, ours: ours.auditLog, theirs: theirs.auditLog)
        conflicts += log.conflicts

        var merged = ours
        if let m = metadata.flatMap(decodeMetadata) { merged.metadata = m }
        if let o = origin.flatMap(decodeOrigin) { merged.origin = o }
        merged.state = state?.objectValue ?? ours.state
        if !conflicts.isEmpty {
            // Earlier unresolved conflicts (an array left by a previous merge) are kept.
            var records = merged.state[conflictsKey]?.arrayValue ?? []
            records += conflicts.map(\.jsonValue)
            merged.state[conflictsKey] = .array(records)
        }
        merged.auditLog = log.merged
        // Sealing renumbers seq; the ids come out unchanged, since they hash the content
        // without seq and every entry comes from a loaded session whose ids were checked.
        merged.sealAuditLog()
        return MergeResult(
            session: merged, conflicts: conflicts, removedEntries: log.removed, addedFromOurs: log.fromOurs,
            addedFromTheirs: log.fromTheirs, addedByBoth: log.fromBoth)
    }

    static func decodeMetadata(_ value: JSONValue) -> Metadata? {
        guard case .object(let o) = value else { return nil }
        return Metadata(
            name: o["name"]?.stringValue, description: o["description"]?.stringValue,
            tags: o["tags"]?.arrayValue.map { $0.compactMap(\.stringValue) }, owner: o["owner"]?.stringValue,
            status: o["status"]?.stringValue, createdAt: o["created_at"]?.stringValue,
            updatedAt: o["updated_at"]?.stringValue)
    }

    static func decodeOrigin(_ value: JSONValue) -> Origin? {
        guard case .object(var o) = value, let system = o["system"]?.stringValue, let format = o["format"]?.stringValue
        else { return nil }
        let legacyID = o["legacy_id"]?.stringValue
        for key in ["system", "format", "legacy_id"] { o.removeValue(forKey: key) }
        return Origin(system: system, format: format, legacyID: legacyID, extra: o)
    }
}

/// Three-way merge of JSON values (nil = absent).
enum ValueMerge {
    static func merge(
        _ base: JSONValue?, _ ours: JSONValue?, _ theirs: JSONValue?, at path: String,
        into conflicts: inout [MergeConflict]
    ) -> JSONValue? {
        if ours == theirs { return ours }
        if base == ours { return theirs }
        if base == theirs { return ours }
        switch (ours, theirs) {
        case (.object(let o)?, .object(let t)?):
            let b = base?.objectValue
            var out = JSONObject()
            for (key, value) in o.members {
                let m = merge(b?[key], value, t[key], at: JSONPointer.appending(path, key), into: &conflicts)
                if let m { out[key] = m }
            }
            for (key, value) in t.members where o[key] == nil {
                let m = merge(b?[key], nil, value, at: JSONPointer.appending(path, key), into: &conflicts)
                if let m { out[key] = m }
            }
            return .object(out)
        case (.array(let o)?, .array(let t)?) where o.count == t.count:
            let b = base?.arrayValue
            var out: [JSONValue] = []
            out.reserveCapacity(o.count)
            for i in o.indices {
                var baseElement: JSONValue? = nil
                if let b, i < b.count { baseElement = b[i] }
                // Both sides have element i, so the merge of it is never absent.
                out.append(merge(baseElement, o[i], t[i], at: JSONPointer.appending(path, i), into: &conflicts) ?? o[i])
            }
            return .array(out)
        case (.string(let o)?, .string(let t)?) where path == "/metadata/updated_at":
            return TimeKey(o) < TimeKey(t) ? theirs : ours
        default:
            let summary: String
            switch (ours, theirs) {
            case (nil, _): summary = "\(path): ours removed it, theirs changed it"
            case (_, nil): summary = "\(path): ours changed it, theirs removed it"
            default:
                summary =
                    base == nil
                    ? "\(path): the two sides differ (no base)" : "\(path): changed differently on both sides"
            }
            conflicts.append(
                MergeConflict(kind: .value, path: path, base: base, ours: ours, theirs: theirs, summary: summary))
            return ours
        }
    }
}
