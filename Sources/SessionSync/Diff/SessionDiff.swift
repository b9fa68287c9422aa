import LegacyFormats
import SessionModel

/// The semantic difference between two versions of one session (SPEC 5): value changes in
/// `metadata`, `origin` and `state` as JSON Pointer paths, and the audit logs compared entry
/// by entry (``AuditLogDiff``).
///
/// Entry ids are trusted as content hashes, as every loader checks them (`validate`) or
/// computes them (importers seal their logs), so sessions built by hand must be sealed first.
public struct SessionDiff: Sendable, Equatable {
    public var sessionID: String
    /// The session's name in A and in B (either may be nil).
    public var nameA: String?
    public var nameB: String?
    /// Changes under `/metadata`, `/origin`, `/state` (and `/session_id` if the ids differ),
    /// in that order, each group in code point order of its keys.
    public var changes: [ValueChange]
    public var auditLog: AuditLogDiff
    /// Paths whose changes describe the stored copy, not the session: `/origin` and the
    /// state keys the session's importer names as copy bookkeeping.
    public var envelopePrefixes: [String]

    public init(a: Session, b: Session) {
        sessionID = b.sessionID
        nameA = a.metadata.name
        nameB = b.metadata.name
        var changes = ValueDiff.changes(from: a.metadata.jsonValue, to: b.metadata.jsonValue, at: "/metadata")
        changes += ValueDiff.changes(from: a.origin.jsonValue, to: b.origin.jsonValue, at: "/origin")
        changes += ValueDiff.changes(from: .object(a.state), to: .object(b.state), at: "/state")
        if a.sessionID != b.sessionID {
            changes.append(ValueChange(path: "/session_id", old: .string(a.sessionID), new: .string(b.sessionID)))
        }
        self.changes = changes
        auditLog = AuditLogDiff(a: a.auditLog, b: b.auditLog)
        var keys = Set<String>()
        for system in [a.origin.system, b.origin.system] {
            keys.formUnion(LegacySystems.importer(forSystem: system)?.envelopeStateKeys ?? [])
        }
        envelopePrefixes = ["/origin"] + keys.sorted().map { "/state/" + JSONPointer.escape($0) }
    }

    /// Whether a change is to the copy's bookkeeping rather than to the session.
    public func isEnvelope(_ change: ValueChange) -> Bool {
        envelopePrefixes.contains { change.path == $0 || change.path.hasPrefix($0 + "/") }
    }

    /// The same session in two copies: every change is envelope (where it came from, how its
    /// store kept it) and the audit logs are identical. A desktop save and the server's copy
    /// of one session after `replay` are this.
    public var isSameContent: Bool { auditLog.isIdentical && changes.allSatisfy(isEnvelope) }

    /// True exactly when the two sessions have the same canonical bytes: the canonical form is
    /// a function of the value, and the comparison here covers every key of the document
    /// (entry ids cover entry contents, and `seq` is the position).
    public var isIdentical: Bool { changes.isEmpty && auditLog.isIdentical }

    /// The `changed` item of `diff --json` (docs/diff-merge.md).
    public var jsonValue: JSONValue {
        let log = auditLog
        return [
            "session_id": .string(sessionID),
            "name": JSONValue(nameB ?? nameA),
            "changes": .array(changes.map(\.jsonValue)),
            "audit_log": [
                "count_a": .int(log.countA),
                "count_b": .int(log.countB),
                "common_prefix": .int(log.commonPrefix),
                "only_in_a": .array(log.onlyInA.map(\.jsonValue)),
                "only_in_b": .array(log.onlyInB.map(\.jsonValue)),
                "divergent": .array(
                    log.divergent.map {
                        ["decision": .string($0.decision.description), "a": $0.a.jsonValue, "b": $0.b.jsonValue]
                    }),
                "reordered": .int(log.reordered),
            ],
        ]
    }
}

/// RFC 6902 JSON Patch between two canonical documents of one session.
///
/// Applied to A's canonical document (as `sessionsync/1` writes it) the patch gives a document
/// equal, as JSON, to B's. It starts with a `test` of `/session_id`, so applying it to the wrong
/// session fails instead of corrupting it; then one operation per ``ValueChange``; then the
/// audit log: the common prefix is kept, A's entries after it are removed from the last one
/// backwards, and B's entries after it are appended with `/audit_log/-`. Non-finite floats
/// appear as the canonical `{"$number": …}` objects, as in the documents.
public enum JSONPatch {
    public static func operations(from a: Session, to b: Session) -> [JSONValue] {
        var ops: [JSONValue] = [["op": "test", "path": "/session_id", "value": .string(a.sessionID)]]
        let diff = SessionDiff(a: a, b: b)
        for change in diff.changes {
            var op: JSONObject = ["op": .string(change.operation.rawValue), "path": .string(change.path)]
            if let new = change.new { op["value"] = new }
            ops.append(.object(op))
        }
        let p = diff.auditLog.commonPrefix
        if a.auditLog.count > p {
            for i in stride(from: a.auditLog.count - 1, through: p, by: -1) {
                ops.append(["op": "remove", "path": .string("/audit_log/\(i)")])
            }
        }
        for entry in b.auditLog[p...] {
            ops.append(["op": "add", "path": "/audit_log/-", "value": entry.jsonValue])
        }
        return ops
    }
}
