import Foundation
import Git
import LegacyFormats
import SessionModel

/// What happened to one session in a replay.
public struct ReplaySessionResult: Sendable {
    public enum Status: String, Sendable {
        /// Entries were applied (or, in a dry run, would be).
        case replayed
        /// A lock decided differently on the two sides: left untouched.
        case diverged
        /// Not written, for the reason given (a format replay cannot write back, a backup copy).
        case skipped
        /// Could not be read or written.
        case failed
    }

    public var sessionID: String
    public var name: String?
    /// The TO file, or `REPO@BRANCH:path`.
    public var location: String
    public var status: Status
    /// The entries applied, in the order they now have in TO's log (with their new `seq`).
    public var entries: [AuditEntry]
    public var divergent: [DivergentDecision]
    public var reason: String?
    /// Legacy targets: where the previous file was kept.
    public var backup: String?

    public var jsonValue: JSONValue {
        var o: JSONObject = [
            "session_id": .string(sessionID), "name": JSONValue(name), "location": .string(location),
            "status": .string(status.rawValue), "entries": .array(entries.map(\.jsonValue)),
        ]
        if !divergent.isEmpty {
            o["divergent"] = .array(
                divergent.map {
                    ["decision": .string($0.decision.description), "from": $0.b.jsonValue, "to": $0.a.jsonValue]
                })
        }
        if let reason { o["reason"] = .string(reason) }
        if let backup { o["backup"] = .string(backup) }
        return .object(o)
    }
}

/// The outcome of ``Replay/run(from:to:options:)``.
public struct ReplayReport: Sendable {
    public var from: String
    public var to: String
    /// `git`, `folder` (canonical) or `legacy`.
    public var targetKind: String
    public var dryRun: Bool
    /// Sessions with something to report, sorted by session id then location.
    public var sessions: [ReplaySessionResult]
    /// Sessions both sides hold that TO already has in full.
    public var upToDate: Int
    /// Sessions only FROM holds (replay extends sessions; it never creates one).
    public var onlyInFrom: Int
    /// Commits made (git targets).
    public var commits: Int
    /// Inputs that could not be read.
    public var errors: [FormatError]

    public var hasDivergence: Bool { sessions.contains { $0.status == .diverged } }
    public var hasFailures: Bool { !errors.isEmpty || sessions.contains { $0.status == .failed } }

    public func count(_ status: ReplaySessionResult.Status) -> Int { sessions.filter { $0.status == status }.count }

    public var jsonValue: JSONValue {
        [
            "from": .string(from), "to": .string(to), "target": .string(targetKind), "dry_run": .bool(dryRun),
            "sessions": .array(sessions.map(\.jsonValue)),
            "totals": [
                "replayed": .int(count(.replayed)), "diverged": .int(count(.diverged)),
                "skipped": .int(count(.skipped)),
                "failed": .int(count(.failed)), "up_to_date": .int(upToDate), "only_in_from": .int(onlyInFrom),
                "entries": .int(sessions.filter { $0.status == .replayed }.reduce(0) { $0 + $1.entries.count }),
                "commits": .int(commits),
            ],
            "errors": .array(errors.map { .string($0.description) }),
        ]
    }
}

/// Settings of a replay.
public struct ReplayOptions: Sendable {
    public var importOptions: ImportOptions
    public var dryRun: Bool
    public var jobs: Int

    public init(importOptions: ImportOptions, dryRun: Bool = false, jobs: Int = defaultJobCount) {
        self.importOptions = importOptions
        self.dryRun = dryRun
        self.jobs = jobs
    }
}

/// `replay FROM TO` (SPEC 5): appends to each session of TO the audit entries FROM has and TO
/// lacks, and writes TO back in its own form: one commit per replayed lock in a git store, an
/// atomic rewrite in a canonical folder store, and in a legacy store the file rewritten in its
/// app's format by the matching exporter, the previous file kept as a backup beside it.
public enum Replay {
    /// The suffix of backup files: `<file>.sessionsync-backup-<n>`, `n` the first unused number
    /// from 1, so repeated replays never overwrite an earlier backup and names are deterministic.
    public static let backupMarker = ".sessionsync-backup-"

