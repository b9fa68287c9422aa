import Foundation
import LegacyFormats
import SessionModel

/// A session converted by a run, ready for a store.
public struct MigratedSession: Sendable {
    public var session: Session
    /// Its canonical bytes (SPEC 2.1).
    public var bytes: [UInt8]
    /// SHA-256 hex of `bytes`.
    public var digest: String
    /// The session's own modification time, which decides between copies (SPEC 2.3).
    public var modifiedAt: String?

    public init(session: Session, bytes: [UInt8], digest: String, modifiedAt: String?) {
        self.session = session
        self.bytes = bytes
        self.digest = digest
        self.modifiedAt = modifiedAt
    }
}

/// Where a run puts the sessions it converts: a canonical folder, a git repository, nothing
/// (dry run). The pipeline calls `store` only for the copy of a session that is newest so
/// far, under that session's lock, so a sink never sees two copies of one session at once.
public protocol SessionSink: AnyObject, Sendable {
    /// Called once when a run starts, before anything else (the folder store forgets what it
    /// learned about its folders in an earlier run).
    func runStarting()
    /// SHA-256 hex of what the store held for `sessionID` before this run, or nil.
    func existingDigest(of sessionID: String) throws -> String?
    /// Stores (or stages) a session. May be called again for the same id with a newer copy.
    func store(_ migrated: MigratedSession) throws
    /// ``store(_:)`` told that the store held no copy of the session before this run (so what
    /// it holds now, if anything, is an older copy from this run, never these bytes).
    func store(_ migrated: MigratedSession, previouslyAbsent: Bool) throws
    /// Called once every input is converted and stored, before the report is assembled: a
    /// sink may start work that the report need not wait for (the folder store starts its
    /// flush to disk here, and waits for it in `finish`).
    func conversionFinished()
    /// Called once after every input is done (the git sink commits here).
    func finish(report: inout MigrationReport, progress: (any ProgressSink)?) throws
    /// A short description for the report (`folder:/path`, `git:/repo#main`).
    var destination: String { get }
}

extension SessionSink {
    public func runStarting() {}
    public func store(_ migrated: MigratedSession, previouslyAbsent: Bool) throws { try store(migrated) }
    public func conversionFinished() {}
}

/// Settings of one migration run.
public struct MigrationOptions: Sendable {
    public var inputs: [String]
    public var importOptions: ImportOptions
    public var jobs: Int
    public var dryRun: Bool
    /// How many sessions the run's table of winning copies keeps in memory before the rest go
    /// to a temporary database (see ``WinnerTable``); tests lower it to exercise both.
    public var sessionsInMemory = MigrationOptions.defaultSessionsInMemory
    /// Whether the report's JSON will be written (`--report`, `--json`): the pass that counts
    /// the totals then also renders the inputs, so that writing the report is a copy. Without
    /// it that pass only counts, and ``MigrationReport/writeJSON(_:)`` renders as it writes.
    public var rendersReport = true

    /// Under 9 MiB of table: a Swift dictionary keeps at most 3/4 of its slots full, and
    /// 48,000 sessions stay within 65,536 slots of 136 bytes (the next step would double it).
    public static let defaultSessionsInMemory = 48_000

    public init(inputs: [String], importOptions: ImportOptions, jobs: Int = defaultJobCount, dryRun: Bool = false) {
        self.inputs = inputs
        self.importOptions = importOptions
        self.jobs = jobs
        self.dryRun = dryRun
    }
}

/// `migrate`: walks the inputs, converts every file in parallel, keeps the newest copy of
/// each session (SPEC 2.3), hands the winners to a sink, and accounts for every input.
///
/// The result does not depend on the order in which workers finish: which copy of a session
/// wins is decided by the copies' content alone (modification time, then audit-log length,
/// then bytes), and the report lists inputs in walk order.
public struct Migration: Sendable {
    public var options: MigrationOptions

    public init(options: MigrationOptions) { self.options = options }

    /// The largest input file read; anything larger is refused rather than loaded whole.
    public static let maxInputBytes = 512 << 20

