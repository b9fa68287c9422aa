import Foundation
import SessionModel

/// An ALchemist session as it was right after one of its audit entries, as far as the data
/// allows (SPEC 3). The rules (docs/mapping/alchemist.md, "Snapshots"):
///
/// * the audit log is cut after the entry;
/// * experiment rows are append-only, so the session had a prefix of them: a data lock had
///   exactly its `n_experiments`; any later entry had at least the last data lock's count, plus
///   the rows that follow whose `Iteration` is below the entry's iteration (`Iteration` counts
///   rows and a lock records the counter it was taken at), plus the row an
///   `experiment_completed` entry added (its `ProvenanceId`); with nothing to date them, all rows;
/// * `n_total` and the audit log's `experiment_data` follow the cut (the latter disappears
///   before the first data lock, as in the app);
/// * `provenance` loses the records of `experiment_completed` entries after the cut,
///   `staged_experiments` the items staged after the entry's time, `last_suggestions` becomes
///   the suggestions of the last acquisition lock kept (or `[]`), `objective_metadata` the
///   `old` value of the first label change after the cut;
/// * `metadata.updated_at` becomes the entry's time when that is earlier.
///
/// The search space, config and model configuration are not dated by the log and stay.
enum ALchemistSnapshot {
    static func snapshot(of session: Session, throughEntry index: Int) -> Session {
        var s = session
        guard !session.auditLog.isEmpty else { return s }
        let cut = min(max(index, 0), session.auditLog.count - 1)
        let kept = Array(session.auditLog[...cut])
        let later = Array(session.auditLog[(cut + 1)...])
        s.auditLog = kept
        guard session.origin.system == ALchemistLayout.system else { return s }
        let entry = session.auditLog[cut]
        var state = s.state

        // Experiment rows.
        if case .object(var experiments)? = state["experiments"], case .array(let rows)? = experiments["data"] {
            let n = rowCount(through: cut, log: session.auditLog, rows: rows)
            if n < rows.count {
                experiments["data"] = .array(Array(rows.prefix(n)))
                if case .int? = experiments["n_total"] { experiments["n_total"] = .int(n) }
                state["experiments"] = .object(experiments)
            }
            if case .object(var audit)? = state["audit_log"] {
                let locked = kept.contains { $0.kind == "lock.data" }
                if !locked, audit["experiment_data_is_experiments"] != nil || audit["experiment_data"] != nil {
                    audit.removeValue(forKey: "experiment_data_is_experiments")
                    audit.removeValue(forKey: "experiment_data")
                    audit.removeValue(forKey: "experiment_data_columns")
                } else if case .array(let snap)? = audit["experiment_data"], n < snap.count {
                    audit["experiment_data"] = .array(Array(snap.prefix(n)))
                }
                state["audit_log"] = .object(audit)
            }
        }

        // Provenance records of completions after the cut.
        let laterCompletions = Set(
            later.filter { ALchemistLayout.entryType(of: $0) == "experiment_completed" }.compactMap {
                $0.payload["parameters"]?["id"]?.stringValue
            })
        if !laterCompletions.isEmpty, case .array(let records)? = state["provenance"] {
            state["provenance"] = .array(
                records.filter { r in r["id"]?.stringValue.map { !laterCompletions.contains($0) } ?? true })
        }

        // Items staged after the entry.
        if let at = entry.timestamp, case .array(let items)? = state["staged_experiments"] {
            let zone = ALchemistLayout.zone(of: session)
            state["staged_experiments"] = .array(
                items.filter { item in
                    guard let text = item["staged_at"]?.stringValue,
                        let staged = Timestamp.canonical(text, assuming: zone)?.utc
                    else { return true }
                    return !isLater(staged, than: at)
                })
        }

        // Suggestions and objective labels, as the log dates them.
        if state["last_suggestions"] != nil, later.contains(where: { $0.kind == "lock.acquisition" }) {
            let last = kept.last { $0.kind == "lock.acquisition" }
            state["last_suggestions"] = last?.payload["parameters"]?["suggestions"] ?? .array([])
        }
        if state["objective_metadata"] != nil,
            let change = later.first(where: { ALchemistLayout.entryType(of: $0) == "objective_label_changed" }),
            let old = change.payload["parameters"]?["old"]
        {
            state["objective_metadata"] = old
        }

        if let at = entry.timestamp, let updated = s.metadata.updatedAt, isLater(updated, than: at) {
            s.metadata.updatedAt = at
            if case .object(var meta)? = state["metadata"], meta["last_modified"] != nil {
                meta.removeValue(forKey: "last_modified")
                state["metadata"] = meta.isEmpty ? nil : .object(meta)
            }
        }
        s.state = state
        return s
    }

    /// How many of the rows the session had right after entry `cut`.
    static func rowCount(through cut: Int, log: [AuditEntry], rows: [JSONValue]) -> Int {
        var known: Int? = nil
        for e in log[...cut] {
            let parameters = e.payload["parameters"]
            if e.kind == "lock.data", case .int(let n)? = parameters?["n_experiments"] {
                known = n
            } else if ALchemistLayout.entryType(of: e) == "experiment_completed",
                let id = parameters?["id"]?.stringValue,
                let row = rows.firstIndex(where: { $0["ProvenanceId"]?.stringValue == id })
            {
                known = max(known ?? 0, row + 1)
            }
        }
        let entry = log[cut]
        if entry.kind != "lock.data", let k = entry.iteration {
            var c = known ?? 0
            while c < rows.count, case .int(let it)? = rows[c]["Iteration"], it < k { c += 1 }
            if known != nil || c > 0 { known = max(known ?? 0, c) }
        }
        return min(max(known ?? rows.count, 0), rows.count)
    }

    /// Canonical times compared as instants (fractions padded to microseconds).
    static func isLater(_ a: String, than b: String) -> Bool {
        guard let ia = Timestamp.instant(of: a), let ib = Timestamp.instant(of: b) else { return false }
        return ia > ib
    }
}
