import SessionModel

/// What replay decides for one session held by both FROM and TO (SPEC 5, docs/replay-and-git.md).
public enum ReplayDecision: Sendable, Equatable {
    /// TO lacks these FROM entries (in FROM's order); `result` is TO with them applied.
    case replay(entries: [AuditEntry], result: Session)
    /// TO already holds every entry FROM has.
    case upToDate
    /// The two logs decided the same lock differently: TO is left untouched.
    case diverged([DivergentDecision])
}

/// Computes how FROM's audit entries apply to TO, for one session.
///
/// The entries to apply are those only in FROM after the common prefix (``AuditLogDiff``, ids
/// counted as a multiset). They are placed the way `merge` places new entries (docs/diff-merge.md
/// 3.2): TO's own entries keep their order, and FROM's are interleaved by effective time, equal
/// times by the smaller entry id. When FROM's entries are newer than TO's (the usual case: one
/// machine went on working) this is exactly appending them; when both went on, it puts them
/// where they happened, so replaying A onto B and B onto A gives both the same log.
public enum ReplayPlan {
    public static func decide(from: Session, to: Session) -> ReplayDecision {
        let diff = AuditLogDiff(a: to.auditLog, b: from.auditLog)
        if !diff.divergent.isEmpty { return .diverged(diff.divergent) }
        if diff.onlyInB.isEmpty { return .upToDate }
        var result = to
        // Without a base, the merge takes the common prefix as base: nothing can be "removed",
        // and no lock conflict is possible since divergence was ruled out above.
        result.auditLog = AuditLogMerge(base: nil, ours: to.auditLog, theirs: from.auditLog).merged
        result.sealAuditLog()
        carryDatedState(from: from, into: &result)
        if let a = from.metadata.updatedAt, let b = to.metadata.updatedAt {
            // Locking touches the session, so it was last modified when the later side was.
            if TimeKey(a) > TimeKey(b) { result.metadata.updatedAt = a }
        } else if to.metadata.updatedAt == nil {
            result.metadata.updatedAt = from.metadata.updatedAt
        }
        let fromIDs = Set(diff.onlyInB.map(\.id))
        let appended = result.auditLog.filter { fromIDs.contains($0.id) }
        return .replay(entries: appended, result: result)
    }

    /// State the log dates comes along with the entries that date it. Only rules that cannot
    /// lose TO's own data apply:
    /// - `state.experiments.data` (ALchemist experiment rows, append-only in the app): when TO's
    ///   rows are a prefix of FROM's, TO takes FROM's rows (and `n_total`), the rows the
    ///   replayed data locks counted; likewise the rows snapshot of the last data lock,
    ///   `state.audit_log.experiment_data`;
    /// - `state.provenance` (ALchemist suggested-vs-actual records, one per
    ///   `experiment_completed` entry): records FROM has and TO lacks (by `id`) are appended.
    /// Anything else in `state` (model configuration, search space, settings) is not dated by
    /// the log and stays as TO has it.
    static func carryDatedState(from: Session, into result: inout Session) {
        if let rows = longerPrefixExtension(from.state["experiments"]?["data"], result.state["experiments"]?["data"]),
            case .object(var experiments)? = result.state["experiments"]
        {
            experiments["data"] = .array(rows)
            if case .int? = experiments["n_total"] { experiments["n_total"] = .int(rows.count) }
            result.state["experiments"] = .object(experiments)
        }
        // The app's snapshot of the rows taken at the last data lock follows the same rule.
        if let rows = longerPrefixExtension(
            from.state["audit_log"]?["experiment_data"], result.state["audit_log"]?["experiment_data"]),
            case .object(var audit)? = result.state["audit_log"]
        {
            audit["experiment_data"] = .array(rows)
            result.state["audit_log"] = .object(audit)
        }
        if case .array(let fromRecords)? = from.state["provenance"],
            case .array(var toRecords)? = result.state["provenance"]
        {
            let known = Set(toRecords.compactMap { $0["id"]?.stringValue })
            let missing = fromRecords.filter { r in r["id"]?.stringValue.map { !known.contains($0) } ?? false }
            if !missing.isEmpty {
                toRecords += missing
                result.state["provenance"] = .array(toRecords)
            }
        }
    }

    /// FROM's array when TO's is a strict prefix of it (rows only ever appended), else nil.
    static func longerPrefixExtension(_ from: JSONValue?, _ to: JSONValue?) -> [JSONValue]? {
        guard case .array(let longer)? = from, case .array(let shorter)? = to, longer.count > shorter.count,
            Array(longer.prefix(shorter.count)) == shorter
        else { return nil }
        return longer
    }
}