    public func run(into sink: any SessionSink, progress: (any ProgressSink)? = nil) throws -> MigrationReport {
        sink.runStarting()
        // Records go to a spill file as workers finish them and the winning copies to a
        // temporary table: memory does not grow with the number of sessions.
        let spill = InputRecordSpill()
        let table = WinnerTable(inMemoryCapacity: options.sessionsInMemory)
        // (done, found): the total grows while the walk still finds inputs.
        let counts = Locked((done: 0, found: 0))
        let options = self.options
        // The walk runs on this thread while the workers convert the files it has found.
        let (files, problems) = parallelForEach(
            jobs: options.jobs,
            producing: { yield in
                InputWalker.walk(options.inputs) { file in
                    counts.withLock { $0.found += 1 }
                    yield(file)
                }
            }
        ) { (index: Int, file: InputFile) in
            var storeError: FormatError?
            var record = Migration.convert(file, options: options) { candidate, k in
                do {
                    try table.offer(
                        candidate, from: CandidateSource(input: index, session: k),
                        to: sink)
                } catch {
                    storeError = FormatError(
                        file: file.displayPath, location: "",
                        reason: "could not store session \(candidate.session.sessionID): \(error)")
                }
            }
            if let storeError {
                record.outcome = .failed
                record.error = storeError
            }
            spill.store(record, at: index)
            let (n, total) = counts.withLock { c -> (Int, Int) in
                c.done += 1
                return (c.done, c.found)
            }
            progress?.update(phase: "converting", done: n, total: total)
        }
        progress?.finish(phase: "converting")
        sink.conversionFinished()

        let problemRecords: [InputRecord] = problems.map { problem in
            var r = InputRecord(path: problem.displayPath, outcome: problem.isError ? .failed : .skipped)
            if problem.isError {
                r.error = FormatError(file: problem.displayPath, location: "", reason: problem.reason)
            } else {
                r.note = problem.reason
            }
            return r
        }
        // One listing sorted by path: walk problems (negative indices) and files together.
        // Equal paths keep walk order, problems first.
        func rank(_ x: Int) -> (Int, Int) { x < 0 ? (0, -x - 1) : (1, x) }
        func precedes(_ a: Int, _ b: Int) -> Bool {
            let pa = a < 0 ? problemRecords[-a - 1].path : files[a].displayPath
            let pb = b < 0 ? problemRecords[-b - 1].path : files[b].displayPath
            if keyPrecedes(pa, pb) { return true }
            if keyPrecedes(pb, pa) { return false }
            return rank(a) < rank(b)
        }
        var order = Array(-problems.count..<0) + Array(files.indices)
        // The walk yields one folder's files in path order already: check before sorting.
        if !zip(order, order.dropFirst()).allSatisfy({ precedes($0, $1) }) { order.sort(by: precedes) }
        let dryRun = options.dryRun
        let records = ReportInputs(spill: spill, order: order, problems: problemRecords) { record, index in
            Migration.resolve(&record, index: index, winners: table, dryRun: dryRun) { files[$0].displayPath }
        }
        var report = MigrationReport(
            records: records, dryRun: options.dryRun, destination: sink.destination, render: options.rendersReport)
        try sink.finish(report: &report, progress: progress)
        return report
    }

    /// Settles what happened to each session of an input once every input is done: written
    /// (created, updated, unchanged, or planned in a dry run) if this input held the winning
    /// copy, else superseded by the input that did.
    static func resolve(
        _ record: inout InputRecord, index: Int, winners: WinnerTable, dryRun: Bool,
        path: (Int) -> String
    ) {
        for k in record.sessions.indices {
            let id = record.sessions[k].sessionID
            guard let winner = winners.winner(of: id) else { continue }
            if winner.source.input == index && winner.source.session == k {
                if dryRun {
                    record.sessions[k].status = winner.existingDigest == winner.digest ? .unchanged : .planned
                } else if winner.existingDigest == nil {
                    record.sessions[k].status = .created
                } else {
                    record.sessions[k].status = winner.existingDigest == winner.digest ? .unchanged : .updated
                }
            } else {
                record.sessions[k].status = .superseded
                record.sessions[k].supersededBy = path(winner.source.input)
                record.sessions[k].differsFromMigrated = record.sessions[k].digestForComparison != winner.digest
            }
        }
        if record.outcome == .migrated, !record.sessions.isEmpty,
            record.sessions.allSatisfy({ $0.status == .superseded })
        {
            record.outcome = .superseded
        }
    }

