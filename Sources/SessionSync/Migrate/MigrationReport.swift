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
///
/// A bulk run's inputs live in a spill file (``InputRecordSpill``), not in memory: read them in
/// report order (by path) with ``forEachInput(_:)``, or all at once with ``inputs`` for small
/// runs. Totals are counted once, when the report is made; that pass can also render the
/// report's inputs (``RenderedReportInputs``), so that writing the report is a copy.
public struct MigrationReport: Sendable {
    public var dryRun: Bool
    public var destination: String?
    /// Commits made (git stores only).
    public var commits = 0
    let records: ReportInputs
    private let counted: Totals
    /// The inputs as canonical bytes, if the counting pass rendered them.
    private let rendered: RenderedReportInputs?
    /// The first inputs with warnings, for the human summary (collected while counting, so
    /// the summary needs no pass of its own over a bulk run's inputs).
    public let warningSample: WarningSample

    /// The warnings a human summary shows: the first ``filesShown`` inputs that have any, with
    /// their first ``warningsShown`` warnings, and how many inputs have warnings in all.
    public struct WarningSample: Sendable {
        public static let filesShown = 20
        public static let warningsShown = 5
        public struct File: Sendable {
            public var path: String
            public var warnings: [ImportWarning]
            public var total: Int
        }
        public var files: [File] = []
        public var warnedFiles = 0

        mutating func add(_ input: InputRecord) {
            guard !input.warnings.isEmpty else { return }
            warnedFiles += 1
            if files.count < Self.filesShown {
                files.append(
                    File(
                        path: input.path, warnings: Array(input.warnings.prefix(Self.warningsShown)),
                        total: input.warnings.count))
            }
        }
    }

    /// A report of inputs held in memory.
    public init(inputs: [InputRecord], dryRun: Bool, destination: String?) {
        self.init(records: ReportInputs(inputs), dryRun: dryRun, destination: destination)
    }

    /// `render`: the report's JSON will be written (`--report`, `--json`), so the pass that
    /// counts also renders the inputs for ``writeJSON(_:)``.
    init(records: ReportInputs, dryRun: Bool, destination: String?, render: Bool = false) {
        self.records = records
        self.dryRun = dryRun
        self.destination = destination
        var t = Totals()
        var sample = WarningSample()
        let rendering = render ? RenderedReportInputs() : nil
        records.forEachRecord {
            t.count($0)
            sample.add($0)
            rendering?.append($0)
        }
        t.sessions = t.created + t.updated + t.unchanged + t.planned
        counted = t
        warningSample = sample
        rendered = rendering?.finish() == true ? rendering : nil
    }

    /// Every input, in report order (sorted by path).
    public var inputs: [InputRecord] {
        var out: [InputRecord] = []
        out.reserveCapacity(records.count)
        records.forEachRecord { out.append($0) }
        return out
    }

    /// Every input in report order, one at a time (bulk runs: nothing is held in memory).
    public func forEachInput(_ body: (InputRecord) throws -> Void) rethrows {
        try records.forEachRecord(body)
    }

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

        mutating func count(_ input: InputRecord) {
            inputs += 1
            switch input.outcome {
            case .migrated: migratedInputs += 1
            case .superseded: supersededInputs += 1
            case .joined: joinedInputs += 1
            case .skipped: skippedInputs += 1
            case .failed: failedInputs += 1
            }
            for w in input.warnings { warningsByCode[w.code, default: 0] += 1 }
            for s in input.sessions {
                switch s.status {
                case .created: created += 1
                case .updated: updated += 1
                case .unchanged: unchanged += 1
                case .planned: planned += 1
                case .superseded: supersededCopies += 1
                }
            }
        }
    }

    public var totals: Totals {
        var t = counted
        t.commits = commits
        return t
    }

    public var hasFailures: Bool { counted.failedInputs > 0 }

    /// The report as JSON (`--report FILE`), in canonical form so two runs compare by bytes.
    /// Holds every input in memory; bulk runs write it with ``writeJSON(_:)`` instead.
    public var jsonValue: JSONValue {
        var o = envelope
        o["inputs"] = .array(inputs.map(\.jsonValue))
        return .object(o)
    }

    /// The canonical bytes of ``jsonValue``, produced one input at a time: `emit` receives
    /// chunks that concatenate to exactly `CanonicalJSON.bytes(jsonValue)`.
    public func writeJSON(_ emit: ([UInt8]) throws -> Void) throws {
        // Top-level keys in canonical order: destination, dry_run, format, inputs, totals.
        var out = ByteBuffer(capacity: 1 << 17)
        let env = envelope
        out.append("{")
        for key in ["destination", "dry_run", "format"] {
            out.append("\n  ")
            CanonicalJSON.write(.string(key), level: 1, into: &out)
            out.append(": ")
            CanonicalJSON.write(env[key] ?? .null, level: 1, into: &out)
            out.append(",")
        }
        out.append("\n  \"inputs\": ")
        if records.count == 0 {
            out.append("[]")
        } else if let rendered {
            out.append("[")
            try emit(out.bytes)
            out.removeAll()
            try rendered.emit(emit)
            out.append("\n  ]")
        } else {
            out.append("[")
            var written = 0
            try records.forEachRecord { input in
                if written > 0 { out.append(",") }
                out.append("\n    ")
                input.writeCanonical(level: 2, into: &out)
                written += 1
                if out.count >= 1 << 16 {
                    try emit(out.bytes)
                    out.removeAll()
                }
            }
            out.append("\n  ]")
        }
        out.append(",\n  \"totals\": ")
        CanonicalJSON.write(env["totals"] ?? .null, level: 1, into: &out)
        out.append("\n}\n")
        try emit(out.bytes)
    }

    /// Everything but `inputs`.
    private var envelope: JSONObject {
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
            "totals": .object(totals),
        ]
    }
}

