import LegacyFormats
import SessionModel

/// What happened to one input of a run (SPEC 4: every input with its outcome, id mapping,
/// warnings and errors).
public struct InputRecord: Sendable {
    public enum Outcome: String, Sendable {
        /// Converted; its sessions are in the store (or would be, in a dry run).
        case migrated
        /// Converted, but every session it holds is an older copy of one migrated from elsewhere.
        case superseded
        /// Read into a session whose main file is another input (e.g. Lobster's metadata.json).
        case joined
        /// Not a session at all (a README, a Markdown export, unrelated JSON): nothing to do.
        case skipped
        /// Could not be converted: see `error`.
        case failed
    }

    public var path: String
    public var format: String?
    public var outcome: Outcome
    public var sessions: [SessionRecord] = []
    public var warnings: [ImportWarning] = []
    public var error: FormatError?
    /// Why it was skipped or joined, or the detector's note.
    public var note: String?

    public init(path: String, format: String? = nil, outcome: Outcome) {
        self.path = path
        self.format = format
        self.outcome = outcome
    }
}

/// One session an input produced.
public struct SessionRecord: Sendable {
    public enum Status: String, Sendable {
        /// A new file (or, for git, a new session).
        case created
        /// The store held an older version; replaced.
        case updated
        /// The store already held exactly these bytes.
        case unchanged
        /// Another input holds a newer copy of this session; that one was migrated.
        case superseded
        /// Dry run: would be written.
        case planned
    }

    public var sessionID: String
    public var legacyID: String?
    public var name: String?
    public var auditEntries: Int
    public var locks: Int
    public var status: Status
    /// For superseded copies: the input that won.
    public var supersededBy: String?
    /// For superseded copies: whether the content differs from the migrated copy.
    public var differsFromMigrated: Bool?
    /// SHA-256 of the canonical bytes, to tell copies apart (not part of the report).
    var digestForComparison: String = ""

    init(
        sessionID: String, legacyID: String?, name: String?, auditEntries: Int, locks: Int, status: Status,
        digestForComparison: String
    ) {
        self.sessionID = sessionID
        self.legacyID = legacyID
        self.name = name
        self.auditEntries = auditEntries
        self.locks = locks
        self.status = status
        self.digestForComparison = digestForComparison
    }
}

/// The whole report of a `migrate` run.
public struct MigrationReport: Sendable {
    public var inputs: [InputRecord]
    public var dryRun: Bool
    public var destination: String?

    /// Counts for the summary and the report's `totals`.
    public struct Totals: Sendable, Equatable {
        public var inputs = 0
        public var migratedInputs = 0
        public var supersededInputs = 0
        public var joinedInputs = 0
        public var skippedInputs = 0
        public var failedInputs = 0
        public var sessions = 0
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var planned = 0
        public var supersededCopies = 0
        public var commits = 0
        public var warningsByCode: [String: Int] = [:]
    }

    public var totals: Totals {
        var t = Totals()
        t.inputs = inputs.count
        for input in inputs {
            switch input.outcome {
            case .migrated: t.migratedInputs += 1
            case .superseded: t.supersededInputs += 1
            case .joined: t.joinedInputs += 1
            case .skipped: t.skippedInputs += 1
            case .failed: t.failedInputs += 1
            }
            for w in input.warnings { t.warningsByCode[w.code, default: 0] += 1 }
            for s in input.sessions {
                switch s.status {
                case .created: t.created += 1
                case .updated: t.updated += 1
                case .unchanged: t.unchanged += 1
                case .planned: t.planned += 1
                case .superseded: t.supersededCopies += 1
                }
            }
        }
        t.sessions = t.created + t.updated + t.unchanged + t.planned
        t.commits = commits
        return t
    }

    /// Commits made (git stores only).
    public var commits = 0

    public var hasFailures: Bool { inputs.contains { $0.outcome == .failed } }

    /// The report as JSON (`--report FILE`), in canonical form so two runs compare by bytes.
    public var jsonValue: JSONValue {
        let t = totals
        var totals: JSONObject = [
            "inputs": .int(t.inputs), "migrated_inputs": .int(t.migratedInputs),
            "superseded_inputs": .int(t.supersededInputs), "joined_inputs": .int(t.joinedInputs),
            "skipped_inputs": .int(t.skippedInputs), "failed_inputs": .int(t.failedInputs),
            "sessions": .int(t.sessions), "created": .int(t.created), "updated": .int(t.updated),
            "unchanged": .int(t.unchanged), "superseded_copies": .int(t.supersededCopies),
            "warnings": .object(
                JSONObject(t.warningsByCode.sorted { $0.key < $1.key }.map { (key: $0.key, value: .int($0.value)) })),
        ]
        if dryRun { totals["planned"] = .int(t.planned) }
        if commits > 0 || destination?.hasPrefix("git:") == true { totals["commits"] = .int(commits) }
        return [
            "format": "sessionsync-report/1",
            "dry_run": .bool(dryRun),
            "destination": JSONValue(destination),
            "inputs": .array(inputs.map(\.jsonValue)),
            "totals": .object(totals),
        ]
    }
}

extension InputRecord {
    public var jsonValue: JSONValue {
        var o: JSONObject = [
            "path": .string(path),
            "format": JSONValue(format),
            "outcome": .string(outcome.rawValue),
            "sessions": .array(sessions.map(\.jsonValue)),
            "warnings": .array(
                warnings.map {
                    ["code": .string($0.code), "location": .string($0.location), "message": .string($0.message)]
                }),
        ]
        if let error { o["error"] = ["location": .string(error.location), "reason": .string(error.reason)] }
        if let note { o["note"] = .string(note) }
        return .object(o)
    }
}

extension SessionRecord {
    public var jsonValue: JSONValue {
        var o: JSONObject = [
            "session_id": .string(sessionID), "legacy_id": JSONValue(legacyID), "name": JSONValue(name),
            "audit_entries": .int(auditEntries), "locks": .int(locks), "status": .string(status.rawValue),
        ]
        if let supersededBy { o["superseded_by"] = .string(supersededBy) }
        if let differsFromMigrated { o["content_differs"] = .bool(differsFromMigrated) }
        return .object(o)
    }
}
