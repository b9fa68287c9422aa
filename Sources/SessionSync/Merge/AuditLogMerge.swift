import SessionModel

/// The audit-log part of ``SessionMerge`` (rules in docs/diff-merge.md), linear in the total
/// length of the three logs apart from sorting nothing: every lookup is a dictionary.
///
/// Entries are identified by their id plus their occurrence number (the k-th entry with that
/// id in its log), so a log that holds two identical entries keeps both.
struct AuditLogMerge {
    private(set) var merged: [AuditEntry] = []
    private(set) var conflicts: [MergeConflict] = []
    private(set) var removed = 0
    private(set) var fromOurs = 0
    private(set) var fromTheirs = 0
    private(set) var fromBoth = 0

    /// One side's log, indexed.
    private struct Side {
        let name: String
        let log: [AuditEntry]
        let keys: [String]
        let keySet: Set<String>
        let decisions: [DecisionKey?]

        init(name: String, log: [AuditEntry]) {
            self.name = name
            self.log = log
            keys = occurrenceKeys(log)
            keySet = Set(keys)
            decisions = DecisionKey.keys(for: log)
        }
    }

    init(base baseLog: [AuditEntry]?, ours oursLog: [AuditEntry], theirs theirsLog: [AuditEntry]) {
        let ours = Side(name: "ours", log: oursLog)
        let theirs = Side(name: "theirs", log: theirsLog)
        let baseEntries: [AuditEntry]
        if let baseLog {
            baseEntries = baseLog
        } else {
            // No base: what both logs start with is what they shared.
            var p = 0
            while p < min(oursLog.count, theirsLog.count) && ours.keys[p] == theirs.keys[p] { p += 1 }
            baseEntries = Array(oursLog[..<p])
        }
        let baseKeys = occurrenceKeys(baseEntries)
        var baseIndex: [String: Int] = [:]
        baseIndex.reserveCapacity(baseKeys.count)
        for (i, k) in baseKeys.enumerated() { baseIndex[k] = i }
        let removedByOurs = baseKeys.map { !ours.keySet.contains($0) }
        let removedByTheirs = baseKeys.map { !theirs.keySet.contains($0) }

        // 1. Base entries both sides kept, in base order.
        for i in baseEntries.indices where !removedByOurs[i] && !removedByTheirs[i] { merged.append(baseEntries[i]) }
        removed = baseEntries.count - merged.count

        // 2. New entries of each side, in that side's order, with an effective time: an entry
        //    without a timestamp takes the time of the entry before it in its own log.
        func newEntries(_ side: Side) -> [(entry: AuditEntry, key: String, time: TimeKey)] {
            var out: [(entry: AuditEntry, key: String, time: TimeKey)] = []
            var last = TimeKey(nil)
            for (i, e) in side.log.enumerated() {
                if e.timestamp != nil { last = TimeKey(e.timestamp) }
                if baseIndex[side.keys[i]] == nil { out.append((entry: e, key: side.keys[i], time: last)) }
            }
            return out
        }
        let newOurs = newEntries(ours)
        let newTheirs = newEntries(theirs)
        var emitted = Set<String>()
        var i = 0
        var j = 0
        while i < newOurs.count || j < newTheirs.count {
            if i < newOurs.count && emitted.contains(newOurs[i].key) {
                i += 1
                continue
            }
            if j < newTheirs.count && emitted.contains(newTheirs[j].key) {
                j += 1
                continue
            }
            let takeOurs: Bool
            if j == newTheirs.count {
                takeOurs = true
            } else if i == newOurs.count {
                takeOurs = false
            } else {
                let a = newOurs[i]
                let b = newTheirs[j]
                takeOurs = a.time < b.time || (!(b.time < a.time) && a.entry.id <= b.entry.id)
            }
            let item = takeOurs ? newOurs[i] : newTheirs[j]
            if takeOurs { i += 1 } else { j += 1 }
            emitted.insert(item.key)
            merged.append(item.entry)
            let inOurs = ours.keySet.contains(item.key)
            let inTheirs = theirs.keySet.contains(item.key)
            if inOurs && inTheirs { fromBoth += 1 } else if inOurs { fromOurs += 1 } else { fromTheirs += 1 }
        }

        // 3. Conflicts.
        // 3a. Base entries changed in place: a side removed base entry e and the first new entry
        //     it has after e's kept predecessor has e's kind. That new entry is e's replacement.
        func replacements(_ side: Side, removed: [Bool]) -> [Int: (
            entry: AuditEntry, key: String, decision: DecisionKey?
        )] {
            var out: [Int: (entry: AuditEntry, key: String, decision: DecisionKey?)] = [:]
            var lastKept = -1
            var firstInGap = true
            for (n, e) in side.log.enumerated() {
                if let b = baseIndex[side.keys[n]] {
                    lastKept = b
                    firstInGap = true
                    continue
                }
                defer { firstInGap = false }
                let next = lastKept + 1
                if firstInGap, next < baseEntries.count, removed[next], baseEntries[next].kind == e.kind {
                    out[next] = (entry: e, key: side.keys[n], decision: side.decisions[n])
                }
            }
            return out
        }
        let changedByOurs = replacements(ours, removed: removedByOurs)
        let changedByTheirs = replacements(theirs, removed: removedByTheirs)
        var reported = Set<String>()
        for b in Set(changedByOurs.keys).union(changedByTheirs.keys).sorted() {
            let base = baseEntries[b]
            switch (changedByOurs[b], changedByTheirs[b]) {
            case (let o?, let t?):
                if o.key == t.key { continue }
                // Two different locks for one decision are reported once, as a lock conflict (3c).
                if let d = o.decision, d == t.decision { continue }
                reported.formUnion([o.key, t.key])
                conflicts.append(
                    MergeConflict(
                        kind: .entryChangedDifferently, base: base.jsonValue, ours: o.entry.jsonValue,
                        theirs: t.entry.jsonValue,
                        summary: "audit entry \(base.seq) (\(base.kind)) was changed differently on both sides"))
            case (let o?, nil) where removedByTheirs[b]:
                reported.insert(o.key)
                conflicts.append(
                    MergeConflict(
                        kind: .entryRemovedVsChanged, base: base.jsonValue, ours: o.entry.jsonValue, theirs: nil,
                        summary: "audit entry \(base.seq) (\(base.kind)): ours changed it, theirs removed it"))
            case (nil, let t?) where removedByOurs[b]:
                reported.insert(t.key)
                conflicts.append(
                    MergeConflict(
                        kind: .entryRemovedVsChanged, base: base.jsonValue, ours: nil, theirs: t.entry.jsonValue,
                        summary: "audit entry \(base.seq) (\(base.kind)): ours removed it, theirs changed it"))
            default:
                continue
            }
        }

        // 3b. Removal against entries written after it: a new entry of one side that the other
        //     side lacks, following (in its own log) a base entry the other side removed.
        func dependents(adder: Side, remover: Side, removedByRemover: [Bool]) {
            var removedBefore: [AuditEntry] = []
            var dependent: [AuditEntry] = []
            var removedCountAtLastDependent = 0
            for (n, e) in adder.log.enumerated() {
                let key = adder.keys[n]
                if let b = baseIndex[key] {
                    if removedByRemover[b] { removedBefore.append(e) }
                } else if !removedBefore.isEmpty, !remover.keySet.contains(key), !reported.contains(key) {
                    dependent.append(e)
                    removedCountAtLastDependent = removedBefore.count
                }
            }
            guard !dependent.isEmpty else { return }
            let gone = removedBefore[..<removedCountAtLastDependent]
            let removedJSON = JSONValue.array(gone.map(\.jsonValue))
            let addedJSON = JSONValue.array(dependent.map(\.jsonValue))
            conflicts.append(
                MergeConflict(
                    kind: .entryRemovedVsAdded, base: removedJSON,
                    // Spelled out: JSONValue is itself nil-literal-convertible, and a bare `nil` in a
                    // ternary would become `.null` instead of "absent".
                    ours: adder.name == "ours" ? Optional(addedJSON) : JSONValue?.none,
                    theirs: adder.name == "theirs" ? Optional(addedJSON) : JSONValue?.none,
                    summary:
                        "\(remover.name) removed \(gone.count) audit entr\(gone.count == 1 ? "y" : "ies") that \(dependent.count) new entr\(dependent.count == 1 ? "y" : "ies") of \(adder.name) follow"
                ))
        }
        dependents(adder: ours, remover: theirs, removedByRemover: removedByTheirs)
        dependents(adder: theirs, remover: ours, removedByRemover: removedByOurs)

        // 3c. The same decision taken differently: locks new on one side only, with equal
        //     decision keys, paired in log order. Both stay in the log.
        var baseDecisions: [DecisionKey: AuditEntry] = [:]
        for (n, k) in DecisionKey.keys(for: baseEntries).enumerated() { if let k { baseDecisions[k] = baseEntries[n] } }
        var theirsByDecision: [DecisionKey: [AuditEntry]] = [:]
        for (n, e) in theirs.log.enumerated()
        where baseIndex[theirs.keys[n]] == nil && !ours.keySet.contains(theirs.keys[n]) {
            if let k = theirs.decisions[n] { theirsByDecision[k, default: []].append(e) }
        }
        var used: [DecisionKey: Int] = [:]
        for (n, e) in ours.log.enumerated()
        where baseIndex[ours.keys[n]] == nil && !theirs.keySet.contains(ours.keys[n]) {
            guard let k = ours.decisions[n], let candidates = theirsByDecision[k] else { continue }
            let u = used[k] ?? 0
            guard u < candidates.count else { continue }
            used[k] = u + 1
            conflicts.append(
                MergeConflict(
                    kind: .lockDecision, decision: k.description, base: baseDecisions[k]?.jsonValue, ours: e.jsonValue,
                    theirs: candidates[u].jsonValue,
                    summary: "\(k) was decided differently on both sides; both are kept in the audit log"))
        }
    }
}

/// `id#k`: the entry's id and which occurrence of that id in its log it is.
private func occurrenceKeys(_ log: [AuditEntry]) -> [String] {
    var seen: [String: Int] = [:]
    return log.map { e in
        let k = seen[e.id, default: 0]
        seen[e.id] = k + 1
        return k == 0 ? e.id : e.id + "#" + String(k)
    }
}