/// The inputs of a report in report order: in memory, or in a spill file with the order and
/// the status resolution (which copy of each session won) applied as they are read, on every
/// pass. A bulk run makes one pass (the totals, rendering the report on the way), and one more
/// to list errors only when there are any; the table of winners answers from memory for its
/// first ``MigrationOptions/sessionsInMemory`` sessions, so asking it again is cheaper than
/// writing every resolved record back to the spill file, as an earlier version did.
final class ReportInputs: Sendable {
    private enum Storage: Sendable {
        case memory([InputRecord])
        /// `order`: input indices in report order; negative `-(k + 1)` is `problems[k]`.
        case spilled(
            InputRecordSpill, order: [Int], problems: [InputRecord], resolve: @Sendable (inout InputRecord, Int) -> Void
        )
    }

    private let storage: Storage

    init(_ inputs: [InputRecord]) { storage = .memory(inputs) }

    init(
        spill: InputRecordSpill, order: [Int], problems: [InputRecord],
        resolve: @escaping @Sendable (inout InputRecord, Int) -> Void
    ) {
        storage = .spilled(spill, order: order, problems: problems, resolve: resolve)
    }

    var count: Int {
        switch storage {
        case .memory(let inputs): return inputs.count
        case .spilled(_, let order, _, _): return order.count
        }
    }

    func forEachRecord(_ body: (InputRecord) throws -> Void) rethrows {
        switch storage {
        case .memory(let inputs):
            for input in inputs { try body(input) }
        case .spilled(let spill, let order, let problems, let resolve):
            for k in order {
                if k < 0 {
                    try body(problems[-k - 1])
                } else if var record = spill.record(at: k) {
                    resolve(&record, k)
                    try body(record)
                } else {
                    // The spill file could not be read back (an I/O error): say so rather than
                    // drop the input from the report.
                    var lost = InputRecord(path: "input #\(k + 1)", outcome: .failed)
                    lost.error = FormatError(
                        file: lost.path, location: "",
                        reason: "its report record could not be read back from the spill file")
                    try body(lost)
                }
            }
        }
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

extension InputRecord {
    /// `CanonicalJSON.write(jsonValue, level:into:)`, written directly: a bulk run's report
    /// writes one per input, and building each record's tree only to write it took most of
    /// the report's time. Keys in code point order.
    func writeCanonical(level: Int, into out: inout ByteBuffer) {
        var o = CanonicalObjectWriter(level: level)
        if let error {
            o.key("error", into: &out)
            var e = CanonicalObjectWriter(level: o.valueLevel)
            e.key("location", into: &out)
            CanonicalJSON.writeString(error.location, into: &out)
            e.key("reason", into: &out)
            CanonicalJSON.writeString(error.reason, into: &out)
            e.end(into: &out)
        }
        o.key("format", into: &out)
        CanonicalJSON.writeString(format, into: &out)
        if let note {
            o.key("note", into: &out)
            CanonicalJSON.writeString(note, into: &out)
        }
        o.key("outcome", into: &out)
        CanonicalJSON.writeString(outcome.rawValue, into: &out)
        o.key("path", into: &out)
        CanonicalJSON.writeString(path, into: &out)
        o.key("sessions", into: &out)
        var list = CanonicalArrayWriter(level: o.valueLevel)
        for session in sessions {
            list.next(into: &out)
            session.writeCanonical(level: list.elementLevel, into: &out)
        }
        list.end(into: &out)
        o.key("warnings", into: &out)
        list = CanonicalArrayWriter(level: o.valueLevel)
        for warning in warnings {
            list.next(into: &out)
            var w = CanonicalObjectWriter(level: list.elementLevel)
            w.key("code", into: &out)
            CanonicalJSON.writeString(warning.code, into: &out)
            w.key("location", into: &out)
            CanonicalJSON.writeString(warning.location, into: &out)
            w.key("message", into: &out)
            CanonicalJSON.writeString(warning.message, into: &out)
            w.end(into: &out)
        }
        list.end(into: &out)
        o.end(into: &out)
    }
}

extension SessionRecord {
    /// `CanonicalJSON.write(jsonValue, level:into:)`, written directly (see ``InputRecord``).
    func writeCanonical(level: Int, into out: inout ByteBuffer) {
        var o = CanonicalObjectWriter(level: level)
        o.key("audit_entries", into: &out)
        CanonicalJSON.writeInteger(auditEntries, into: &out)
        if let differsFromMigrated {
            o.key("content_differs", into: &out)
            out.append(differsFromMigrated ? "true" : "false")
        }
        o.key("legacy_id", into: &out)
        CanonicalJSON.writeString(legacyID, into: &out)
        o.key("locks", into: &out)
        CanonicalJSON.writeInteger(locks, into: &out)
        o.key("name", into: &out)
        CanonicalJSON.writeString(name, into: &out)
        o.key("session_id", into: &out)
        CanonicalJSON.writeString(sessionID, into: &out)
        o.key("status", into: &out)
        CanonicalJSON.writeString(status.rawValue, into: &out)
        if let supersededBy {
            o.key("superseded_by", into: &out)
            CanonicalJSON.writeString(supersededBy, into: &out)
        }
        o.end(into: &out)
    }

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