    public static func run(from: String, to: String, options: ReplayOptions) throws -> ReplayReport {
        let source = try StoreReader.open(from, importOptions: options.importOptions, jobs: options.jobs)
        let fromListing = try source.listing()
        var fromByID: [String: SessionHandle] = [:]
        for h in fromListing.handles where fromByID[h.sessionID] == nil { fromByID[h.sessionID] = h }
        let target = try ReplayTarget.open(to, importOptions: options.importOptions, jobs: options.jobs)
        var report = ReplayReport(
            from: from, to: to, targetKind: target.kind, dryRun: options.dryRun, sessions: [], upToDate: 0,
            onlyInFrom: 0,
            commits: 0, errors: fromListing.failures + target.failures)

        // Pair TO's sessions with FROM's; equal digests of one scheme are identical unread.
        var pairs: [(from: SessionHandle, item: ReplayTarget.Item)] = []
        var matched = Set<String>()
        for item in target.items {
            guard let h = fromByID[item.sessionID] else { continue }
            matched.insert(item.sessionID)
            if let a = h.digest, let b = item.digest, a == b {
                report.upToDate += 1
            } else {
                pairs.append((h, item))
            }
        }
        report.onlyInFrom = fromByID.keys.filter { !matched.contains($0) }.count

        // Decode and plan in parallel; writing happens afterwards, in a fixed order.
        let decisions = Locked([Result<(Session, ReplayDecision), FormatError>?](repeating: nil, count: pairs.count))
        let sendablePairs = pairs
        parallelForEach(count: pairs.count, jobs: options.jobs) { i in
            let (h, item) = sendablePairs[i]
            let outcome: Result<(Session, ReplayDecision), FormatError>
            do {
                let fromSession = try source.load(h)
                let toSession = try target.load(item)
                outcome = .success((toSession, ReplayPlan.decide(from: fromSession, to: toSession)))
            } catch {
                outcome = .failure(
                    error as? FormatError ?? FormatError(file: item.location, location: "", reason: "\(error)"))
            }
            decisions.withLock { $0[i] = outcome }
        }
        var toWrite: [(item: ReplayTarget.Item, session: Session, index: Int)] = []
        for (i, outcome) in decisions.withLock({ $0 }).enumerated() {
            let item = pairs[i].item
            var result = ReplaySessionResult(
                sessionID: item.sessionID, name: nil, location: item.location, status: .failed, entries: [],
                divergent: [])
            switch outcome {
            case .failure(let error)?:
                result.reason = error.description
            case nil:
                result.reason = "not processed"
            case .success((let toSession, let decision))?:
                result.name = toSession.metadata.name
                switch decision {
                case .upToDate:
                    report.upToDate += 1
                    continue
                case .diverged(let divergent):
                    result.status = .diverged
                    result.divergent = divergent
                    result.reason =
                        divergent.map { "\($0.decision) was decided differently (FROM #\($0.b.seq), TO #\($0.a.seq))" }
                        .joined(separator: "; ")
                        + "; left untouched"
                case .replay(let entries, let session):
                    result.entries = entries
                    if let why = item.cannotWrite {
                        result.status = .skipped
                        result.reason = why
                    } else {
                        result.status = .replayed
                        toWrite.append((item, session, report.sessions.count))
                    }
                }
            }
            report.sessions.append(result)
        }
        if !options.dryRun && !toWrite.isEmpty {
            let written = try target.write(toWrite.map { ($0.item, $0.session) })
            report.commits = written.commits
            for (k, w) in toWrite.enumerated() {
                if let error = written.errors[k] {
                    report.sessions[w.index].status = .failed
                    report.sessions[w.index].reason = error
                }
                report.sessions[w.index].backup = written.backups[k]
            }
        }
        report.sessions.sort { ($0.sessionID, $0.location) < ($1.sessionID, $1.location) }
        return report
    }
}