    /// Reads, detects and converts one file, handing each converted session to `deliver` (with
    /// its position in the file) as soon as its bytes exist, so that a file of many sessions (a
    /// JamBot database) never holds all their bytes at once. Sessions are delivered only once
    /// every session of the file has validated. Never throws: every problem becomes the record's.
    static func convert(
        _ file: InputFile, options: MigrationOptions, deliver: (MigratedSession, Int) -> Void
    ) -> InputRecord {
        var record = InputRecord(path: file.displayPath, outcome: .failed)
        func fail(_ location: String, _ reason: String) -> InputRecord {
            record.outcome = .failed
            record.error = FormatError(file: file.displayPath, location: location, reason: reason)
            return record
        }
        let data: [UInt8]
        do {
            data = try FileReading.read(file.path, maxBytes: maxInputBytes)
        } catch .tooLarge(let size) {
            return fail("", "file of \(size) bytes is larger than the \(maxInputBytes >> 20) MiB limit")
        } catch {
            return fail("", "cannot be read (\(error))")
        }
        let input = InputSniffer.parse(SourceFile(path: file.path, displayPath: file.displayPath, bytes: data))
        let context = ImportContext(options: options.importOptions, related: RelatedFiles(root: file.root))
        switch LegacySystems.detect(input, context: context) {
        case .notASession(let reason):
            record.outcome = .skipped
            record.note = reason
            return record
        case .failed(let error):
            record.outcome = .failed
            record.error = error
            return record
        case .recognized(let format, let importer):
            record.format = format.qualifiedName
            record.note = format.note
            if format.role == .part {
                record.outcome = .joined
                return record
            }
            record.warnings = readerWarnings(input.jsonWarnings)
            var imported: [ImportedSession]
            do {
                imported = try importer.importSessions(input, as: format, context: context)
            } catch let error as FormatError {
                record.outcome = .failed
                record.error = error
                return record
            } catch {
                return fail("", "\(error)")
            }
            for item in imported {
                let problems = SessionValidator.check(item.session)
                if !problems.isEmpty {
                    return fail(
                        "",
                        "converted session \(item.session.sessionID) is not valid sessionsync/1 (\(problems.map(\.description).joined(separator: "; "))); this is a SessionSync bug, please report it"
                    )
                }
            }
            var joined: [String] = []
            // Front to back, letting go of each session once delivered.
            imported.reverse()
            var k = 0
            while var item = imported.popLast() {
                let bytes = item.session.canonicalBytes
                item.session.discardEncodingCaches()
                let digest = Digest.sha256Hex(bytes)
                record.warnings += item.warnings
                joined += item.joinedFiles
                record.sessions.append(
                    SessionRecord(
                        sessionID: item.session.sessionID, legacyID: item.session.origin.legacyID,
                        name: item.session.metadata.name,
                        auditEntries: item.session.auditLog.count, locks: item.session.auditLog.filter(\.isLock).count,
                        status: .planned, digestForComparison: digest))
                deliver(
                    MigratedSession(session: item.session, bytes: bytes, digest: digest, modifiedAt: item.modifiedAt), k
                )
                k += 1
            }
            if !joined.isEmpty {
                record.note = ([record.note].compactMap { $0 } + ["joined with: " + joined.joined(separator: ", ")])
                    .joined(separator: "; ")
            }
            record.outcome = .migrated
            return record
        }
    }

    /// Turns the reader's per-occurrence warnings into report lines: duplicate keys and lone
    /// surrogates one by one (they change values), non-finite numbers counted per file.
    static func readerWarnings(_ warnings: [JSONReadWarning]) -> [ImportWarning] {
        var out: [ImportWarning] = []
        var nonFinite: [JSONReadWarning] = []
        for w in warnings {
            switch w.kind {
            case .duplicateKey(let key):
                out.append(
                    ImportWarning(
                        "duplicate-key", "line \(w.line) column \(w.column)",
                        "duplicate key \"\(key)\": kept the last value, as the app did"))
            case .loneSurrogate(let escape):
                out.append(
                    ImportWarning(
                        "lone-surrogate", "line \(w.line) column \(w.column)",
                        "unpaired surrogate \(escape) replaced by U+FFFD"))
            case .floatOverflow(let text):
                out.append(
                    ImportWarning(
                        "float-overflow", "line \(w.line) column \(w.column)",
                        "\(text) is beyond a double; read as infinity, as Python does"))
            case .nonFiniteToken:
                nonFinite.append(w)
            }
        }
        if !nonFinite.isEmpty {
            let places =
                nonFinite.prefix(3).map { "line \($0.line)" }.joined(separator: ", ")
                + (nonFinite.count > 3 ? ", …" : "")
            out.insert(
                ImportWarning(
                    "non-finite-number", places,
                    "\(nonFinite.count) NaN/Infinity value\(nonFinite.count == 1 ? "" : "s"), written as {\"$number\": …}"
                ),
                at: 0)
        }
        return out
    }
}

/// Which input (and which of its sessions) a candidate came from. (Indices only: the table
/// holds one per session for the whole run.)
struct CandidateSource: Sendable {
    var input: Int
    var session: Int
}

/// A canonical time as a comparable value (seconds, then fraction); no time sorts first.
struct TimeKey: Comparable, Sendable {
    var seconds: Int64
    var fraction: Double

    init(_ text: String?) {
        guard let text, let instant = Timestamp.instant(of: text) else {
            seconds = Int64.min
            fraction = 0
            return
        }
        seconds = instant.seconds
        fraction = Double(instant.micros) / 1_000_000
    }

    static func < (a: TimeKey, b: TimeKey) -> Bool { (a.seconds, a.fraction) < (b.seconds, b.fraction) }
}
