import SessionModel

/// Which decision a lock entry makes, so that two logs that decided the same thing
/// differently can be told apart from two logs that simply did different things.
///
/// A lock's decision is its `kind` plus its `iteration` when it has one; a lock without an
/// iteration is identified by its ordinal instead: the n-th lock of that kind in its own log
/// (1-based). Two locks are the same decision point when their keys are equal; a lock with an
/// iteration never matches one without. Only `lock.*` entries are decisions: messages and
/// events are never "divergent", they are only in A or only in B.
public struct DecisionKey: Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var iteration: Int?
    /// Set only when `iteration` is nil.
    public var ordinal: Int?

    public init(kind: String, iteration: Int?, ordinal: Int?) {
        self.kind = kind
        self.iteration = iteration
        self.ordinal = iteration == nil ? ordinal : nil
    }

    public var description: String {
        if let iteration { return "\(kind) iteration \(iteration)" }
        return "\(kind) #\(ordinal ?? 0)"
    }

    /// The key of every entry of `log` (nil for entries that are not locks), in one pass.
    public static func keys(for log: [AuditEntry]) -> [DecisionKey?] {
        var seen: [String: Int] = [:]
        return log.map { entry in
            guard entry.isLock else { return nil }
            let n = (seen[entry.kind] ?? 0) + 1
            seen[entry.kind] = n
            return DecisionKey(kind: entry.kind, iteration: entry.iteration, ordinal: n)
        }
    }
}

/// Two locks, one only in A and one only in B, that make the same decision (``DecisionKey``)
/// differently.
public struct DivergentDecision: Sendable, Equatable {
    public var decision: DecisionKey
    public var a: AuditEntry
    public var b: AuditEntry

    public init(decision: DecisionKey, a: AuditEntry, b: AuditEntry) {
        self.decision = decision
        self.a = a
        self.b = b
    }
}

/// How two audit logs of one session differ, computed in linear time.
///
/// - `commonPrefix`: the number of leading entries with equal ids at equal positions.
/// - `onlyInA` / `onlyInB`: entries whose id the other log lacks, in their log's order.
///   Ids are content hashes, so an entry edited in place counts as removed and added. A log may
///   hold two identical entries (same id); ids are then counted as a multiset, so a second copy
///   present on one side only is reported.
/// - `divergent`: pairs of locks (one from each "only" list) with the same ``DecisionKey``;
///   paired in log order when a key repeats. They are also in the "only" lists.
/// - `reordered`: entries both logs hold after the common prefix, at different positions.
public struct AuditLogDiff: Sendable, Equatable {
    public var countA: Int
    public var countB: Int
    public var commonPrefix: Int
    public var onlyInA: [AuditEntry]
    public var onlyInB: [AuditEntry]
    public var divergent: [DivergentDecision]
    public var reordered: Int

    public var isIdentical: Bool { commonPrefix == countA && countA == countB }

    public init(a: [AuditEntry], b: [AuditEntry]) {
        countA = a.count
        countB = b.count
        var p = 0
        let limit = min(a.count, b.count)
        while p < limit && a[p].id == b[p].id { p += 1 }
        commonPrefix = p
        // Multiset of ids past the prefix on each side: one dictionary per side, so the whole
        // comparison is O(n) however long the tails are.
        var countsA: [String: Int] = [:]
        var countsB: [String: Int] = [:]
        for e in a[p...] { countsA[e.id, default: 0] += 1 }
        for e in b[p...] { countsB[e.id, default: 0] += 1 }
        let keysA = DecisionKey.keys(for: a)
        let keysB = DecisionKey.keys(for: b)

        var onlyA: [(AuditEntry, DecisionKey?)] = []
        var sharedInA: [String] = []
        var remaining = countsB
        for i in p..<a.count {
            let id = a[i].id
            if let n = remaining[id], n > 0 {
                remaining[id] = n - 1
                sharedInA.append(id)
            } else {
                onlyA.append((a[i], keysA[i]))
            }
        }
        var onlyB: [(AuditEntry, DecisionKey?)] = []
        var sharedInB: [String] = []
        remaining = countsA
        for i in p..<b.count {
            let id = b[i].id
            if let n = remaining[id], n > 0 {
                remaining[id] = n - 1
                sharedInB.append(id)
            } else {
                onlyB.append((b[i], keysB[i]))
            }
        }
        // Entries both tails hold, compared in order: those not at the same rank moved.
        var moved = 0
        for (x, y) in zip(sharedInA, sharedInB) where x != y { moved += 1 }
        reordered = moved

        var queues: [DecisionKey: [Int]] = [:]
        for (i, item) in onlyB.enumerated() { if let k = item.1 { queues[k, default: []].append(i) } }
        var next: [DecisionKey: Int] = [:]
        var pairs: [DivergentDecision] = []
        for (entry, key) in onlyA {
            guard let key, let queue = queues[key] else { continue }
            let n = next[key] ?? 0
            guard n < queue.count else { continue }
            next[key] = n + 1
            pairs.append(DivergentDecision(decision: key, a: entry, b: onlyB[queue[n]].0))
        }
        onlyInA = onlyA.map(\.0)
        onlyInB = onlyB.map(\.0)
        divergent = pairs
    }
}
