import SessionModel

/// One conflict of a three-way merge, as recorded in the merged document under
/// `state["sessionsync_conflicts"]` (docs/diff-merge.md gives the exact shape).
///
/// `base`, `ours` and `theirs` say what each side holds at the conflicting place; nil means
/// "absent" (a value conflict: the path does not exist there; an entry conflict: that side
/// removed the entries), and the record then has no such key.
public struct MergeConflict: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A metadata/origin/state path changed differently on both sides (or removed on one
        /// side and changed on the other).
        case value
        /// Both sides added a lock for the same decision (``DecisionKey``) with different content.
        case lockDecision = "lock_decision"
        /// One side removed a base entry that the other side changed (replaced in place).
        case entryRemovedVsChanged = "entry_removed_vs_changed"
        /// Both sides changed the same base entry, differently.
        case entryChangedDifferently = "entry_changed_differently"
        /// One side removed base entries that the other side's new entries follow (were written after).
        case entryRemovedVsAdded = "entry_removed_vs_added"
    }

    public var kind: Kind
    /// The JSON Pointer of a value conflict.
    public var path: String?
    /// The decision of a lock conflict (`lock.model iteration 2`).
    public var decision: String?
    public var base: JSONValue?
    public var ours: JSONValue?
    public var theirs: JSONValue?
    /// One line for people.
    public var summary: String

    public init(
        kind: Kind, path: String? = nil, decision: String? = nil, base: JSONValue?, ours: JSONValue?,
        theirs: JSONValue?, summary: String
    ) {
        self.kind = kind
        self.path = path
        self.decision = decision
        self.base = base
        self.ours = ours
        self.theirs = theirs
        self.summary = summary
    }

    public var jsonValue: JSONValue {
        var o: JSONObject = ["kind": .string(kind.rawValue), "summary": .string(summary)]
        if let path { o["path"] = .string(path) }
        if let decision { o["decision"] = .string(decision) }
        if let base { o["base"] = base }
        if let ours { o["ours"] = ours }
        if let theirs { o["theirs"] = theirs }
        return .object(o)
    }
}

/// Why a merge could not run at all (as opposed to a conflict, which it records).
public struct MergeError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
